/// The shortest text that reads back to the same double: whole numbers without ".0",
/// `nan`, `inf` and `-inf` for the non-finite values (as pandas and NumPy read them).
public func numberText(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 {
        return value == 0 ? "0" : String(Int64(value))
    }
    return value.description
}

/// A number for people to read: thousands separators, at most `decimals` decimals.
public func readableNumber(_ value: Double, decimals: Int = 1) -> String {
    guard value.isFinite else { return numberText(value) }
    let scale = pow10(decimals)
    let rounded = (abs(value) * scale).rounded() / scale
    var whole = String(Int64(rounded.rounded(.down)))
    var grouped = ""
    while whole.count > 3 {
        grouped = "," + whole.suffix(3) + grouped
        whole = String(whole.dropLast(3))
    }
    grouped = whole + grouped
    let fraction = rounded - rounded.rounded(.down)
    if decimals > 0 && abs(rounded) < 1000 && fraction > 0 {
        let digits = String(Int64((fraction * scale).rounded()))
        grouped += "." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
    }
    return (value < 0 && rounded != 0 ? "-" : "") + grouped
}

private func pow10(_ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<exponent { result *= 10 }
    return result
}
