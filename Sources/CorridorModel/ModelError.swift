/// A problem with a model, scenario or series file: where it is, what is wrong, and
/// what would be valid. Printed as `file:line:column: error: key.path: message`.
public struct ModelError: Error, Equatable, CustomStringConvertible {
    /// The file as the user named it (or as a path relative to the file naming it).
    public var file: String
    /// 1-based line and column, when known.
    public var line: Int?
    public var column: Int?
    /// Where in the document, e.g. `parameters.judges.schedule[1].from`; empty for the whole file.
    public var keyPath: String
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, keyPath: String = "", message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String { described(as: "error") }

    /// The same place and message as a warning: `file:line:column: warning: …`.
    public var warningDescription: String { described(as: "warning") }

    private func described(as kind: String) -> String {
        var place = file
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        return keyPath.isEmpty ? "\(place): \(kind): \(message)" : "\(place): \(kind): \(keyPath): \(message)"
    }
}

/// "a, b or c", for listing what would be valid.
func listing(_ names: [String], conjunction: String = "or") -> String {
    switch names.count {
    case 0: return "(none)"
    case 1: return names[0]
    default: return names.dropLast().joined(separator: ", ") + " \(conjunction) " + names.last!
    }
}

/// The closest of `candidates` to `name` by edit distance, if it is close enough to be a likely typo.
func suggestion(for name: String, among candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let lowered = Array(name.lowercased())
    let scored = candidates.map { ($0, distance(lowered, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= Swift.max(1, name.count / 3) && best.1 < name.count ? best.0 : nil
}

/// " Did you mean 'x'?" or "".
/// " Did you mean 'X'?" when a candidate is close to `name` (else empty): for error messages.
public func didYouMean(_ name: String, _ candidates: [String]) -> String {
    suggestion(for: name, among: candidates).map { " Did you mean '\($0)'?" } ?? ""
}
