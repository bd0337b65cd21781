/// A dense matrix of doubles in column-major order, the layout BLAS and LAPACK use.
///
/// A value type: copies never share storage that either can change.
public struct Matrix: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    /// Entries in column-major order: entry (i, j) is `elements[i + j * rows]`.
    public private(set) var elements: [Double]

    /// A `rows` × `columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// A matrix from its rows, written as they read on paper.
    public init(rowMajor rowsOfEntries: [[Double]]) {
        let rowCount = rowsOfEntries.count
        let columnCount = rowsOfEntries.first?.count ?? 0
        precondition(rowsOfEntries.allSatisfy { $0.count == columnCount }, "every row needs the same number of entries")
        self.init(rows: rowCount, columns: columnCount)
        for (i, row) in rowsOfEntries.enumerated() {
            for (j, value) in row.enumerated() { self[i, j] = value }
        }
    }

    /// A matrix from column-major entries; `elements.count` must be `rows * columns`.
    public init(rows: Int, columns: Int, columnMajor elements: [Double]) {
        precondition(elements.count == rows * columns, "expected \(rows * columns) entries, got \(elements.count)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    public subscript(row: Int, column: Int) -> Double {
        get { elements[row + column * rows] }
        set { elements[row + column * rows] = newValue }
    }

    /// The entries of one column.
    public func column(_ j: Int) -> ArraySlice<Double> {
        elements[(j * rows)..<((j + 1) * rows)]
    }

    mutating func withUnsafeMutableElements<R>(_ body: (UnsafeMutablePointer<Double>) throws -> R) rethrows -> R {
        try elements.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}
