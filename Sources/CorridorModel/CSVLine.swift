/// Splits one CSV line into fields (RFC 4180 quoting: a field in double quotes may hold
/// commas, and `""` inside it is one quote), with each field's 1-based column. Spaces
/// around unquoted fields are trimmed. Returns nil when a quote is left open.
func csvFields(_ line: String) -> [(text: String, column: Int)]? {
    var fields: [(String, Int)] = []
    var current = ""
    var fieldColumn = 1
    var column = 1
    var inQuotes = false
    var wasQuoted = false
    var characters = line.makeIterator()
    var pending: Character? = characters.next()
    while let character = pending {
        pending = characters.next()
        if inQuotes {
            if character == "\"" {
                if pending == "\"" {
                    current.append("\"")
                    pending = characters.next()
                    column += 1
                } else {
                    inQuotes = false
                }
            } else {
                current.append(character)
            }
        } else if character == "\"" && current.allSatisfy(\.isWhitespace) {
            inQuotes = true
            wasQuoted = true
            current = ""
        } else if character == "," {
            fields.append((wasQuoted ? current : current.trimmingSpaces, fieldColumn))
            current = ""
            wasQuoted = false
            fieldColumn = column + 1
        } else {
            current.append(character)
        }
        column += 1
    }
    if inQuotes { return nil }
    fields.append((wasQuoted ? current : current.trimmingSpaces, fieldColumn))
    return fields.map { (text: $0.0, column: $0.1) }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }

    /// The lines of a text file: CRLF and a UTF-8 byte-order mark are accepted.
    var csvLines: [String] {
        var lines = split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        return lines
    }
}
