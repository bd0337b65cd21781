import CorridorModel
import Foundation
import Synchronization


/// A progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar: Sendable {
    private let total: Int
    private let label: String
    private let enabled: Bool
    private let lastDrawn = Mutex<(fraction: Int, time: Double)>((-1, 0))

    init(total: Int, label: String) {
        self.total = max(1, total)
        self.label = label
        enabled = isatty(STDERR_FILENO) == 1
    }

    /// Reports `done` of `total` units; redraws at most every tenth of a second.
    func update(_ done: Int) {
        guard enabled else { return }
        let permille = min(1000, done * 1000 / total)
        let now = Date().timeIntervalSince1970
        let shouldDraw = lastDrawn.withLock { last in
            guard permille != last.fraction, now - last.time >= 0.1 || permille == 1000 else { return false }
            last = (permille, now)
            return true
        }
        guard shouldDraw else { return }
        let width = 30
        let filled = permille * width / 1000
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) \(bar) \(permille / 10)%".utf8))
    }

    /// Clears the bar's line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}

/// Prints the model's warnings (negative values where the format clamps) on stderr.
func printWarnings(_ model: Model) {
    for warning in model.negativeValueWarnings { printError(warning.warningDescription) }
}

/// Prints a message on stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
