/// A calendar month, such as 2019-10. Step t of a run is the month `start + t`.
public struct Month: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Months since January of year 0: `year * 12 + (month - 1)`.
    public let index: Int

    public init(year: Int, month: Int) {
        precondition((1...12).contains(month), "month must be 1…12")
        index = year * 12 + (month - 1)
    }

    public init(index: Int) { self.index = index }

    /// Parses `YYYY-MM` (four-digit year, two-digit month 01…12); nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts[0].allSatisfy(\.isASCIIDigit), parts[1].allSatisfy(\.isASCIIDigit),
              let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month)
        else { return nil }
        self.init(year: year, month: month)
    }

    public var year: Int { index / 12 }
    public var month: Int { index % 12 + 1 }

    public func advanced(by months: Int) -> Month { Month(index: index + months) }

    /// The number of months from `other` to `self`.
    public func months(since other: Month) -> Int { index - other.index }

    public var description: String {
        let monthText = month < 10 ? "0\(month)" : "\(month)"
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + monthText
    }

    public static func < (lhs: Month, rhs: Month) -> Bool { lhs.index < rhs.index }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
