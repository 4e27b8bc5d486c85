/// Works through everything `read` returns, a page at a time: hands each page's items not seen
/// before to `handle` (which is expected to take handled items out of what `read` returns), and
/// stops at a short page or at one that holds nothing new. An item `handle` could not finish is
/// not tried again in the same drain, so a failing item cannot keep it going.
func drainInPages<Item>(
    page: Int, id: (Item) -> String, read: (Int) async throws -> [Item], handle: ([Item]) async -> Void
) async throws {
    var tried = Set<String>()
    while !Task.isCancelled {
        let items = try await read(page)
        let fresh = items.filter { tried.insert(id($0)).inserted }
        if fresh.isEmpty { return }
        await handle(fresh)
        if items.count < page { return }
    }
}
