import Foundation
import Server

#if LIBFUZZER
    /// libFuzzer's driver, from the runtime `-sanitize=fuzzer` links.
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// libFuzzer's mode: build with `-Xswiftc -sanitize=fuzzer -Xswiftc -DLIBFUZZER` and pick
    /// the target with `RULEBOT_FUZZ_TARGET` (compiler, expression or webhook). SwiftPM names an
    /// executable's entry itself, so this `main` hands the command line to libFuzzer's driver
    /// instead of relying on libFuzzer's own `main`.
    @main
    enum LibFuzzerMain {
        static func main() {
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(runFuzzerDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
        }
    }

    /// The entry libFuzzer's runtime expects to find, one input at a time.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        LibFuzzerTarget.run(bytes)
        return 0
    }

    enum LibFuzzerTarget {
        static let run: @Sendable ([UInt8]) -> Void = {
            let name = ProcessInfo.processInfo.environment["RULEBOT_FUZZ_TARGET"] ?? "compiler"
            guard let target = FuzzTargets.all[name] else { fatalError("unknown fuzz target '\(name)'") }
            return target
        }()
    }
#else
    /// `swift run Fuzz TARGET --runs N [--seed S] CORPUS...`: a deterministic mutation loop over
    /// the corpus files, for CI; the libFuzzer build above explores with coverage.
    @main
    enum FuzzMain {
        static func main() throws {
            var arguments = Array(CommandLine.arguments.dropFirst())
            let runs = Int(take("--runs", from: &arguments) ?? "") ?? 2_000
            let seed = UInt64(take("--seed", from: &arguments) ?? "") ?? 1
            guard let name = arguments.first, let target = FuzzTargets.all[name] else {
                let names = FuzzTargets.all.keys.sorted().joined(separator: ", ")
                FileHandle.standardError.write(
                    Data("usage: Fuzz TARGET [--runs N] [--seed S] CORPUS...; targets: \(names)\n".utf8))
                exit(2)
            }
            let corpus = try Corpus.load(arguments.dropFirst())
            var mutator = Mutator(seed: seed, corpus: corpus)
            let started = Date()
            for seedInput in corpus { target(seedInput) }
            for _ in 0..<runs { target(mutator.next()) }
            let seconds = Date().timeIntervalSince(started)
            print(
                "fuzz \(name): \(corpus.count) corpus inputs and \(runs) mutations (seed \(seed)) ran without a crash in \(String(format: "%.1f", seconds)) s"
            )
        }

        private static func take(_ flag: String, from arguments: inout [String]) -> String? {
            guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
            defer { arguments.removeSubrange(index...index + 1) }
            return arguments[index + 1]
        }
    }
#endif
