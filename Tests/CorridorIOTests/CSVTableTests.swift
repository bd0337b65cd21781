import CorridorModel
import Testing
@testable import CorridorIO

@Suite struct CSVTableTests {
    @Test func fieldsAreQuotedOnlyWhenRFC4180NeedsIt() {
        #expect(CSVTable.field("courtBacklog") == "courtBacklog")
        #expect(CSVTable.field("2012-10") == "2012-10")
        #expect(CSVTable.field("judges, case 1") == "\"judges, case 1\"")
        #expect(CSVTable.field("say \"1\"") == "\"say \"\"1\"\"\"")
        #expect(CSVTable.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVTable.field("cr\rhere") == "\"cr\rhere\"")
        #expect(CSVTable.field("") == "")
    }

    @Test func everyRowEndsInALineFeed() {
        var table = CSVTable(header: ["scenario", "value"])
        table.append(["a, b", numberText(1.5)])
        table.append(["c", numberText(2)])
        #expect(table.text == "scenario,value\n\"a, b\",1.5\nc,2\n")
    }

    @Test func numbersReadBackToTheSameDouble() {
        for value in [0.1, 1e-300, 123456789.125, -2.5e17, 1e15, 3] {
            #expect(Double(numberText(value)) == value)
        }
        #expect(numberText(.nan) == "nan" && numberText(.infinity) == "inf" && numberText(-.infinity) == "-inf")
        #expect(numberText(42) == "42" && numberText(-0.0) == "0")
    }

    @Test func readableNumbersGroupThousandsRoundHalfAwayAndDropTrailingZeros() {
        #expect(readableNumber(1_234_567.8) == "1,234,568")
        #expect(readableNumber(1234.5) == "1,235")
        #expect(readableNumber(999.96) == "1,000")
        #expect(readableNumber(2.25) == "2.3" && readableNumber(-2.25) == "-2.3")
        #expect(readableNumber(12.0) == "12" && readableNumber(-0.04) == "0")
        #expect(readableNumber(0.25, decimals: 2) == "0.25" && readableNumber(0.125, decimals: 6) == "0.125")
        #expect(readableNumber(0.05, decimals: 2) == "0.05" && readableNumber(100.5, decimals: 0) == "101")
        #expect(readableNumber(.nan) == "nan" && readableNumber(-.infinity) == "-inf")
    }
}
