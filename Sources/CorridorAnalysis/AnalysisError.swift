/// A request the analysis cannot answer as given. The analysis names the value at fault;
/// a front end (the command line, a web page) says where it came from.
public enum AnalysisError: Error, CustomStringConvertible, Equatable {
    /// A plan target that is not `OUTPUT <= VALUE by YYYY-MM` (or `>=`).
    case malformedTarget(String)
    /// A candidate range with nothing in it.
    case emptyRange(low: Double, high: Double)
    /// Too few members for a regression.
    case tooFewMembers(Int, needed: Int)

    public var description: String {
        switch self {
        case let .malformedTarget(text):
            "expected \"OUTPUT <= VALUE by YYYY-MM\" (or >=), e.g. \"courtBacklog <= 1000000 by 2032-09\"; got \"\(text)\""
        case let .emptyRange(low, high):
            "the range \(low):\(high) is empty; give LO:HI with LO < HI"
        case let .tooFewMembers(members, needed):
            "a regression needs at least \(needed) members; got \(members)"
        }
    }
}
