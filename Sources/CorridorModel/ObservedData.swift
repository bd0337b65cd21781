import CorridorEngine
import Foundation

/// When an observation was made: a calendar month, a US fiscal year (October to
/// September) or a calendar year.
public enum Period: Hashable, Comparable, Sendable, CustomStringConvertible {
    case month(Month)
    case fiscalYear(Int)
    case calendarYear(Int)

    /// Parses `YYYY-MM`, `FYyyyy` or `yyyy`.
    public init?(parsing text: String) {
        if let month = Month(parsing: text) {
            self = .month(month)
        } else if text.hasPrefix("FY"), text.count == 6, let year = Int(text.dropFirst(2)), text.dropFirst(2).allSatisfy(\.isNumber) {
            self = .fiscalYear(year)
        } else if text.count == 4, text.allSatisfy(\.isNumber), let year = Int(text) {
            self = .calendarYear(year)
        } else {
            return nil
        }
    }

    /// The months the period covers.
    public var months: ClosedRange<Month> {
        switch self {
        case let .month(month): return month...month
        case let .fiscalYear(year): return Month(year: year - 1, month: 10)...Month(year: year, month: 9)
        case let .calendarYear(year): return Month(year: year, month: 1)...Month(year: year, month: 12)
        }
    }

    public var description: String {
        switch self {
        case let .month(month): return month.description
        case let .fiscalYear(year): return "FY\(year)"
        case let .calendarYear(year): return String(year)
        }
    }

    public static func < (lhs: Period, rhs: Period) -> Bool {
        (lhs.months.lowerBound, lhs.months.upperBound) < (rhs.months.lowerBound, rhs.months.upperBound)
    }
}

/// One published figure: `series,group,period,value,unit,source`.
public struct Observation: Sendable, Equatable {
    public var series: String
    /// SLV, GTM, HND, MEX, OTH, ALL, or another ISO 3166 alpha-3 code.
    public var group: String
    public var period: Period
    public var value: Double
    public var unit: String
    /// The original publisher and document.
    public var source: String
}

/// The observed data of `Datasets/observed`: tidy CSV files, validated as they load.
public struct ObservedData: Sendable {
    public static let columns = ["series", "group", "period", "value", "unit", "source"]
    public private(set) var observations: [Observation]

    public init(observations: [Observation]) { self.observations = observations }

    /// Every `*.csv` file in `folder`, in name order.
    public static func load(folder: String) throws -> ObservedData {
        let url = URL(fileURLWithPath: folder)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".csv") }.sorted()
        } catch {
            throw ModelError(file: folder, message: "cannot list the observed-data folder; check the path")
        }
        guard !names.isEmpty else { throw ModelError(file: folder, message: "no .csv files in the observed-data folder") }
        var all = ObservedData(observations: [])
        for name in names {
            let file = url.appendingPathComponent(name)
            all.observations += try load(file: file.path, shown: displayPath(file)).observations
        }
        try all.checkUnique(file: folder)
        return all
    }

    /// One tidy CSV file; a bad row is an error naming the file, line and column.
    public static func load(file: String, shown: String? = nil) throws -> ObservedData {
        let shown = shown ?? file
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ModelError(file: shown, message: "no such file; check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ModelError(file: shown, message: "not UTF-8 text")
        }
        return try parse(text: text, file: shown)
    }

    static func parse(text: String, file: String) throws -> ObservedData {
        let lines = text.csvLines
        guard let header = lines.first.flatMap(csvFields), !(lines.first ?? "").isEmpty else {
            throw ModelError(file: file, line: 1, message: "the file is empty; expected the header \(columns.joined(separator: ","))")
        }
        var index: [String: Int] = [:]
        for (i, field) in header.enumerated() { index[field.text] = i }
        let missing = columns.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw ModelError(file: file, line: 1, column: 1,
                             message: "missing column\(missing.count > 1 ? "s" : "") \(listing(missing, conjunction: "and")); the header must have \(columns.joined(separator: ","))")
        }
        var observations: [Observation] = []
        for (offset, line) in lines.enumerated().dropFirst() where !line.trimmingSpaces.isEmpty {
            let number = offset + 1
            guard let fields = csvFields(line) else {
                throw ModelError(file: file, line: number, message: "a double quote is not closed on this line")
            }
            guard fields.count == header.count else {
                throw ModelError(file: file, line: number, column: 1, message: "expected \(header.count) fields like the header, found \(fields.count)")
            }
            func field(_ name: String) -> (text: String, column: Int) { fields[index[name]!] }
            func fail(_ name: String, _ message: String) -> ModelError {
                ModelError(file: file, line: number, column: field(name).column, message: message)
            }
            let series = field("series").text
            guard isIdentifier(series) else { throw fail("series", "'\(series)' is not a series name: use letters, digits and _") }
            let group = field("group").text
            guard group == "ALL" || (group.count == 3 && group.allSatisfy { $0.isUppercase && $0.isASCII }) else {
                throw fail("group", "'\(group)' is not a group: use ALL or a three-letter code such as SLV, GTM, HND, MEX, OTH")
            }
            guard let period = Period(parsing: field("period").text) else {
                throw fail("period", "'\(field("period").text)' is not a period: write YYYY-MM (month), FYyyyy (fiscal year) or yyyy (calendar year)")
            }
            guard let value = parseNumber(field("value").text) else {
                throw fail("value", "'\(field("value").text)' is not a number\(nonFiniteNote(field("value").text))")
            }
            let unit = field("unit").text, source = field("source").text
            guard !unit.isEmpty else { throw fail("unit", "the unit is empty: say what is counted (e.g. encounter events, cases, persons)") }
            guard !source.isEmpty else { throw fail("source", "the source is empty: name the original publisher and document") }
            observations.append(Observation(series: series, group: group, period: period, value: value, unit: unit, source: source))
        }
        let data = ObservedData(observations: observations)
        try data.checkUnique(file: file)
        return data
    }

    private func checkUnique(file: String) throws {
        var seen: Set<String> = []
        for observation in observations {
            let key = "\(observation.series),\(observation.group),\(observation.period)"
            guard seen.insert(key).inserted else {
                throw ModelError(file: file, message: "two rows give \(key); each series, group and period appears once")
            }
        }
    }

    /// The names of all series.
    public var seriesNames: [String] { Array(Set(observations.map(\.series))).sorted() }

    /// A series for one group, in period order.
    public func series(_ name: String, group: String) -> [Observation] {
        observations.filter { $0.series == name && $0.group == group }.sorted { $0.period < $1.period }
    }

    /// The values of the series an output names, at the month each describes: monthly
    /// values at their month; with `at: end`, a fiscal or calendar year's value at the month
    /// after it ends (other yearly values are not drawn against monthly outputs).
    public func points(_ match: ObservedMatch) -> [(month: Month, value: Double)] {
        series(match.series, group: match.group).compactMap { observation in
            switch observation.period {
            case let .month(month): return (month, observation.value)
            case .fiscalYear, .calendarYear:
                return match.endOfPeriod ? (observation.period.months.upperBound.advanced(by: 1), observation.value) : nil
            }
        }
    }
}
