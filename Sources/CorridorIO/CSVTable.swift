/// A CSV file's text as RFC 4180 defines it: fields separated by commas, a field in double
/// quotes (its own quotes doubled) when it holds a comma, a quote, a CR or an LF; every
/// row, the last too, ends in LF. The one CSV writer of Corridor: pandas, R and
/// spreadsheets read its files with the header's column count whatever the names hold.
///
/// yaslab/CSV.swift (mirrored here) quotes the same way but writes one Unicode scalar at a
/// time through an `OutputStream` and ends the last row without a newline; result files
/// run to millions of rows, so Corridor builds the text directly.
public struct CSVTable: Sendable {
    public private(set) var text: String
    public let columns: Int

    public init(header: [String]) {
        text = ""
        columns = header.count
        append(header)
    }

    /// Appends one row; it must have as many fields as the header.
    public mutating func append(_ fields: [String]) {
        precondition(fields.count == columns, "a CSV row of \(fields.count) fields under a header of \(columns)")
        for (index, field) in fields.enumerated() {
            if index > 0 { text += "," }
            text += Self.field(field)
        }
        text += "\n"
    }

    /// One field, quoted when RFC 4180 needs it.
    public static func field(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) else {
            return value
        }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
