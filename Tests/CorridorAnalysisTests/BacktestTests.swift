import CorridorEngine
import CorridorModel
import Testing
@testable import CorridorAnalysis

@Suite struct BacktestArithmeticTests {
    func month(_ text: String) -> Period { .month(Month(parsing: text)!) }

    /// Two years of monthly history: value = 100 × month number in the first year, +10 in the second.
    var history: [(Period, Double)] {
        var values: [(Period, Double)] = []
        for m in 1...12 { values.append((month(String(format: "2020-%02d", m)), 100.0 * Double(m))) }
        for m in 1...12 { values.append((month(String(format: "2021-%02d", m)), 100.0 * Double(m) + 10)) }
        return values
    }

    @Test func seasonalNaiveTakesTheLastSameCalendarMonth() {
        #expect(Backtest.naiveForecast(of: month("2022-03"), history: history) == 310)
        #expect(Backtest.naiveForecast(of: month("2023-12"), history: history) == 1210)
    }

    @Test func yearlySeriesAndShortHistoriesUseTheLastValue() {
        let yearly: [(Period, Double)] = [(.fiscalYear(2018), 5), (.fiscalYear(2019), 7)]
        #expect(Backtest.naiveForecast(of: .fiscalYear(2021), history: yearly) == 7)
        let short = Array(history.prefix(3))
        #expect(Backtest.naiveForecast(of: month("2020-11"), history: short) == 300)
        #expect(Backtest.naiveForecast(of: month("2020-11"), history: []) == nil)
    }

    @Test func theMASEScaleIsTheInSampleSeasonalNaiveError() {
        // Every lag-12 difference is exactly 10.
        #expect(Backtest.naiveScale(history) == 10)
        // Yearly: lag 1, |7 - 5| and |4 - 7| → 2.5.
        #expect(Backtest.naiveScale([(.fiscalYear(2018), 5), (.fiscalYear(2019), 7), (.fiscalYear(2020), 4)]) == 2.5)
        #expect(Backtest.naiveScale([(.fiscalYear(2018), 5)]).isNaN)
    }

    @Test func errorsAreTheTextbookMAPEAndMAE() {
        #expect(Backtest.mape([(100, 110), (200, 150), (0, 5)]) == 100 * (0.1 + 0.25) / 2)
        #expect(Backtest.meanAbsoluteError([(100, 110), (200, 150)]) == 30)
    }

    @Test func horizonBandsCoverEveryHorizonOnce() {
        for horizon in 1...200 {
            #expect(Backtest.horizonBands.filter { $0.months.contains(horizon) }.count == 1)
        }
    }
}

/// The analysis names the value at fault, never a command-line flag: front ends say where it came from.
@Suite struct AnalysisErrorTests {
    @Test func messagesNameValuesNotFlags() {
        #expect(throws: AnalysisError.malformedTarget("backlog < 0")) { try PlanTarget(parsing: "backlog < 0") }
        for error in [AnalysisError.malformedTarget("x"), .emptyRange(low: 9, high: 9), .tooFewMembers(3, needed: 10)] {
            #expect(!error.description.contains("--"), "\(error)")
        }
        #expect(AnalysisError.emptyRange(low: 9, high: 9).description == "the range 9.0:9.0 is empty; give LO:HI with LO < HI")
    }
}
