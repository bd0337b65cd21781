import ArgumentParser
import CorridorEngine
import CorridorModel
import Foundation

/// How a command shows its progress on stderr.
enum ProgressStyle: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// A bar when stderr is a terminal, nothing otherwise.
    case auto
    case none
    /// One JSON object per line, `{"progress": {"label": …, "done": n, "total": m}}` (and
    /// `"cost"` for a calibration's iterations), for callers that are not a terminal: the
    /// Python package, notebooks, scripts.
    case json
}

/// `--progress`, shared by every command that runs a model.
struct ProgressOption: ParsableArguments {
    @Option(help: "Progress on stderr: auto (a bar on a terminal), none, or json (one JSON object per line, for programs).")
    var progress: ProgressStyle = .auto
}

/// Progress on stderr in the chosen style; updates are throttled to ten a second.
final class ProgressBar: Sendable {
    private let total: Int
    private let label: String
    /// The label as a JSON string, for `--progress json`.
    private let labelJSON: String
    private let style: ProgressStyle
    private let lastDrawn = Locked<(done: Int, time: Double)>((-1, 0))

    init(total: Int, label: String, style: ProgressStyle) {
        self.total = max(1, total)
        self.label = label
        labelJSON = String(decoding: try! JSONEncoder().encode(label), as: UTF8.self)
        self.style = style == .auto && isatty(STDERR_FILENO) != 1 ? .none : style
    }

    /// Reports `done` of `total` units, with the fit's `cost` when there is one.
    func update(_ done: Int, cost: Double? = nil) {
        guard style != .none else { return }
        let now = Date().timeIntervalSince1970
        let shouldDraw = lastDrawn.withLock { last in
            guard done != last.done, now - last.time >= 0.1 || done >= total else { return false }
            last = (done, now)
            return true
        }
        guard shouldDraw else { return }
        switch style {
        case .json:
            let costJSON = cost.map { $0.isFinite ? ", \"cost\": \(numberText($0))" : "" } ?? ""
            FileHandle.standardError.write(Data("{\"progress\": {\"label\": \(labelJSON), \"done\": \(done), \"total\": \(total)\(costJSON)}}\n".utf8))
        case .auto:
            let permille = min(1000, done * 1000 / total), width = 30
            let filled = permille * width / 1000
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let suffix = cost.map { " cost \(String(format: "%.6g", $0))" } ?? ""
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(label) \(bar) \(permille / 10)%\(suffix)".utf8))
        case .none:
            break
        }
    }

    /// Clears the bar's line.
    func finish() {
        guard style == .auto else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}

/// Prints the model's warnings (negative values where the format clamps) on stderr.
func printWarnings(_ model: Model) {
    for warning in model.negativeValueWarnings { printError(warning.warningDescription) }
}

/// Prints a message on stderr.
func printError(_ message: String) {
    lastError.withLock { $0 = message }
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

private let lastError = Locked("")

/// The last message `printError` printed: what an MPI rank whose stderr is silenced says
/// when it fails alone.
func lastPrintedError() -> String { lastError.withLock { $0 } }
