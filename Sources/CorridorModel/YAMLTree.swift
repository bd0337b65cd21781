import CorridorEngine
import Foundation
import Yams

/// A node of a parsed YAML (or JSON) document, with the file and key path it came from,
/// so every error can say where it is.
struct YAMLTree {
    let node: Node
    let file: String
    let keyPath: String

    var line: Int? { node.mark?.line }
    var column: Int? { node.mark?.column }

    func error(_ message: String) -> ModelError {
        ModelError(file: file, line: line, column: column, keyPath: keyPath, message: message)
    }

    /// Parses a whole document. An empty document is an error naming the file.
    static func parse(text: String, file: String, isJSON: Bool) throws -> YAMLTree {
        // JSON is YAML's flow style; tabs are whitespace in JSON but not everywhere in
        // YAML, and JSON strings cannot contain a literal tab, so they can all become spaces.
        let source = isJSON ? text.replacingOccurrences(of: "\t", with: " ") : text
        let root: Node?
        do {
            root = try Yams.compose(yaml: source)
        } catch let error as YamlError {
            throw Self.translate(error, file: file)
        }
        guard let root else {
            throw ModelError(file: file, message: "the file is empty; expected a mapping that starts with `format:`")
        }
        return YAMLTree(node: root, file: file, keyPath: "")
    }

    static func translate(_ error: YamlError, file: String) -> ModelError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return ModelError(file: file, line: mark.line, column: mark.column, message: message + ". Check indentation, colons and quotes here.")
        case let .reader(problem, offset, _, _):
            return ModelError(file: file, message: "cannot read the file as text: \(problem)\(offset.map { " at byte \($0)" } ?? ""). Save it as UTF-8.")
        case let .duplicatedKeysInMapping(duplicates, context):
            return ModelError(file: file, line: context.mark.line, column: context.mark.column,
                              message: "duplicate key \(listing(duplicates.map { "'\($0)'" }, conjunction: "and")): each key may appear once")
        default:
            return ModelError(file: file, message: "YAML error: \(error)")
        }
    }

    // MARK: - Children

    func child(_ key: String, _ node: Node) -> YAMLTree {
        YAMLTree(node: node, file: file, keyPath: keyPath.isEmpty ? key : "\(keyPath).\(key)")
    }

    /// The entries of a mapping, in document order, with plain-string keys; duplicates,
    /// non-scalar keys and keys outside `allowed` (when given) are errors.
    func mapping(allowed: [String]? = nil, what: String = "a mapping") throws -> [(key: String, value: YAMLTree)] {
        guard case let .mapping(mapping) = node else {
            throw error("expected \(what), found \(describe(node))")
        }
        var seen: Set<String> = []
        var entries: [(String, YAMLTree)] = []
        for (keyNode, valueNode) in mapping {
            guard case let .scalar(scalar) = keyNode else {
                throw YAMLTree(node: keyNode, file: file, keyPath: keyPath)
                    .error("a key must be a plain name, found \(describe(keyNode))")
            }
            let key = scalar.string
            let keyTree = YAMLTree(node: keyNode, file: file, keyPath: keyPath)
            if !seen.insert(key).inserted {
                throw keyTree.error("duplicate key '\(key)': each key may appear once")
            }
            if let allowed, !allowed.contains(key) {
                throw keyTree.error("unknown key '\(key)'.\(didYouMean(key, allowed)) Valid keys here: \(listing(allowed))")
            }
            entries.append((key, child(key, valueNode)))
        }
        return entries
    }

    func sequence(what: String) throws -> [YAMLTree] {
        guard case let .sequence(sequence) = node else {
            throw error("expected \(what) (a list), found \(describe(node))")
        }
        return sequence.enumerated().map { index, item in
            YAMLTree(node: item, file: file, keyPath: "\(keyPath)[\(index)]")
        }
    }

    func scalarText(what: String) throws -> String {
        guard case let .scalar(scalar) = node else {
            throw error("expected \(what), found \(describe(node))")
        }
        return scalar.string
    }

    var isNull: Bool {
        guard case let .scalar(scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A finite number; underscores between digits (1_000_000) are allowed.
    func number(what: String = "a number") throws -> Double {
        let text = try scalarText(what: what)
        guard let value = parseNumber(text) else {
            throw error("expected \(what), found '\(text)'\(nonFiniteNote(text))")
        }
        return value
    }

    func integer(what: String, atLeast minimum: Int) throws -> Int {
        let text = try scalarText(what: what)
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), value >= minimum else {
            throw error("expected \(what) (a whole number ≥ \(minimum)), found '\(text)'")
        }
        return value
    }

    func boolean(what: String) throws -> Bool {
        let text = try scalarText(what: what)
        switch text {
        case "true", "True", "TRUE", "yes": return true
        case "false", "False", "FALSE", "no": return false
        default: throw error("expected \(what) (true or false), found '\(text)'")
        }
    }

    func month(what: String = "a month") throws -> Month {
        let text = try scalarText(what: "\(what) (YYYY-MM)")
        guard let month = Month(parsing: text) else {
            throw error("'\(text)' is not a month: write \(what) as YYYY-MM with a month from 01 to 12, e.g. 2021-10")
        }
        return month
    }

    /// An identifier `[A-Za-z_][A-Za-z0-9_]*`.
    func identifier(what: String) throws -> String {
        let text = try scalarText(what: what)
        guard isIdentifier(text) else {
            throw error("'\(text)' is not a valid name for \(what): use letters, digits and _, starting with a letter or _")
        }
        return text
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar): return scalar.string.isEmpty ? "nothing" : "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

func isIdentifier(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, first.isASCII,
          first == "_" || CharacterSet.letters.contains(first) else { return false }
    return text.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || CharacterSet.alphanumerics.contains($0)) }
}

/// "; NaN and infinities are not allowed: …" when `text` spells one or overflows a double.
func nonFiniteNote(_ text: String) -> String {
    let spelled = text.trimmingCharacters(in: .whitespaces).lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "+-."))
    let overflows = Double(text.trimmingCharacters(in: .whitespaces)).map { !$0.isFinite } ?? false
    return ["nan", "inf", "infinity"].contains(spelled) || overflows
        ? "; NaN and infinities are not allowed: give a finite number (at most about 1.8e308)" : ""
}

/// A finite decimal number, allowing `_` between digits; nil for anything else.
func parseNumber(_ text: String) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty,
          trimmed.unicodeScalars.allSatisfy({ "0123456789+-.eE_".unicodeScalars.contains($0) }),
          let value = Double(trimmed.replacingOccurrences(of: "_", with: "")),
          value.isFinite else { return nil }
    return value
}
