import CorridorModel

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
        for field in fields { add(field) }
        endRow()
    }

    /// Fields added so far to the row being written (`add`, then `endRow`): long tables
    /// write their rows field by field, without an array per row.
    private var fieldsInRow = 0

    /// Adds one field to the row being written.
    public mutating func add(_ field: String) { add(encoded: Self.field(field)) }

    /// Adds a number (`numberText`: it never needs quotes).
    public mutating func add(_ number: Double) { add(encoded: numberText(number)) }

    /// Adds a field already passed through `CSVTable.field` (long tables encode each name
    /// once, not once per row).
    public mutating func add(encoded field: String) {
        if fieldsInRow > 0 { text += "," }
        text += field
        fieldsInRow += 1
    }

    /// Ends the row being written; it must have as many fields as the header.
    public mutating func endRow() {
        precondition(fieldsInRow == columns, "a CSV row of \(fieldsInRow) fields under a header of \(columns)")
        text += "\n"
        fieldsInRow = 0
    }

    /// One field, quoted when RFC 4180 needs it.
    public static func field(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) else {
            return value
        }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
