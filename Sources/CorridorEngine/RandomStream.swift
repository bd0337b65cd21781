import RealModule

/// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11): the draw for a
/// member depends only on the key and the member's index, never on the order in which
/// members are run, the thread count or the tiling.
public struct RandomStream: Sendable, Equatable {
    let key0: UInt32
    let key1: UInt32

    /// A stream keyed by the run's seed and a label (parameter name and group).
    public init(seed: UInt64, label: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a 64
        for byte in label.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let mixed = Self.splitMix(seed ^ Self.splitMix(hash))
        key0 = UInt32(truncatingIfNeeded: mixed)
        key1 = UInt32(truncatingIfNeeded: mixed >> 32)
    }

    static func splitMix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Four independent 32-bit words for counter (member, index).
    func block(member: Int, index: UInt32) -> (UInt32, UInt32, UInt32, UInt32) {
        let m = UInt64(bitPattern: Int64(member))
        return Self.philox(counter: (UInt32(truncatingIfNeeded: m), UInt32(truncatingIfNeeded: m >> 32), index, 0x436f_7272),
                           key: (key0, key1))
    }

    /// The Philox4x32-10 bijection of Random123.
    static func philox(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for _ in 0..<10 {
            let product0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let product1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: product0 >> 32), lo0 = UInt32(truncatingIfNeeded: product0)
            let hi1 = UInt32(truncatingIfNeeded: product1 >> 32), lo1 = UInt32(truncatingIfNeeded: product1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
            k0 &+= 0x9E37_79B9
            k1 &+= 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }

    /// Two uniform numbers in the open interval (0, 1) for a member.
    public func uniformPair(member: Int) -> (Double, Double) {
        let (a, b, c, d) = block(member: member, index: 0)
        let first = (UInt64(a) << 32 | UInt64(b)) >> 11
        let second = (UInt64(c) << 32 | UInt64(d)) >> 11
        let scale = 1.0 / 9_007_199_254_740_992.0  // 2^-53
        return ((Double(first) + 0.5) * scale, (Double(second) + 0.5) * scale)
    }

    /// A uniform number in (0, 1) for a member.
    public func uniform(member: Int) -> Double { uniformPair(member: member).0 }

    /// A standard normal number for a member (Box–Muller on the member's uniform pair).
    public func standardNormal(member: Int) -> Double {
        let (u1, u2) = uniformPair(member: member)
        return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
    }
}
