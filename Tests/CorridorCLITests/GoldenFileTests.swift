import Foundation
import Testing

/// Deterministic result files stay byte-identical to golden copies (Tests/Golden/README.md).
@Suite struct GoldenFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(arguments: [("Datasets/examples/scenario.yaml", "example-h12", ["stocks.csv", "flows.csv", "outputs.csv"]),
                      ("Datasets/scenarios/baseline.yaml", "baseline-h24", ["outputs.csv"])])
    func resultFilesMatchTheGoldenCopies(scenario: String, golden: String, files: [String]) throws {
        let folder = CLITests().temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let horizon = golden.hasSuffix("h12") ? "12" : "24"
        let outcome = try CLITests().corridor(["run", Self.root.appendingPathComponent(scenario).path, "--horizon", horizon,
                                               "--out", folder.appendingPathComponent("r").path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        for file in files {
            let made = try Data(contentsOf: folder.appendingPathComponent("r/\(file)"))
            let expected = try Data(contentsOf: Self.root.appendingPathComponent("Tests/Golden/\(golden)/\(file)"))
            #expect(made == expected, "\(golden)/\(file) differs from its golden copy")
        }
    }
}
