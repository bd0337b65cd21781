/// An expression of the model format: numbers, parameter names, `+ - * /`, unary minus,
/// parentheses, `min(a, b)`, `max(a, b)`, `exp(a)`, `stock(c)`, `total(c)`, `flow(f)`.
indirect enum Expression: Equatable {
    case number(Double)
    /// A parameter name, with its 0-based character offset in the expression text.
    case parameter(String, offset: Int)
    case negate(Expression)
    case binary(BinaryOperator, Expression, Expression)
    case minimum(Expression, Expression)
    case maximum(Expression, Expression)
    case exp(Expression)
    case stock(String, offset: Int)
    case total(String, offset: Int)
    case flow(String, offset: Int)

    enum BinaryOperator: Character { case add = "+", subtract = "-", multiply = "*", divide = "/" }
}

/// A syntax error at a 0-based character offset of the expression text.
struct ExpressionSyntaxError: Error {
    let offset: Int
    let message: String
}

/// Recursive-descent parser for expressions.
struct ExpressionParser {
    private enum Token: Equatable {
        case number(Double), name(String), symbol(Character), end
    }

    private var tokens: [(token: Token, offset: Int)] = []
    private var position = 0

    static func parse(_ text: String) throws(ExpressionSyntaxError) -> Expression {
        var parser = ExpressionParser()
        try parser.tokenize(Array(text))
        let expression = try parser.parseSum()
        guard case .end = parser.current.token else {
            throw ExpressionSyntaxError(offset: parser.current.offset, message: "unexpected \(parser.describe(parser.current.token)) after a complete expression")
        }
        return expression
    }

    private var current: (token: Token, offset: Int) { tokens[position] }

    private mutating func tokenize(_ characters: [Character]) throws(ExpressionSyntaxError) {
        var i = 0
        while i < characters.count {
            let c = characters[i]
            if c == " " || c == "\t" || c == "\n" { i += 1; continue }
            let start = i
            if c.isASCIIDigitOrDot {
                while i < characters.count, characters[i].isASCIIDigitOrDot || characters[i] == "_" { i += 1 }
                if i < characters.count, characters[i] == "e" || characters[i] == "E" {
                    var j = i + 1
                    if j < characters.count, characters[j] == "+" || characters[j] == "-" { j += 1 }
                    if j < characters.count, characters[j].isASCIIDigitOrDot {
                        i = j
                        while i < characters.count, characters[i].isASCIIDigitOrDot { i += 1 }
                    }
                }
                let text = String(characters[start..<i])
                guard let value = parseNumber(text) else {
                    throw ExpressionSyntaxError(offset: start, message: "'\(text)' is not a number\(nonFiniteNote(text))")
                }
                tokens.append((.number(value), start))
            } else if c == "_" || c.isLetter && c.isASCII {
                while i < characters.count, characters[i] == "_" || (characters[i].isASCII && (characters[i].isLetter || characters[i].isNumber)) { i += 1 }
                tokens.append((.name(String(characters[start..<i])), start))
            } else if "+-*/(),".contains(c) {
                tokens.append((.symbol(c), start))
                i += 1
            } else {
                throw ExpressionSyntaxError(offset: start, message: "unexpected character '\(c)'; expressions use numbers, names, + - * / ( ) and min, max, exp, stock, total, flow")
            }
        }
        tokens.append((.end, characters.count))
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case let .number(value): return "number \(value)"
        case let .name(name): return "name '\(name)'"
        case let .symbol(symbol): return "'\(symbol)'"
        case .end: return "end of expression"
        }
    }

    private mutating func expect(_ symbol: Character, _ context: String) throws(ExpressionSyntaxError) {
        guard case .symbol(symbol) = current.token else {
            throw ExpressionSyntaxError(offset: current.offset, message: "expected '\(symbol)' \(context), found \(describe(current.token))")
        }
        position += 1
    }

    private mutating func parseSum() throws(ExpressionSyntaxError) -> Expression {
        var left = try parseProduct()
        while case let .symbol(symbol) = current.token, symbol == "+" || symbol == "-" {
            position += 1
            left = .binary(symbol == "+" ? .add : .subtract, left, try parseProduct())
        }
        return left
    }

    private mutating func parseProduct() throws(ExpressionSyntaxError) -> Expression {
        var left = try parseUnary()
        while case let .symbol(symbol) = current.token, symbol == "*" || symbol == "/" {
            position += 1
            left = .binary(symbol == "*" ? .multiply : .divide, left, try parseUnary())
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionSyntaxError) -> Expression {
        if case .symbol("-") = current.token {
            position += 1
            return .negate(try parseUnary())
        }
        if case .symbol("+") = current.token {
            position += 1
            return try parseUnary()
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(ExpressionSyntaxError) -> Expression {
        let (token, offset) = current
        switch token {
        case let .number(value):
            position += 1
            return .number(value)
        case .symbol("("):
            position += 1
            let inner = try parseSum()
            try expect(")", "to close the '(' at character \(offset + 1)")
            return inner
        case let .name(name):
            position += 1
            guard case .symbol("(") = current.token else { return .parameter(name, offset: offset) }
            position += 1
            switch name {
            case "min", "max":
                let a = try parseSum()
                try expect(",", "between the two arguments of \(name)(a, b)")
                let b = try parseSum()
                try expect(")", "after the second argument of \(name)(a, b)")
                return name == "min" ? .minimum(a, b) : .maximum(a, b)
            case "exp":
                let a = try parseSum()
                try expect(")", "after the argument of exp(a)")
                return .exp(a)
            case "stock", "total", "flow":
                guard case let .name(argument) = current.token else {
                    let what = name == "flow" ? "a flow name" : "a compartment name"
                    throw ExpressionSyntaxError(offset: current.offset, message: "\(name)(…) takes \(what), found \(describe(current.token))")
                }
                let argumentOffset = current.offset
                position += 1
                try expect(")", "after the argument of \(name)(…)")
                switch name {
                case "stock": return .stock(argument, offset: argumentOffset)
                case "total": return .total(argument, offset: argumentOffset)
                default: return .flow(argument, offset: argumentOffset)
                }
            default:
                throw ExpressionSyntaxError(offset: offset, message: "unknown function '\(name)'; the functions are min, max, exp, stock, total and flow")
            }
        default:
            throw ExpressionSyntaxError(offset: offset, message: "expected a number, a name or '(', found \(describe(token))")
        }
    }
}

private extension Character {
    var isASCIIDigitOrDot: Bool { self == "." || ("0"..."9").contains(self) }
}
