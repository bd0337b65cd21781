/// The shortest text that reads back to the same double: whole numbers without ".0",
/// `nan`, `inf` and `-inf` for the non-finite values (as pandas and NumPy read them).
public func numberText(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 {
        return value == 0 ? "0" : String(Int64(value))
    }
    return value.description
}

/// A number for people to read: thousands separators and at most `decimals` decimals below
/// 1,000 (none from 1,000 up), rounded half away from zero, without trailing zeros:
/// 1234567.8 → "1,234,568"; 2.25 → "2.3"; 0.25 with 2 decimals → "0.25"; −0.04 → "0".
public func readableNumber(_ value: Double, decimals: Int = 1) -> String {
    guard value.isFinite, abs(value) < 1e15 else { return numberText(value) }
    let places = abs(value) >= 1000 ? 0 : decimals
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let lastPlaces = Int64((abs(value) * scale).rounded())
    let unit = Int64(scale)
    var whole = String(lastPlaces / unit)
    var grouped = ""
    while whole.count > 3 {
        grouped = "," + whole.suffix(3) + grouped
        whole = String(whole.dropLast(3))
    }
    grouped = whole + grouped
    if places > 0, lastPlaces % unit != 0 {
        let digits = String(lastPlaces % unit)
        var fraction = String(repeating: "0", count: places - digits.count) + digits
        while fraction.hasSuffix("0") { fraction.removeLast() }
        grouped += "." + fraction
    }
    return (value < 0 && lastPlaces != 0 ? "-" : "") + grouped
}
