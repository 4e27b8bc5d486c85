import Foundation
import RuleEngine
import Runtime

/// The Language Server Protocol's framing over a pair of file handles: each message is a
/// `Content-Length` header, a blank line, and that many bytes of JSON.
final class LSPConnection {
    private let input: FileHandle
    private let output: FileHandle
    private var buffer = Data()

    init(input: FileHandle = .standardInput, output: FileHandle = .standardOutput) {
        self.input = input
        self.output = output
    }

    /// The next message, or nil at the end of input.
    func read() -> Value? {
        while true {
            if let message = takeMessage() { return message }
            let chunk = input.availableData
            if chunk.isEmpty { return nil }
            buffer += chunk
        }
    }

    /// Writes one message.
    func write(_ message: Value) {
        let body = Data(message.jsonText.utf8)
        output.write(Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }

    /// A whole message from the buffer, if one is there; an unreadable body reads as null.
    private func takeMessage() -> Value? {
        guard let separator = buffer.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let header = String(decoding: buffer[buffer.startIndex..<separator.lowerBound], as: UTF8.self)
        let length =
            header.split(separator: "\r\n").compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        let start = separator.upperBound
        guard buffer.distance(from: start, to: buffer.endIndex) >= length else { return nil }
        let end = buffer.index(start, offsetBy: length)
        let body = Array(buffer[start..<end])
        buffer = Data(buffer[end...])
        return (try? JSONParser.parse(body)) ?? .null
    }
}
