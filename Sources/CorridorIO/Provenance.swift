import CorridorEngine
import CorridorModel
import Crypto
import Foundation

/// How an output folder was made, written beside its results as `run.json`: Corridor's
/// version, the command line, the run's settings and every input file with a SHA-256 of
/// its content, so that a result can be traced to exactly what produced it.
public struct Provenance: Encodable {
    public struct InputFile: Encodable {
        public var path: String
        public var sha256: String
    }

    public var corridor: String
    public var command: [String]
    public var seed: UInt64?
    public var members: Int?
    public var threads: Int?
    /// Processes (MPI ranks) that shared the members, when more than one.
    public var processes: Int?
    public var files: [InputFile]
    /// How the model file says to show its named outputs (unit, label, observed series),
    /// for programs that read the results (the Python package).
    public var outputs: [String: OutputPresentation]?

    /// - Parameter files: absolute paths of the inputs (`RunDefinition.sourceFiles`); they
    ///   are read again to hash them, and shown relative to the working folder when inside it.
    public init(command: [String] = CommandLine.arguments, seed: UInt64?, members: Int?, threads: Int?, files: [String],
                outputs: [String: OutputPresentation]? = nil) {
        corridor = CorridorVersion.current
        self.outputs = outputs
        self.command = command
        self.seed = seed
        self.members = members
        self.threads = threads
        processes = Ensemble.distribution.map(\.processes).flatMap { $0 > 1 ? $0 : nil }
        let folder = FileManager.default.currentDirectoryPath + "/"
        var seen: Set<String> = []
        self.files = files.filter { seen.insert($0).inserted }.map { path in
            let digest = FileManager.default.contents(atPath: path).map { SHA256.hash(data: $0).map { String(format: "%02x", $0) }.joined() }
            return InputFile(path: path.hasPrefix(folder) ? String(path.dropFirst(folder.count)) : path, sha256: digest ?? "unreadable")
        }
    }

    /// `run.json`'s text: pretty-printed, keys sorted.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(self), as: UTF8.self) + "\n"
    }
}

/// Corridor's version.
public enum CorridorVersion {
    public static let current = "0.3.0"
}
