/// Which partition holds each outbox message an instance committed or read, so that holding
/// and removing one touches only its partition. Two generations of at most `capacity` ids: memory
/// stays bounded, and an id stays known for at least `capacity` notes after its own, long after
/// the message is sent (a hold can come after the removal).
struct RecentPartitions: Sendable {
    private var current: [String: Int] = [:]
    private var previous: [String: Int] = [:]
    let capacity: Int

    init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    /// Notes that message `id` is in `partition`.
    mutating func note(_ id: String, in partition: Int) {
        if current.count >= capacity {
            previous = current
            current = [:]
        }
        current[id] = partition
    }

    /// The partition noted for `id`, if still known.
    func partition(of id: String) -> Int? { current[id] ?? previous[id] }
}
