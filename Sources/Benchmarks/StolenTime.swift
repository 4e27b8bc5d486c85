import Foundation

/// The machine's CPU time from `/proc/stat`, to report how much of it the hypervisor took for
/// other guests during a run ("steal"). On a small virtual machine, stolen slices of several
/// milliseconds hold up every request in flight at once, and so move a short run's p99.
struct StolenTime {
    private let steal: Double
    private let total: Double

    /// Now; nil where `/proc/stat` cannot be read.
    init?() {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is already in user)
        let fields = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
        guard fields.count == 8 else { return nil }
        steal = fields[7]
        total = fields.reduce(0, +)
    }

    /// The share of all CPU time since `start` that was stolen, in percent.
    func percent(since start: StolenTime) -> Double {
        (steal - start.steal) / max(total - start.total, 1) * 100
    }
}
