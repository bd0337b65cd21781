import CorridorEngine
import Foundation

/// Reads a parameter series from CSV: `month,value` (one value for every group) or
/// `month,GROUP1,GROUP2…` (a column for every group of the model).
enum SeriesCSV {
    static func load(path: String, folder: URL, groups: [String], declaredAt origin: YAMLTree) throws -> SeriesData {
        let url = URL(fileURLWithPath: path, relativeTo: folder).standardizedFileURL
        let shown = displayPath(url)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw origin.error("series file '\(path)' not found (looked for \(shown)); paths are relative to the file that names them")
        }
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw origin.error("cannot read series file \(shown) as UTF-8 text")
        }
        FilesRead.current?.record(url.path)
        do {
            return try parse(text: text, file: shown, groups: groups, origin: origin)
        } catch var error as ModelError {
            error.message += " (in the series named at \(origin.file):\(origin.line ?? 0), \(origin.keyPath))"
            throw error
        }
    }

    static func parse(text: String, file: String, groups: [String], origin: YAMLTree) throws -> SeriesData {
        let lines = text.csvLines
        guard let headerIndex = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw ModelError(file: file, line: 1, message: "the series file is empty; expected a header `month,value` or `month,\(groups.joined(separator: ","))`")
        }
        let header = try fields(lines[headerIndex], file: file, line: headerIndex + 1)
        func headerError(_ message: String) -> ModelError {
            ModelError(file: file, line: headerIndex + 1, column: 1, message: message)
        }
        guard header.first?.text == "month" else {
            throw headerError("the first column must be `month`, found '\(header.first?.text ?? "")'; expected `month,value` or `month,\(groups.joined(separator: ","))`")
        }
        let columns = header.dropFirst().map(\.text)
        // Column index in the file for each group (or the one `value` column for all).
        var columnOfGroup: [Int] = []
        let perGroup: Bool
        if columns == ["value"] {
            columnOfGroup = Array(repeating: 1, count: groups.count)
            perGroup = false
        } else {
            for column in header.dropFirst() where !groups.contains(column.text) {
                throw ModelError(file: file, line: headerIndex + 1, column: column.column,
                                 message: "unknown column '\(column.text)'.\(didYouMean(column.text, groups)) The columns are `month` and either `value` or one per group: \(listing(groups, conjunction: "and"))")
            }
            if Set(columns).count != columns.count {
                throw headerError("a group column appears twice in the header")
            }
            let missing = groups.filter { !columns.contains($0) }
            guard missing.isEmpty else {
                throw headerError("missing group column\(missing.count > 1 ? "s" : "") \(listing(missing, conjunction: "and")): a per-group series needs a column for every group (\(listing(groups, conjunction: "and"))), or use a single `value` column")
            }
            columnOfGroup = groups.map { group in 1 + columns.firstIndex(of: group)! }
            perGroup = true
        }
        var points: [(month: Month, value: GroupNumbers)] = []
        for lineIndex in (headerIndex + 1)..<lines.count {
            let line = lines[lineIndex]
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let row = try fields(line, file: file, line: lineIndex + 1)
            guard row.count == header.count else {
                throw ModelError(file: file, line: lineIndex + 1, column: 1,
                                 message: "expected \(header.count) fields like the header, found \(row.count)")
            }
            guard let month = Month(parsing: row[0].text) else {
                throw ModelError(file: file, line: lineIndex + 1, column: row[0].column,
                                 message: "'\(row[0].text)' is not a month: write months as YYYY-MM, e.g. 2019-10")
            }
            if let previous = points.last, month <= previous.month {
                throw ModelError(file: file, line: lineIndex + 1, column: row[0].column,
                                 message: "months must increase: \(month) comes after \(previous.month)")
            }
            var values: [Double] = []
            for column in columnOfGroup {
                guard let value = parseNumber(row[column].text) else {
                    throw ModelError(file: file, line: lineIndex + 1, column: row[column].column,
                                     message: "'\(row[column].text)' in column '\(header[column].text)' is not a number\(nonFiniteNote(row[column].text))")
                }
                values.append(value)
            }
            points.append((month, GroupNumbers(values: values, isPerGroup: perGroup)))
        }
        guard !points.isEmpty else {
            throw ModelError(file: file, line: headerIndex + 1, message: "the series file has a header but no rows")
        }
        return SeriesData(points: points, origin: origin)
    }

    static func fields(_ line: String, file: String, line number: Int) throws -> [(text: String, column: Int)] {
        guard let fields = csvFields(line) else {
            throw ModelError(file: file, line: number, message: "a double quote is not closed on this line")
        }
        return fields
    }
}

/// A path as error messages show it: relative to the working folder when inside it.
public func displayPath(_ url: URL) -> String {
    let path = url.standardizedFileURL.path
    let current = FileManager.default.currentDirectoryPath
    let prefix = current.hasSuffix("/") ? current : current + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
}
