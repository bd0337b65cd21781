import CorridorEngine
import Foundation
import Testing
@testable import CorridorModel

@Suite struct ObservedDataTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func parseError(_ text: String) -> String {
        do {
            _ = try ObservedData.parse(text: text, file: "obs.csv")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func theBundledObservedDataLoadAndMatchPublishedTotals() throws {
        let data = try ObservedData.load(folder: Self.repository.appendingPathComponent("Datasets/observed").path)
        // CBP's published Southwest border total for FY2021 is 1,734,686 encounters.
        let fy2021 = Period.fiscalYear(2021).months
        let fy2021Rows = data.observations.filter { $0.series == "cbp_sw_encounters" && fy2021.contains($0.period.months.lowerBound) }
        let byGroup = fy2021Rows.filter { $0.group != "ALL" }.reduce(0) { $0 + $1.value }
        let all = fy2021Rows.filter { $0.group == "ALL" }.reduce(0) { $0 + $1.value }
        #expect(byGroup == 1_734_686)
        #expect(all == 1_734_686)
        let pending = data.series("eoir_pending_end_fy", group: "ALL")
        #expect(pending.first?.period == .fiscalYear(2008) && pending.first?.value == 186_101)
        #expect(data.observations.allSatisfy { !$0.source.isEmpty && !$0.unit.isEmpty })
    }

    @Test func periodsCoverTheirMonths() {
        #expect(Period(parsing: "FY2020")?.months == Month(year: 2019, month: 10)...Month(year: 2020, month: 9))
        #expect(Period(parsing: "2021")?.months == Month(year: 2021, month: 1)...Month(year: 2021, month: 12))
        #expect(Period(parsing: "2021-03")?.months == Month(year: 2021, month: 3)...Month(year: 2021, month: 3))
        #expect(Period(parsing: "FY20") == nil)
        #expect(Period(parsing: "2021-3") == nil)
    }

    @Test func quotedFieldsMayHoldCommas() throws {
        let data = try ObservedData.parse(text: "series,group,period,value,unit,source\ns,ALL,2020-01,5,\"people, counted\",\"A \"\"quoted\"\" source\"\n", file: "obs.csv")
        #expect(data.observations.first?.unit == "people, counted")
        #expect(data.observations.first?.source == "A \"quoted\" source")
    }

    @Test func badRowsAreErrorsNamingFileLineAndColumn() {
        let header = "series,group,period,value,unit,source\n"
        #expect(parseError("series,group,period,value,source\n") == "obs.csv:1:1: error: missing column unit; the header must have series,group,period,value,unit,source")
        #expect(parseError(header + "s,ALL,2020-01,x,people,src\n") == "obs.csv:2:15: error: 'x' is not a number")
        #expect(parseError(header + "s,ALL,2020-13,1,people,src\n") == "obs.csv:2:7: error: '2020-13' is not a period: write YYYY-MM (month), FYyyyy (fiscal year) or yyyy (calendar year)")
        #expect(parseError(header + "s,El Salvador,2020-01,1,people,src\n") == "obs.csv:2:3: error: 'El Salvador' is not a group: use ALL or a three-letter code such as SLV, GTM, HND, MEX, OTH")
        #expect(parseError(header + "s,ALL,2020-01,1,people\n") == "obs.csv:2:1: error: expected 6 fields like the header, found 5")
        #expect(parseError(header + "s,ALL,2020-01,1,people,\n") == "obs.csv:2:24: error: the source is empty: name the original publisher and document")
        #expect(parseError(header + "s,ALL,2020-01,1,people,\"open\n") == "obs.csv:2: error: a double quote is not closed on this line")
        #expect(parseError(header + "s,ALL,2020-01,1,people,a\ns,ALL,2020-01,2,people,b\n") == "obs.csv: error: two rows give s,ALL,2020-01; each series, group and period appears once")
    }
}
