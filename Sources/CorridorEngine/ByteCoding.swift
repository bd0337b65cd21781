/// Appends numbers and arrays to a byte buffer in this machine's byte order: the messages
/// that carry partial ensemble results between processes of one job (all on the same
/// kind of machine; the format is not a file format and is never stored).
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func int(_ value: Int) { append(Int64(value)) }
    mutating func double(_ value: Double) { append(value) }
    mutating func string(_ value: String) { array(Array(value.utf8)) }

    /// A count, then the elements' bytes.
    mutating func array<Element: BitwiseCopyable>(_ values: [Element]) {
        int(values.count)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    private mutating func append<Value: BitwiseCopyable>(_ value: Value) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }
}

/// Reads what `ByteWriter` wrote, refusing a message that ends early or is malformed.
struct ByteReader {
    struct Malformed: Error, CustomStringConvertible {
        var description: String { "a partial result received from another process is malformed (a Corridor version mismatch between processes?)" }
    }

    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { position == bytes.count }

    mutating func int() throws -> Int { Int(try value(Int64.self)) }
    mutating func double() throws -> Double { try value(Double.self) }
    mutating func string() throws -> String { String(decoding: try array(UInt8.self), as: UTF8.self) }

    mutating func count() throws -> Int {
        let count = try int()
        guard count >= 0 else { throw Malformed() }
        return count
    }

    mutating func array<Element: BitwiseCopyable>(_: Element.Type) throws -> [Element] {
        let count = try count()
        let size = count.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
        guard !size.overflow, size.partialValue <= bytes.count - position else { throw Malformed() }
        // Not through `unsafeUninitializedCapacity` when empty: that writes the count into
        // the shared empty-array storage, a (benign) race ThreadSanitizer reports.
        guard count > 0 else { return [] }
        let values = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + size.partialValue)]))
            }
            initialized = count
        }
        position += size.partialValue
        return values
    }

    private mutating func value<Value: BitwiseCopyable>(_: Value.Type) throws -> Value {
        let size = MemoryLayout<Value>.size
        guard size <= bytes.count - position else { throw Malformed() }
        defer { position += size }
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: Value.self) }
    }
}
