import CorridorEngine

/// A YAML or JSON document for the other file kinds of Corridor (calibration files,
/// overlays), with the same error messages as model files: file, line, column, key path.
public struct YAMLDocument {
    public let root: YAMLNode

    public init(text: String, file: String) throws {
        root = YAMLNode(tree: try YAMLTree.parse(text: text, file: file, isJSON: file.lowercased().hasSuffix(".json")))
    }
}

/// A node of a `YAMLDocument`.
public struct YAMLNode {
    let tree: YAMLTree

    public func error(_ message: String) -> ModelError { tree.error(message) }

    public func mapping(allowed: [String]) throws -> YAMLMapping {
        YAMLMapping(node: self, entries: try tree.mapping(allowed: allowed).map { ($0.key, YAMLNode(tree: $0.value)) })
    }

    public func sequence() throws -> [YAMLNode] { try tree.sequence(what: "a list").map(YAMLNode.init) }
    public func text() throws -> String { try tree.scalarText(what: "a text") }
    public func number() throws -> Double { try tree.number() }
    public func month() throws -> Month { try tree.month() }
    public func boolean() throws -> Bool { try tree.boolean(what: "true or false") }
    /// A whole number in `range`, or an error that gives the range.
    public func wholeNumber(in range: ClosedRange<Int>, what: String) throws -> Int {
        let value = try tree.integer(what: what, atLeast: range.lowerBound)
        guard value <= range.upperBound else { throw tree.error("\(what) must be at most \(range.upperBound), found \(value)") }
        return value
    }
}

/// The entries of a mapping node, looked up by key.
public struct YAMLMapping {
    public let node: YAMLNode
    public let entries: [(key: String, value: YAMLNode)]

    public func optional(_ key: String) -> YAMLNode? { entries.first { $0.key == key }?.value }

    public func required(_ key: String) throws -> YAMLNode {
        guard let value = optional(key) else { throw node.error("missing key '\(key)'") }
        return value
    }
}
