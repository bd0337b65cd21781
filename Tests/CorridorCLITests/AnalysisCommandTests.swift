import Foundation
import Testing

/// compare, plan and sensitivity on a small model whose answers can be worked by hand.
@Suite struct AnalysisCommandTests {
    /// A court with 1,000 cases, 100 arrivals a month and `judges * 10` completions a month.
    static let model = """
        format: corridor-model/1
        name: court
        start: 2024-01
        groups: [AAA]
        compartments: [court, done]
        parameters:
          judges: {value: 5}
          arrivals: {value: 100, uncertainty: {dist: lognormal, cv: 0.2}}
          noise: {value: 1, uncertainty: {dist: uniform, low: 0.99, high: 1.01}}
        initial: {court: 1000}
        flows:
          - {name: come, inflow: arrivals, to: court}
          - {name: decide, from: court, capacity: judges * 10 * noise, to: done}
        outputs:
          backlog: total(court)
        """

    func files() throws -> URL {
        let folder = CLITests().temporaryFolder()
        try Self.model.write(to: folder.appendingPathComponent("model.yaml"), atomically: true, encoding: .utf8)
        for (name, judges) in [("base", 5), ("more", 15)] {
            try """
                format: corridor-scenario/1
                name: \(name)
                model: model.yaml
                horizon: 24
                members: 50
                seed: 3
                set:
                  judges: {value: \(judges)}
                """.write(to: folder.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test func compareReportsPairedDifferences() throws {
        let folder = try files()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try CLITests().corridor(["compare", "base.yaml", "more.yaml", "--at", "2024-11", "--out", "cmp"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("more − base"))
        let rows = try CLITests().csv(folder.appendingPathComponent("cmp/comparison.csv"))
        #expect(rows[0] == ["step", "month", "scenario", "output", "mean", "p05", "p50", "p95", "diff_mean", "diff_p05", "diff_p50", "diff_p95"])
        // At step 10, 100 more completions a month for 10 months: 1,000 fewer cases, in every
        // member up to the uniform ±1 % on capacity (common draws cancel the arrivals).
        let row = try #require(rows.first { $0[0] == "10" && $0[2] == "more" })
        #expect(abs(Double(row[8])! + 1000) < 15)
        #expect(Double(row[9])! >= -1015 && Double(row[11])! <= -985)
    }

    @Test func planFindsTheLeastLeverAndSaysWhenTheTargetIsOutOfReach() throws {
        let folder = try files()
        defer { try? FileManager.default.removeItem(at: folder) }
        // With arrivals A = 100·a and capacity C = 10·J, the court at the start of step 12
        // (2025-01) is max(0, 1000 + 11·A − 12·C) + A, so backlog ≤ 200 needs
        // J ≥ 6.67 + 10·a: 16.7 at the median draw, ≈ 19.6 for 90 % of members
        // (a's 90th percentile is exp(1.2816·√ln 1.04) ≈ 1.289).
        let outcome = try CLITests().corridor(["plan", "base.yaml", "--vary", "judges", "--target", "backlog <= 200 by 2025-01",
                                               "--range", "0:40", "--from", "2024-01", "--confidence", "0.9", "--members", "200",
                                               "--out", "plan"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let answer = try #require(outcome.stdout.split(separator: "\n").first { $0.hasPrefix("answer: judges = ") })
        let value = Double(answer.dropFirst("answer: judges = ".count).prefix { $0 != " " })!
        // 0:40 spans more units than the 21 candidates: whole numbers (a headcount).
        #expect(value == 20, "\(answer)")
        #expect(outcome.stdout.contains("between seeds: "), "\(outcome.stdout)")
        let seeds = try CLITests().csv(folder.appendingPathComponent("plan/plan-seeds.csv"))
        #expect(seeds.map { $0[0] } == ["seed", "3", "4", "5", "6", "7"])
        #expect(seeds.dropFirst().allSatisfy { Double($0[1]).map { $0 == $0.rounded() } ?? false })
        let curve = try CLITests().csv(folder.appendingPathComponent("plan/plan.csv"))
        #expect(curve[0] == ["value", "probability"])
        let probabilities = curve.dropFirst().map { Double($0[1])! }
        #expect(zip(probabilities, probabilities.dropFirst()).allSatisfy { $0 <= $1 }, "probability rises with the lever")

        let impossible = try CLITests().corridor(["plan", "base.yaml", "--vary", "judges", "--target", "backlog <= 0 by 2024-03",
                                                  "--range", "0:20", "--from", "2024-01"], in: folder)
        #expect(impossible.status == 0)
        #expect(impossible.stdout.contains("the target cannot be met within the range"))
    }

    @Test func badPlanArgumentsAreClearErrors() throws {
        let folder = try files()
        defer { try? FileManager.default.removeItem(at: folder) }
        let unknownOutput = try CLITests().corridor(["plan", "base.yaml", "--vary", "judges", "--target", "backlg <= 0 by 2025-01", "--range", "0:9"], in: folder)
        #expect(unknownOutput.status == 1)
        #expect(unknownOutput.stderr.contains("the model has no output 'backlg'; its outputs are backlog"))
        let unknownParameter = try CLITests().corridor(["plan", "base.yaml", "--vary", "judgs", "--target", "backlog <= 0 by 2025-01", "--range", "0:9"], in: folder)
        #expect(unknownParameter.status == 1)
        #expect(unknownParameter.stderr.contains("the model has no parameter 'judgs' to vary"))
        let emptyRange = try CLITests().corridor(["plan", "base.yaml", "--vary", "judges", "--target", "backlog <= 0 by 2025-01", "--range", "9:9"], in: folder)
        // Typed arguments: refused by the parser, with usage (status 64), before anything runs.
        #expect(emptyRange.status == 64)
        #expect(emptyRange.stderr.contains("The value '9:9' is invalid for '--range <range>': 9:9 is empty: LO must be below HI"))
        let badTarget = try CLITests().corridor(["plan", "base.yaml", "--vary", "judges", "--target", "backlog < 0", "--range", "0:9"], in: folder)
        #expect(badTarget.status == 64)
        #expect(badTarget.stderr.contains("expected \"OUTPUT <= VALUE by YYYY-MM\""))
        // Months are typed in every command: the same check and message everywhere.
        for arguments in [["plan", "base.yaml", "--vary", "judges", "--target", "backlog <= 0 by 2025-01", "--from", "2026-13"],
                          ["sensitivity", "base.yaml", "--output", "backlog", "--at", "2026-13"],
                          ["compare", "base.yaml", "more.yaml", "--at", "2026-13"]] {
            let outcome = try CLITests().corridor(arguments, in: folder)
            #expect(outcome.status == 64 && outcome.stderr.contains("The value '2026-13' is invalid for"), "\(arguments[0]): \(outcome.stderr)")
        }
        let threads = try CLITests().corridor(["compare", "base.yaml", "more.yaml", "--threads", "0"], in: folder)
        #expect(threads.status == 64 && threads.stderr.contains("--threads must be at least 1"))
    }

    /// A month past the scenario's horizon (24 months from 2024-01: to 2025-12) is refused
    /// by every command the same way, before anything runs; --horizon reaches further.
    @Test func monthsOutsideTheHorizonAreRefusedByEveryCommand() throws {
        let folder = try files()
        defer { try? FileManager.default.removeItem(at: folder) }
        for arguments in [["plan", "base.yaml", "--vary", "judges", "--target", "backlog <= 0 by 2030-09", "--range", "0:9", "--seeds", "1"],
                          ["plan", "base.yaml", "--vary", "judges", "--target", "backlog <= 0 by 2025-01", "--from", "2023-06", "--range", "0:9"],
                          ["sensitivity", "base.yaml", "--output", "backlog", "--at", "2099-01"],
                          ["compare", "base.yaml", "more.yaml", "--at", "2026-01"],
                          ["report", "base.yaml", "--at", "2026-01", "--out", "r.html"]] {
            let outcome = try CLITests().corridor(arguments, in: folder)
            #expect(outcome.status == 1, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains("lies outside the months this scenario runs, 2024-01…2025-12 (a horizon of 24 months)"), "\(arguments): \(outcome.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("r.html").path))
        }
        let further = try CLITests().corridor(["sensitivity", "base.yaml", "--output", "backlog", "--at", "2026-06", "--horizon", "30", "--members", "50"], in: folder)
        #expect(further.status == 0, "\(further.stderr)")
    }

    @Test func sensitivityRanksTheDrawThatMatters() throws {
        let folder = try files()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try CLITests().corridor(["sensitivity", "base.yaml", "--output", "backlog", "--at", "2024-12", "--members", "400"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n")
        // arrivals (cv 20 %) moves the backlog far more than noise (±1 % of capacity).
        #expect(lines[3].hasPrefix("arrivals"), "\(outcome.stdout)")
        #expect(lines[4].hasPrefix("noise"))
        let unknown = try CLITests().corridor(["sensitivity", "base.yaml", "--output", "nope", "--at", "2024-12"], in: folder)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("the model has no output 'nope'"))
    }
}

/// `calibrate` writes a new overlay unless told where, and warns about values at a bound.
@Suite struct CalibrateCommandTests {
    @Test func calibrateWritesANewFileAndWarnsAboutAValueAtItsBound() throws {
        let folder = try AnalysisCommandTests().files()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 80 completions a month are observed; 5 judges × 10 can reach at most 70 with judges ≤ 7.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("observed"), withIntermediateDirectories: true)
        try (["series,group,period,value,unit,source"] + (1...6).map { "completed,ALL,2024-0\($0),80,cases,made up" })
            .joined(separator: "\n").write(to: folder.appendingPathComponent("observed/c.csv"), atomically: true, encoding: .utf8)
        try """
            format: corridor-calibration/1
            scenario: model.yaml
            observed: observed
            window: {from: 2024-01, to: 2024-06}
            output: fitted.yaml
            parameters:
              - {name: judges, min: 1, max: 7}
            targets:
              - {model: "flow:decide:AAA", observed: completed}
            """.write(to: folder.appendingPathComponent("fit.yaml"), atomically: true, encoding: .utf8)
        let outcome = try CLITests().corridor(["calibrate", "fit.yaml"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("fitted.new.yaml").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("fitted.yaml").path))
        #expect(outcome.stdout.contains("warning: 1 fitted value ended at a bound"))
        #expect(outcome.stdout.split(separator: "\n").contains { $0.hasPrefix("judges ") && $0.hasSuffix(" 7  upper 7") }, "\(outcome.stdout)")
        let comparison = try CLITests().csv(folder.appendingPathComponent("fitted.new-comparison.csv"))
        #expect(comparison[0] == ["target", "period", "observed", "model", "note"])
        #expect(comparison.count == 1 + 6 + 1)
        #expect(comparison.last!.joined(separator: ",").contains("warning: at its upper bound 7"))

        let chosen = try CLITests().corridor(["calibrate", "fit.yaml", "--out", "mine.yaml"], in: folder)
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("mine.yaml").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("mine-comparison.csv").path))
    }
}
