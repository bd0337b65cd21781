import CorridorIO
import Dispatch
import Foundation

/// SIGINT (Ctrl-C) and SIGTERM end any command cleanly: the output being written is
/// removed (a folder being replaced is put back), one line says so on stderr, and the
/// status is 128 + the signal's number (130, 143), as shells report it.
enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// - Parameter stopped: what the one line says ended the run, instead of the signal's
    ///   name (an MPI job, whose ranks mpirun stops when one fails).
    static func install(stopped: String? = nil) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)  // delivered to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                OutputFiles.discardUnfinished()
                let clearLine = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[2K" : ""
                FileHandle.standardError.write(Data("\(clearLine)error: \(stopped ?? "interrupted by \(name)"); no results were written (unfinished output removed)\n".utf8))
                _exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops ending the process on SIGINT and SIGTERM, for a command that stops itself
    /// cleanly on them (`serve`). The signals stay ignored by default handling.
    static func uninstall() {
        for source in sources { source.cancel() }
        sources = []
    }
}
