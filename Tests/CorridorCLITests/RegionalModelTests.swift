import Foundation
import Testing

/// The bundled regional model and scenarios, end to end through the CLI.
@Suite struct RegionalModelTests {
    static let datasets = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Datasets")

    var scenarios: [String] {
        let folder = Self.datasets.appendingPathComponent("scenarios")
        return (try? FileManager.default.contentsOfDirectory(atPath: folder.path))!.filter { $0.hasSuffix(".yaml") }.sorted()
            .map { folder.appendingPathComponent($0).path }
    }

    @Test func theModelAndEveryScenarioValidate() throws {
        let files = [Self.datasets.appendingPathComponent("models/ntca-mx-us.yaml").path] + scenarios
        #expect(scenarios.count >= 6)
        let outcome = try CLITests().corridor(["validate"] + files)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.components(separatedBy: "\n").filter { $0.contains(": valid ") }.count == files.count)
    }

    @Test func theBaselineRunsWithOneMemberAndAsAnEnsemble() throws {
        let baseline = Self.datasets.appendingPathComponent("scenarios/baseline.yaml").path
        let folder = CLITests().temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let single = try CLITests().corridor(["run", baseline, "--out", folder.appendingPathComponent("one").path])
        #expect(single.status == 0, "\(single.stderr)")
        let outputs = try CLITests().csv(folder.appendingPathComponent("one/outputs.csv"))
        // 2012-10 … 2035-09: 276 months of 18 outputs.
        #expect(outputs.count == 1 + 276 * 18)
        #expect(outputs.last?[1] == "2035-09")
        let names = Set(outputs.dropFirst().map { $0[2] })
        for required in ["encounters", "courtBacklog", "courtCompletions", "courtWaitMonths", "mppPopulation", "borderWaitlist",
                         "mexicoAsylumBacklog", "expulsions", "removals", "protectionGrants"] {
            #expect(names.contains(required), "missing output \(required)")
        }
        // The FY2012 pending count starts the court backlog.
        #expect(outputs.first { $0[2] == "courtBacklog" }?[3] == "327638")
        let ensemble = try CLITests().corridor(["run", baseline, "--members", "24", "--out", folder.appendingPathComponent("many").path])
        #expect(ensemble.status == 0, "\(ensemble.stderr)")
        let summary = try CLITests().csv(folder.appendingPathComponent("many/summary.csv"))
        let backlog2030 = try #require(summary.first { $0[1] == "2030-01" && CLITests().series($0) == "output:courtBacklog" })
        #expect(backlog2030[5] == "immigration-court cases pending (people), start of month", "the unit, comma and all: \(backlog2030)")
        #expect(Double(backlog2030[7])! > 0, "members disagree: the uncertain parameters spread the backlog")
    }

    @Test func aMissingOverlayIsAClearError() throws {
        let folder = CLITests().temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            format: corridor-scenario/1
            model: \(Self.datasets.appendingPathComponent("models/ntca-mx-us.yaml").path)
            overlays: [nothere.yaml]
            """.write(to: folder.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let outcome = try CLITests().corridor(["validate", "s.yaml"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("s.yaml:3:12: error: overlays[0]: overlay file 'nothere.yaml' not found"))
    }
}
