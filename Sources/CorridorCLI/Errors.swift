import ArgumentParser
import CorridorAnalysis
import CorridorEngine
import CorridorIO
import CorridorModel

/// An error of the command line itself (not of a model file), printed as it reads.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The command-line option an analysis error is about.
func flag(for error: AnalysisError) -> String {
    switch error {
    case .malformedTarget: "--target"
    case .emptyRange: "--range"
    case .tooFewMembers: "--members"
    }
}

/// Runs `body`, printing a model, engine, output or command-line error on stderr and
/// exiting with status 1 instead of a trace.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        let message: String
        switch error {
        case let error as ModelError: message = error.description
        case let error as AnalysisError: message = "error: \(flag(for: error)): \(error.description)"
        case is EngineError, is MemoryLimitError, is DistributedRunError, is OutputError, is CLIError: message = "error: \(error)"
        default: throw error
        }
        printError(message)
        throw ExitCode.failure
    }
}
