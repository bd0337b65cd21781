import Foundation
import Testing

/// End-to-end tests of the `corridor` executable.
@Suite struct CLITests {
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var executable: URL {
        // The test bundle sits beside the products of the same build.
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("corridor").path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("corridor")
    }

    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Datasets/examples")

    func corridor(_ arguments: [String], in folder: URL? = nil, executable: URL = Self.executable) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The rows of a CSV file, read as RFC 4180 says (quoted fields may hold commas,
    /// doubled quotes and line breaks).
    func csv(_ url: URL) throws -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, afterQuote = false
        for character in try String(contentsOf: url, encoding: .utf8) {
            if quoted {
                if character == "\"" { quoted = false; afterQuote = true } else { field.append(character) }
                continue
            }
            switch character {
            case "\"": if afterQuote { field.append("\"") }; quoted = true
            case ",": row.append(field); field = ""
            case "\n": row.append(field); rows.append(row); row = []; field = ""
            default: field.append(character)
            }
            afterQuote = false
        }
        return rows
    }

    /// `kind:name[:group]` of a tidy summary row (`step,month,kind,name,group,unit,…`).
    func series(_ row: [String]) -> String { row[2] + ":" + row[3] + (row[4].isEmpty ? "" : ":" + row[4]) }

    @Test func validateAcceptsTheExamples() throws {
        let outcome = try corridor(["validate", Self.examples.appendingPathComponent("model.yaml").path,
                                    Self.examples.appendingPathComponent("scenario.yaml").path])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("valid model 'example-corridor': 5 groups, 5 compartments, 6 parameters, 4 flows, 3 outputs"))
        #expect(outcome.stdout.contains("valid scenario 'example-more-judges'"))
    }

    @Test func validateReportsEachBadFileAndExitsOne() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "format: corridor-model/1\nstart: 2020-13\n".write(to: folder.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let outcome = try corridor(["validate", "bad.yaml", "missing.yaml"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("bad.yaml:2:8: error: start: '2020-13' is not a month"))
        #expect(outcome.stderr.contains("missing.yaml: error: no such file"))
    }

    @Test func deterministicRunWritesTheThreeFilesOfTheFormat() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("result")
        let outcome = try corridor(["run", Self.examples.appendingPathComponent("scenario.yaml").path, "--horizon", "24", "--out", out.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let stocks = try csv(out.appendingPathComponent("stocks.csv"))
        #expect(stocks[0] == ["step", "month", "group", "compartment", "value"])
        #expect(stocks.count == 1 + 25 * 5 * 5)
        #expect(stocks[1] == ["0", "2019-10", "SLV", "home", "6300000"])
        let flows = try csv(out.appendingPathComponent("flows.csv"))
        #expect(flows[0] == ["step", "month", "flow", "group", "to", "value"])
        // emigration 1 destination, encounters 2, completions 2, arrivals 1: 6 rows per group.
        #expect(flows.count == 1 + 24 * 5 * 6)
        let outputs = try csv(out.appendingPathComponent("outputs.csv"))
        #expect(outputs[0] == ["step", "month", "output", "value"])
        #expect(outputs[1] == ["0", "2019-10", "backlog", "500000"])
        #expect(outputs.last?.first == "23")
        // Numbers read back to the same double, so the file holds the engine's numbers exactly.
        for row in stocks.dropFirst() { #expect(Double(row[4]) != nil) }
    }

    @Test func ensembleRunWritesSummaryAndPerMemberFilesOnRequest() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("ensemble")
        let outcome = try corridor(["run", Self.examples.appendingPathComponent("scenario.yaml").path, "--horizon", "12",
                                    "--members", "50", "--seed", "3", "--threads", "2", "--out", out.path, "--per-member"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let summary = try csv(out.appendingPathComponent("summary.csv"))
        #expect(summary[0] == ["step", "month", "kind", "name", "group", "unit", "mean", "sd", "p05", "p25", "p50", "p75", "p95"])
        let names = Set(summary.dropFirst().map(series))
        #expect(names.contains("stock:court:SLV") && names.contains("flow:completions:SLV") && names.contains("output:backlog"))
        // Stocks at steps 0…12, flows and outputs at 0…11.
        #expect(summary.dropFirst().filter { series($0) == "stock:court:SLV" }.count == 13)
        #expect(summary.dropFirst().filter { series($0) == "output:backlog" }.count == 12)
        for row in summary.dropFirst() {
            let values = row[6...].map { Double($0)! }
            if !values.contains(where: \.isNaN) {
                #expect(values[2] <= values[3] && values[3] <= values[4] && values[4] <= values[5] && values[5] <= values[6], "\(row)")
            }
        }
        let stocks = try csv(out.appendingPathComponent("stocks.csv"))
        #expect(stocks[0] == ["member", "step", "month", "group", "compartment", "value"])
        #expect(stocks.count == 1 + 50 * 13 * 25)
    }

    @Test func outputsOnlySummariesAreTheSameRowsForLess() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = Self.examples.appendingPathComponent("scenario.yaml").path
        for scope in ["all", "outputs"] {
            let outcome = try corridor(["run", scenario, "--members", "40", "--horizon", "24", "--summaries", scope,
                                        "--out", folder.appendingPathComponent(scope).path])
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
        let all = try csv(folder.appendingPathComponent("all/summary.csv"))
        let outputs = try csv(folder.appendingPathComponent("outputs/summary.csv"))
        #expect(outputs.dropFirst().allSatisfy { $0[2] == "output" })
        #expect(outputs.count == 1 + 24 * 3)
        #expect(Array(outputs.dropFirst()) == all.dropFirst().filter { $0[2] == "output" })
        let bad = try corridor(["run", scenario, "--members", "4", "--summaries", "some"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("all") && bad.stderr.contains("outputs"))
    }

    @Test func theThreadCountDoesNotChangeTheOutput() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = Self.examples.appendingPathComponent("scenario.yaml").path
        for threads in ["1", "2"] {
            let outcome = try corridor(["run", scenario, "--members", "300", "--threads", threads, "--out", folder.appendingPathComponent(threads).path])
            #expect(outcome.status == 0)
        }
        let one = try Data(contentsOf: folder.appendingPathComponent("1/summary.csv"))
        let two = try Data(contentsOf: folder.appendingPathComponent("2/summary.csv"))
        #expect(one == two)
    }

    @Test func runWithoutOutPrintsTheOutputsTable() throws {
        let outcome = try corridor(["run", Self.examples.appendingPathComponent("scenario.yaml").path])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("month    backlog  completed  waitMonths"))
        #expect(outcome.stdout.contains("2019-10  500,000     31,200          16"))
    }

    @Test func showChoosesTheOutputsOfTheTable() throws {
        let scenario = Self.examples.appendingPathComponent("scenario.yaml").path
        let outcome = try corridor(["run", scenario, "--show", "waitMonths,backlog"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("month    waitMonths  backlog"))
        let unknown = try corridor(["run", scenario, "--show", "backlg"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("--show: the model has no output 'backlg'; its outputs are backlog, completed, waitMonths"))
    }

    @Test func setOverridesAParameter() throws {
        let model = Self.examples.appendingPathComponent("model.yaml").path
        let outcome = try corridor(["run", model, "--horizon", "2", "--set", "casesPerJudge=30"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("15,600"))
        let unknown = try corridor(["run", model, "--horizon", "2", "--set", "casesPerJugde=30"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("the model has no parameter 'casesPerJugde'. Did you mean 'casesPerJudge'?"))
    }

    @Test func aModelFileNeedsAHorizon() throws {
        let outcome = try corridor(["run", Self.examples.appendingPathComponent("model.yaml").path])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("a model file has no horizon; give --horizon N"))
    }

    @Test func badInputLeavesNoPartialOutput() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            format: corridor-model/1
            start: 2020-01
            groups: [A]
            compartments: [x, y]
            parameters:
              zero: {value: 0, schedule: [{from: 2020-05, value: 1}]}
            initial: {x: 5}
            flows:
              - {name: f, from: x, rate: 1 / zero, to: y}
            """.write(to: folder.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let outcome = try corridor(["run", "m.yaml", "--horizon", "6", "--out", "result"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("flow 'f', group A: its rate is inf at step 0 (2020-01)"))
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(left == ["m.yaml"])
    }

    @Test func rerunningReplacesTheOutputFolderWhole() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = Self.examples.appendingPathComponent("scenario.yaml").path
        #expect(try corridor(["run", scenario, "--horizon", "3", "--members", "4", "--out", "r"], in: folder).status == 0)
        #expect(try corridor(["run", scenario, "--horizon", "3", "--out", "r"], in: folder).status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("r").path).sorted()
        #expect(files == ["flows.csv", "outputs.csv", "run.json", "stocks.csv"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["r"])
    }

    @Test func runsThatCannotFitAreRefusedBeforeTheyStart() throws {
        let scenario = Self.examples.appendingPathComponent("scenario.yaml").path
        let long = try corridor(["run", scenario, "--horizon", "5000"])
        #expect(long.status == 1)
        #expect(long.stderr.contains("a horizon of 5000 months is more than a century; give at most 1200"))
        let huge = try corridor(["run", scenario, "--members", "100000000", "--per-member", "--out", "/tmp/never"])
        #expect(huge.status == 1)
        #expect(huge.stderr.contains("error: keeping every member's trajectory (100000000 members × 120 months) needs about "), "\(huge.stderr)")
        #expect(huge.stderr.contains("GB, more than the ") && huge.stderr.contains("run fewer members or a shorter horizon"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never"))
        // The same check guards every command: a comparison records every member's outputs.
        let compared = try corridor(["compare", scenario, scenario, "--members", "2000000000"])
        #expect(compared.status == 1 && compared.stderr.contains("series of every member (2000000000 members"), "\(compared.stderr)")
    }

    @Test func badArgumentsAreRejectedWithUsage() throws {
        let outcome = try corridor(["run", Self.examples.appendingPathComponent("scenario.yaml").path, "--members", "0"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("--members must be at least 1"))
    }

    @Test func helpShowsAnExample() throws {
        let outcome = try corridor(["run", "--help"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("corridor run Datasets/examples/scenario.yaml --members 1000"))
    }
}

/// Every output folder records how it was made; `--version` prints the version.
@Suite struct ProvenanceTests {
    @Test func runJsonNamesTheVersionCommandSettingsAndHashedInputs() throws {
        let folder = CLITests().temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = CLITests.examples.appendingPathComponent("scenario.yaml").path
        let outcome = try CLITests().corridor(["run", scenario, "--members", "3", "--seed", "5", "--threads", "2",
                                               "--out", folder.appendingPathComponent("r").path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let data = try Data(contentsOf: folder.appendingPathComponent("r/run.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let version = try CLITests().corridor(["--version"])
        #expect(version.status == 0 && json["corridor"] as? String == version.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect((json["command"] as? [String])?.dropFirst().first == "run")
        #expect(json["seed"] as? Int == 5 && json["members"] as? Int == 3 && json["threads"] as? Int == 2)
        let files = try #require(json["files"] as? [[String: String]])
        // The scenario, its model and the model's series file, each with its content's SHA-256.
        #expect(files.map { URL(fileURLWithPath: $0["path"]!).lastPathComponent } == ["scenario.yaml", "model.yaml", "illustrative-other-arrivals.csv"])
        #expect(files.allSatisfy { ($0["sha256"] ?? "").count == 64 })
        // sha256 of the scenario file, computed independently by the system's sha256sum.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [scenario]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        #expect(files[0]["sha256"] == String(expected))
    }
}
