import CCorridorVectorMath
import Foundation
import Testing
@testable import CorridorEngine

/// The C step kernels that have no test of their own elsewhere — expression instructions and
/// step 5 — against the same arithmetic written in Swift, and their AVX2 versions against the
/// portable ones, bit for bit.
@Suite struct StepKernelTests {
    /// Operands with the awkward cases mixed in: ±0, ±∞, NaN, negatives, huge and tiny values.
    static let specials: [Double] = [0, -0.0, .infinity, -.infinity, .nan, -3.5, 1e308, 5e-324]
    static let left: [Double] = (0..<37).map { (i: Int) -> Double in
        i % 8 < 5 ? specials[i % 8] : specials[i % 8] * Double(i)
    }
    static let right: [Double] = (0..<37).map { (i: Int) -> Double in [2.5, -0.0, 0, .nan, -.infinity, 7, -1e-300][i % 7] }

    /// Each operation with the Swift it must equal (`Swift.min`/`max`, the C library's exp).
    static func operations() -> [(CorridorOperation, (Double, Double) -> Double)] {
        [(CORRIDOR_ADD, { $0 + $1 }), (CORRIDOR_SUBTRACT, { $0 - $1 }), (CORRIDOR_MULTIPLY, { $0 * $1 }),
         (CORRIDOR_DIVIDE, { $0 / $1 }), (CORRIDOR_MINIMUM, { Swift.min($0, $1) }),
         (CORRIDOR_MAXIMUM, { Swift.max($0, $1) }), (CORRIDOR_EXP, { x, _ in Foundation.exp(x) }),
         (CORRIDOR_NEGATE, { x, _ in -x })]
    }

    static func same(_ x: Double, _ y: Double) -> Bool { x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }

    @Test func expressionInstructionsFollowSwiftsArithmetic() {
        let n = Self.left.count
        for (operation, swift) in Self.operations() {
            // exp and negate read `a` member by member: an instruction whose one operand is the
            // same for every member is computed once, on lane 0, never here.
            let unary = operation == CORRIDOR_EXP || operation == CORRIDOR_NEGATE
            for (uniformA, uniformB) in unary ? [(false, false)] : [(false, false), (true, false), (false, true)] {
                for avx2: Int32 in [0, 1] {
                    var result = [Double](repeating: 0, count: n)
                    corridor_operate_version(operation, &result, Self.left, Self.right, uniformA ? 1 : 0,
                                             uniformB ? 1 : 0, n, avx2)
                    for l in 0..<n {
                        let expected = swift(uniformA ? Self.left[0] : Self.left[l], uniformB ? Self.right[0] : Self.right[l])
                        #expect(Self.same(result[l], expected),
                                "operation \(operation.rawValue), member \(l), uniform \(uniformA)/\(uniformB), AVX2 \(avx2)")
                    }
                }
            }
        }
    }

    /// An instruction says whether its results all have the same bits (here x · 1 = x): rows
    /// of every length up to 13 that agree, NaN and −0 included, and the same rows with one
    /// lane changed anywhere — to the next double, to the other zero, to another NaN.
    @Test func expressionInstructionsSayWhetherMembersAgree() {
        let one: [Double] = [1], zero = [Double](repeating: 0, count: 13)
        for avx2: Int32 in [0, 1] {
            for count in 1...13 {
                for agreed in [2.5, -0.0, .nan, .infinity] {
                    var result = zero
                    var row = [Double](repeating: agreed, count: count)
                    #expect(corridor_operate_version(CORRIDOR_MULTIPLY, &result, row, one, 0, 1, count, avx2) == 1,
                            "\(count) lanes of \(agreed), AVX2 \(avx2)")
                    for lane in 0..<count where count > 1 {
                        for other in [agreed == 2.5 ? 2.5000000000000004 : 2.5, -0.0, 0.0, Double(nan: 1, signaling: false)]
                        where other.bitPattern != agreed.bitPattern {
                            row[lane] = other
                            #expect(corridor_operate_version(CORRIDOR_MULTIPLY, &result, row, one, 0, 1, count, avx2) == 0,
                                    "\(count) lanes, lane \(lane) is \(other), AVX2 \(avx2)")
                            row[lane] = agreed
                        }
                    }
                }
            }
        }
    }

    /// Step 5 over four slots of 16 members, in the given version: slot 0 keeps a remainder
    /// (negatives and −0 clamped) and takes an amount with no share and one with a share per
    /// member; slot 1 takes one amount with a share the same for every member (its row holds
    /// it in lane 0 only, NaN elsewhere: it must be read from lane 0); slot 2 keeps a
    /// remainder alone; slot 3 has neither and must not change.
    static func stepFive(avx2: Int32) -> [[Double]] {
        let n = 16, rows = 10
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: rows * n)
        defer { buffer.deallocate() }
        func row(_ i: Int) -> UnsafeMutablePointer<Double> { buffer + i * n }
        for l in 0..<n {
            for slot in 0..<4 { row(slot)[l] = 100 + Double(10 * slot + l) }
            row(4)[l] = [5, -2, -0.0, 0.1][l % 4] * Double(l + 1)   // slot 0's remainder
            row(5)[l] = 3 + 0.25 * Double(l)                        // amount without a share
            row(6)[l] = 40 + Double(l)                              // amount with shares per member
            row(7)[l] = 1 / Double(l + 3)                           // those shares
            row(8)[l] = l == 0 ? 0.25 : .nan                        // a share for everyone
            row(9)[l] = -7 + Double(l)                              // slot 2's remainder
        }
        let starts = [0, 2, 3, 3, 3]
        let amounts = [UnsafePointer(row(5)), UnsafePointer(row(6)), UnsafePointer(row(6))]
        let shares: [UnsafePointer<Double>?] = [nil, UnsafePointer(row(7)), UnsafePointer(row(8))]
        let uniform = [false, false, true]
        let remainders: [UnsafePointer<Double>?] = [UnsafePointer(row(4)), nil, UnsafePointer(row(9)), nil]
        corridor_apply_flows_version(buffer, n, 4, starts, amounts, shares, uniform, remainders, n, avx2)
        return (0..<4).map { Array(UnsafeBufferPointer(start: row($0), count: n)) }
    }

    @Test func stepFiveAddsInFlowOrder() {
        let stocks = Self.stepFive(avx2: 1)
        for l in 0..<16 {
            let kept = [5, -2, -0.0, 0.1][l % 4] * Double(l + 1)
            let slot0 = (Swift.max(kept, 0) + (3 + 0.25 * Double(l))) + (40 + Double(l)) * (1 / Double(l + 3))
            let slot1 = (100 + Double(10 + l)) + (40 + Double(l)) * 0.25
            let slot2 = Swift.max(-7 + Double(l), 0)
            let slot3 = 100 + Double(30 + l)
            for (slot, expected) in [slot0, slot1, slot2, slot3].enumerated() {
                #expect(stocks[slot][l].bitPattern == expected.bitPattern, "slot \(slot), member \(l)")
            }
        }
    }

    @Test(.enabled(if: corridor_has_avx2() != 0, "the processor has no AVX2"))
    func theAVX2StepFiveGivesThePortableBits() {
        let portable = Self.stepFive(avx2: 0), vector = Self.stepFive(avx2: 1)
        for slot in 0..<4 {
            #expect(zip(portable[slot], vector[slot]).allSatisfy { $0.bitPattern == $1.bitPattern }, "slot \(slot)")
        }
    }
}
