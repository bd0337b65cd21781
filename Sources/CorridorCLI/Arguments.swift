import ArgumentParser
import CorridorAnalysis
import CorridorEngine
import CorridorModel
import Foundation

/// Typed command-line values: parsed and checked once, by ArgumentParser, before a command runs.
extension Month: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

/// Candidate values `LO:HI` with LO < HI.
struct CandidateRange {
    let bounds: ClosedRange<Double>

    static func parse(_ text: String) throws -> CandidateRange {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Double(parts[0]), let high = Double(parts[1]) else {
            throw ValidationError("takes LO:HI, e.g. 0:1500; got '\(text)'")
        }
        guard low < high else { throw ValidationError("\(text) is empty: LO must be below HI") }
        return CandidateRange(bounds: low...high)
    }
}

/// `--target "OUTPUT <= VALUE by YYYY-MM"`.
func parseTarget(_ text: String) throws -> PlanTarget {
    do { return try PlanTarget(parsing: text) } catch let error as AnalysisError { throw ValidationError(error.description) }
}

/// Members, seed and threads: the options of every command that runs an ensemble.
struct EnsembleOptions: ParsableArguments {
    @Option(help: "Ensemble size. Default: the scenario's `members`; when that is 1, the command's own default (run: 1, a deterministic run; compare and plan: 200; sensitivity: 1000).")
    var members: Int?

    @Option(help: "Seed of the random draws. Default: the scenario's, else 0.")
    var seed: UInt64?

    @Option(help: "Worker threads. Results do not depend on it. Default: the number of cores.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if let members, members < 1 { throw ValidationError("--members must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    /// The scenario resolved with these options: members as asked, else the scenario's when
    /// it runs more than one, else `defaultMembers`; the seed as asked, else the scenario's.
    func scenario(_ definition: RunDefinition, horizon: Int? = nil, defaultMembers: Int) throws -> Scenario {
        try Scenario(definition, horizon: horizon, members: members, seed: seed, defaultMembers: defaultMembers)
    }
}

/// `--threads` alone, for the commands whose ensembles are not the user's to size.
struct ThreadOption: ParsableArguments {
    @Option(help: "Worker threads. Results do not depend on it. Default: the number of cores.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }
}
