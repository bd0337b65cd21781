import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `corridor serve` on a loopback port: the JSON API against the command line's own
/// answers, every kind of bad request, cancellation, the queue's cap, and a clean stop.
/// The server is the `corridor` of this build when it has `serve` (the default trait
/// Server), else the release build's (`make test` builds it first and builds the tests
/// without the trait, so SwiftNIO is compiled once).
@Suite struct ServerTests {
    let cli = CLITests()

    /// A small court model with one lever, a scenario of it and an overlay, in a folder of
    /// their own (the layout of Datasets/: scenarios/, models/, overlays/).
    func fixture() throws -> URL {
        let root = cli.temporaryFolder()
        for folder in ["scenarios", "models", "overlays"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try """
            format: corridor-model/1
            name: court
            start: 2024-01
            groups: [A, B]
            compartments: [waiting, court, done]
            parameters:
              arrivals: {value: {A: 1000, B: 500}, uncertainty: {dist: lognormal, cv: 0.3}}
              docketRate: {value: 0.5}
              judges: {value: 100}
              judgesAdded: {value: 0, schedule: [{from: 2024-06, value: 10}]}
              casesPerJudge: {value: 10, uncertainty: {dist: lognormal, cv: 0.2}}
            initial:
              court: {A: 20000, B: 10000}
            flows:
              - {name: arrival, inflow: arrivals, to: waiting}
              - {name: docketing, from: waiting, rate: docketRate, to: court}
              - {name: completion, from: court, capacity: (judges + judgesAdded) * casesPerJudge, to: done}
            outputs:
              backlog: {expression: total(court), unit: cases pending, label: Backlog}
              completions: flow(completion)
            levers:
              judgesAdded: {label: Judges added, unit: judges, min: 0, max: 200, step: 5, from: 2025-01, ramp: 6}
            """.write(to: root.appendingPathComponent("models/court.yaml"), atomically: true, encoding: .utf8)
        try """
            # The court as it is.
            format: corridor-scenario/1
            name: court-baseline
            model: ../models/court.yaml
            horizon: 48
            seed: 7
            """.write(to: root.appendingPathComponent("scenarios/court.yaml"), atomically: true, encoding: .utf8)
        try """
            format: corridor-overlay/1
            # More arrivals from group A.
            set:
              arrivals: {value: {A: 1500, B: 500}}
            """.write(to: root.appendingPathComponent("overlays/more-arrivals.yaml"), atomically: true, encoding: .utf8)
        return root
    }

    @Test func listsScenariosWithTheirLeversOutputsAndOverlays() throws {
        let root = try fixture()
        let server = try Server(arguments: ["--scenarios", root.appendingPathComponent("scenarios").path])
        defer { server.stop() }
        let list = try server.json("GET", "/api/scenarios")
        #expect(list["corridor"] as? String != nil)
        let scenarios = try #require(list["scenarios"] as? [[String: Any]])
        #expect(scenarios.map { $0["name"] as? String } == ["court"])
        let levers = try #require(scenarios[0]["levers"] as? [[String: Any]])
        #expect(levers.count == 1)
        #expect(levers[0]["parameter"] as? String == "judgesAdded")
        #expect(levers[0]["value"] as? Double == 10)  // its value in 2025-01, from the schedule
        #expect(levers[0]["min"] as? Double == 0 && levers[0]["max"] as? Double == 200 && levers[0]["ramp"] as? Int == 6)
        #expect((list["overlays"] as? [[String: Any]])?.map { $0["name"] as? String } == ["more-arrivals"])
        #expect((scenarios[0]["notes"] as? [String]) == ["The court as it is."])
    }

    /// The page's numbers are `corridor run`'s: the summaries equal `summary.csv` of the
    /// same scenario, lever entry, members and seed, and run.csv is that file byte for byte.
    @Test func aRunEqualsTheCommandLineWithTheSameSettings() throws {
        let root = try fixture()
        let server = try Server(arguments: ["--scenarios", root.appendingPathComponent("scenarios").path])
        defer { server.stop() }
        let body = #"{"scenario": "court", "levers": {"judgesAdded": 50}, "members": 300, "seed": 11, "outputs": ["backlog"], "at": ["2026-06"]}"#
        let result = try server.json("POST", "/api/run", body)
        let set = try #require(result["set"] as? [String: String])
        #expect(set["judgesAdded"] == "{schedule: [{from: 2024-06, value: 10}, {from: 2025-01, value: 50, ramp: 6}]}")
        let out = cli.temporaryFolder().appendingPathComponent("run")
        let run = try cli.corridor(["run", root.appendingPathComponent("scenarios/court.yaml").path, "--members", "300", "--seed", "11",
                                    "--summaries", "outputs", "--set", "judgesAdded=\(set["judgesAdded"]!)", "--out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try cli.csv(out.appendingPathComponent("summary.csv")).filter { $0.count > 3 && $0[3] == "backlog" }
        // Numbers read with JSONDecoder: JSONSerialization on Linux rounds the last digit.
        struct Body: Decodable {
            struct Output: Decodable {
                struct Key: Decodable { let month: String; let p50: Double }
                let mean: [Double]
                let quantiles: [String: [Double]]
                let at: [Key]
            }
            let outputs: [Output]
        }
        let output = try #require(try JSONDecoder().decode(Body.self, from: Data(server.request("POST", "/api/run", body).text.utf8)).outputs.first)
        let quantiles = output.quantiles, mean = output.mean
        #expect(rows.count == 48 && mean.count == 48)
        for row in rows {
            let step = Int(row[0])!
            #expect(Double(row[6]) == mean[step])
            for (column, level) in zip(8...12, ["p05", "p25", "p50", "p75", "p95"]) {
                #expect(Double(row[column]) == quantiles[level]![step], "step \(step) \(level)")
            }
        }
        let key = try #require(output.at.first)
        #expect(key.month == "2026-06" && key.p50 == quantiles["p50"]![29])
        let csv = try server.request("POST", "/api/run.csv", body)
        #expect(csv.status == 200 && csv.headers["Content-Disposition"]?.contains("summary.csv") == true)
        #expect(csv.text == (try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)))
    }

    /// The difference from the unchanged scenario is paired member by member: none when no
    /// lever moves; more judges give a smaller backlog in every member once they sit.
    @Test func differencesArePairedWithTheUnchangedScenario() throws {
        let root = try fixture()
        let server = try Server(arguments: ["--scenarios", root.appendingPathComponent("scenarios").path])
        defer { server.stop() }
        func difference(_ levers: String) throws -> [String: [Double]] {
            let result = try server.json("POST", "/api/run", #"{"scenario": "court", "levers": \#(levers), "members": 200, "outputs": ["backlog"]}"#)
            return try #require(((result["outputs"] as? [[String: Any]])?.first?["difference"]) as? [String: [Double]])
        }
        let none = try difference("{}")
        #expect(none["p05"]!.allSatisfy { $0 == 0 } && none["p95"]!.allSatisfy { $0 == 0 })
        let more = try difference(#"{"judgesAdded": 100}"#)
        #expect(more["p95"]![0..<12].allSatisfy { $0 == 0 })  // before the lever's month, 2025-01
        #expect(more["p95"]![20..<48].allSatisfy { $0 < 0 })
        // A comparison of the two on the same members gives the same difference.
        let compared = try server.json("POST", "/api/compare", #"{"configurations": [{"scenario": "court"}, {"scenario": "court", "levers": {"judgesAdded": 100}}], "members": 200, "outputs": ["backlog"]}"#)
        let output = try #require((compared["outputs"] as? [[String: Any]])?.first)
        let differences = try #require(output["differences"] as? [[String: [Double]]])
        #expect(differences[1]["p50"]! == more["p50"]! && differences[1]["p05"]! == more["p05"]!)
        #expect(compared["configurations"] as? [String] == ["court", "court (2)"])
    }

    /// The scenario file the page offers reproduces the run with `corridor run`.
    @Test func theScenarioFileReproducesTheRun() throws {
        let root = try fixture()
        let scenarios = root.appendingPathComponent("scenarios")
        let server = try Server(arguments: ["--scenarios", scenarios.path])
        defer { server.stop() }
        let settings = #""scenario": "court", "overlay": "more-arrivals", "levers": {"judgesAdded": 120, "unused": null}, "members": 150, "seed": 3"#
        #expect(try server.request("POST", "/api/scenario.yaml", "{\(settings), \"name\": \"judges 120\"}").status == 400)  // null is not a number
        let clean = #""scenario": "court", "overlay": "more-arrivals", "levers": {"judgesAdded": 120}, "members": 150, "seed": 3"#
        let file = try server.request("POST", "/api/scenario.yaml", "{\(clean), \"name\": \"judges 120\"}")
        #expect(file.status == 200 && file.headers["Content-Disposition"]?.contains("judges-120.yaml") == true, "\(file.text)")
        #expect(file.text.contains("../overlays/more-arrivals.yaml"))
        try file.text.write(to: scenarios.appendingPathComponent("judges-120.yaml"), atomically: true, encoding: .utf8)
        let out = cli.temporaryFolder().appendingPathComponent("run")
        let run = try cli.corridor(["run", scenarios.appendingPathComponent("judges-120.yaml").path, "--summaries", "outputs", "--out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        let csv = try server.request("POST", "/api/run.csv", "{\(clean), \"outputs\": [\"backlog\"]}")
        #expect(csv.text == (try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)))
    }

    /// A plan answers as `corridor plan` does with the lever's range, month and ramp.
    @Test func aPlanEqualsTheCommandLine() throws {
        let root = try fixture()
        let server = try Server(arguments: ["--scenarios", root.appendingPathComponent("scenarios").path])
        defer { server.stop() }
        let plan = try server.json("POST", "/api/plan", #"{"scenario": "court", "lever": "judgesAdded", "target": "backlog <= 20000 by 2026-12", "confidence": 0.8, "members": 100}"#)
        let answer = try #require(plan["answer"] as? Double)
        let run = try cli.corridor(["plan", root.appendingPathComponent("scenarios/court.yaml").path, "--vary", "judgesAdded",
                                    "--target", "backlog <= 20000 by 2026-12", "--confidence", "0.8", "--members", "100",
                                    "--range", "0:200", "--from", "2025-01", "--ramp", "6", "--seeds", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("answer: judgesAdded = \(Int(answer)) is the least value"), "\(run.stdout) vs \(answer)")
        let csv = try server.request("POST", "/api/plan.csv", #"{"scenario": "court", "lever": "judgesAdded", "target": "backlog <= 20000 by 2026-12", "confidence": 0.8, "members": 100}"#)
        #expect(csv.status == 200 && csv.text.hasPrefix("value,probability\n"))
    }

    /// Every kind of bad request gets a 4xx with Corridor's message, and the server keeps serving.
    @Test func badRequestsGetClearErrorsAndTheServerKeepsServing() throws {
        let root = try fixture()
        let server = try Server(arguments: ["--scenarios", root.appendingPathComponent("scenarios").path, "--max-members", "1000"])
        defer { server.stop() }
        let cases: [(String, String, String?, Int, String)] = [
            ("POST", "/api/run", "{\"scenario\": ", 400, "not valid JSON"),
            ("POST", "/api/run", "[1, 2]", 400, "request body"),
            ("POST", "/api/run", #"{"scenario": "court", "memberz": 10}"#, 400, "`memberz`: unknown key; the keys here are"),
            ("POST", "/api/run", #"{"scenario": "court", "members": "many"}"#, 400, "`members` should be a number"),
            ("POST", "/api/run", #"{"levers": {}}"#, 400, "`scenario` is missing"),
            ("POST", "/api/run", #"{"scenario": "court", "levers": {"judgesAdde": 5}}"#, 400, "no lever 'judgesAdde'. Did you mean 'judgesAdded'?"),
            ("POST", "/api/run", #"{"scenario": "court", "levers": {"judgesAdded": 500}}"#, 400, "500 lies outside its range 0…200 (judges)"),
            ("POST", "/api/run", #"{"scenario": "court", "levers": {"judgesAdded": {"value": 5, "from": "2031-01"}}}"#, 400, "lies outside the months this scenario runs"),
            ("POST", "/api/run", #"{"scenario": "court", "levers": {"judgesAdded": {"value": 5, "ramp": 0}}}"#, 400, "a ramp of 0 months; give at least 1"),
            ("POST", "/api/run", #"{"scenario": "court", "members": 5000}"#, 400, "members: 5000 is outside 1…1000, this server's cap (corridor serve --max-members)"),
            ("POST", "/api/run", #"{"scenario": "court", "horizon": 5000}"#, 400, "horizon: 5000 months is outside"),
            ("POST", "/api/run", #"{"scenario": "court", "outputs": ["backlogg"]}"#, 400, "no output 'backlogg'"),
            ("POST", "/api/run", #"{"scenario": "court", "at": ["2099-01"]}"#, 400, "2099-01 lies outside the months this scenario runs"),
            ("POST", "/api/run", #"{"scenario": "court", "at": ["soon"]}"#, 400, "'soon' is not a month"),
            ("POST", "/api/run", #"{"scenario": "../models/court"}"#, 400, "no scenario '../models/court'"),
            ("POST", "/api/run", #"{"scenario": "/etc/passwd"}"#, 400, "no scenario '/etc/passwd'"),
            ("POST", "/api/run", #"{"scenario": "court", "overlay": "../../etc/passwd"}"#, 400, "no overlay '../../etc/passwd'"),
            ("POST", "/api/plan", #"{"scenario": "court", "lever": "judgesAdded", "target": "backlog < 3 by 2026-01"}"#, 400, "target:"),
            ("POST", "/api/plan", #"{"scenario": "court", "lever": "judges", "target": "backlog <= 3 by 2026-01"}"#, 400, "no lever 'judges'"),
            ("POST", "/api/plan", #"{"scenario": "court", "lever": "judgesAdded", "target": "backlog <= 3 by 2026-01", "candidates": 500}"#, 400, "candidates: 500 is outside 2…41"),
            ("POST", "/api/compare", #"{"configurations": []}"#, 400, "configurations: give 1 to 6"),
            ("POST", "/api/run", String(repeating: " ", count: 70_000) + "{}", 413, "over 65536 bytes"),
            ("GET", "/api/nothing", nil, 404, "nothing at GET /api/nothing"),
            ("GET", "/api/run", nil, 404, "nothing at GET /api/run"),
        ]
        for (method, path, body, status, message) in cases {
            let response = try server.request(method, path, body)
            #expect(response.status == status, "\(method) \(path) \(body?.prefix(80) ?? ""): \(response.status) \(response.text)")
            let error = try? JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any]
            let text = (error?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(text.contains(message), "\(method) \(path) \(body?.prefix(80) ?? ""): \(text)")
        }
        #expect(try server.request("GET", "/api/scenarios").status == 200)
        let page = try server.request("GET", "/")
        #expect(page.status == 200 && page.text.contains("planning page") && page.headers["Content-Security-Policy"]?.contains("default-src 'self'") == true)
        #expect(try server.request("GET", "/page.js").status == 200)
    }

    /// A run whose member-by-member outputs would not fit in memory is refused before it starts.
    /// A slow run is cancelled by its id and stops within moments; with one run at a time and
    /// none waiting, a request beside it is refused with 429; SIGTERM stops the server cleanly.
    /// The slow run is the court model widened to 40 groups, 20,000 members × 1,200 months on
    /// one thread: about 16 s here, far longer than the second between its start and the
    /// cancellation, and under 1 s per tile, so the cancelled answer comes within 5 s.
    @Test func slowRunsCanBeCancelledAndTheQueueIsCapped() throws {
        let root = try fixture()
        let groups = (1...40).map { "G\($0)" }.joined(separator: ", ")
        try """
            format: corridor-model/1
            name: wide-court
            start: 2024-01
            groups: [\(groups)]
            compartments: [waiting, court, done]
            parameters:
              arrivals: {value: 100, uncertainty: {dist: lognormal, cv: 0.3}}
              docketRate: {value: 0.5, uncertainty: {dist: lognormal, cv: 0.1}}
              judges: {value: 100}
              casesPerJudge: {value: 10, uncertainty: {dist: lognormal, cv: 0.2}}
            initial:
              court: 500
            flows:
              - {name: arrival, inflow: arrivals, to: waiting}
              - {name: docketing, from: waiting, rate: docketRate, to: court}
              - {name: completion, from: court, capacity: judges * casesPerJudge, to: done}
            outputs:
              backlog: total(court)
            """.write(to: root.appendingPathComponent("models/wide-court.yaml"), atomically: true, encoding: .utf8)
        try """
            format: corridor-scenario/1
            model: ../models/wide-court.yaml
            horizon: 1200
            """.write(to: root.appendingPathComponent("scenarios/long.yaml"), atomically: true, encoding: .utf8)
        let server = try Server(arguments: ["--scenarios", root.appendingPathComponent("scenarios").path, "--max-horizon", "1200",
                                            "--max-members", "200000", "--max-concurrent-runs", "1", "--max-waiting-runs", "0", "--threads", "1"])
        let huge = try server.request("POST", "/api/run", #"{"scenario": "long", "members": 200000, "outputs": ["backlog"]}"#)
        #expect(huge.status == 400 && huge.text.contains("200000 members × 1200 months × 1 outputs × 2 ensembles need 3.6 GiB for the member-by-member differences, over this server's 2 GiB"), "\(huge.text)")
        let slow = #"{"scenario": "long", "members": 20000, "outputs": ["backlog"], "id": "slow-one"}"#
        let first = server.requestInBackground("POST", "/api/run", slow)
        Thread.sleep(forTimeInterval: 1)
        let refused = try server.request("POST", "/api/run", #"{"scenario": "court", "members": 10}"#)
        #expect(refused.status == 429 && refused.text.contains("the server is busy"), "\(refused.text)")
        let cancelledAt = Date()
        let cancel = try server.json("POST", "/api/cancel", #"{"id": "slow-one"}"#)
        #expect(cancel["cancelled"] as? Bool == true)
        let cancelled = try first.wait()
        #expect(cancelled.status == 409 && cancelled.text.contains("the run was cancelled"), "\(cancelled.text)")
        #expect(Date().timeIntervalSince(cancelledAt) < 5)
        #expect(try server.json("POST", "/api/cancel", #"{"id": "slow-one"}"#)["cancelled"] as? Bool == false)
        #expect(try server.request("POST", "/api/run", #"{"scenario": "court", "members": 10}"#).status == 200)
        let (status, output) = server.stop()
        #expect(status == 0 && output.contains("corridor serve: stopped"), "\(status) \(output)")
    }

    @Test func aFolderThatDoesNotExistOrAPortInUseIsAClearError() throws {
        let missing = try cli.corridor(["serve", "--scenarios", "/nonexistent/scenarios", "--port", "0"], executable: Server.executable)
        #expect(missing.status == 1 && missing.stderr.contains("/nonexistent/scenarios: error: no such folder (--scenarios)"), "\(missing.stderr)")
        let root = try fixture()
        let server = try Server(arguments: ["--scenarios", root.appendingPathComponent("scenarios").path])
        defer { server.stop() }
        let taken = try cli.corridor(["serve", "--scenarios", root.appendingPathComponent("scenarios").path, "--port", "\(server.port)"], executable: Server.executable)
        #expect(taken.status == 1 && taken.stderr.contains("the address is in use"), "\(taken.stderr)")
    }
}

/// `corridor serve --port 0` started as a process, and a client for it.
final class Server: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let output = Pipe()
    private var stopped: (Int32, String)?

    /// A `corridor` that has `serve`: this build's, else the release build's.
    static let executable: URL = {
        let release = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/release/corridor")
        for candidate in [CLITests.executable, release] where FileManager.default.isExecutableFile(atPath: candidate.path) {
            if let help = try? CLITests().corridor(["--help"], executable: candidate), help.stdout.contains("\n  serve ") {
                return candidate
            }
        }
        return release  // the tests then fail saying it does not start: build it (make test does)
    }()

    init(arguments: [String]) throws {
        process.executableURL = Self.executable
        process.arguments = ["serve", "--port", "0"] + arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // The first line says where it listens.
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: #"http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) else {
            process.terminate()
            throw ServerError(description: "\(Self.executable.path) serve did not start (build it: swift build -c release --product corridor; make test does): \(text)")
        }
        port = Int(text[range].split(separator: ":").last!.dropLast())!
    }

    struct ServerError: Error, CustomStringConvertible { let description: String }

    struct Response {
        var status: Int
        var headers: [String: String]
        var text: String
    }

    /// Sends SIGTERM and waits: the exit status and everything the server printed.
    @discardableResult
    func stop() -> (Int32, String) {
        if let stopped { return stopped }
        process.terminate()
        process.waitUntilExit()
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        stopped = (process.terminationStatus, String(decoding: rest, as: UTF8.self))
        return stopped!
    }

    final class Pending: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var result: Result<Response, any Error> = .failure(ServerError(description: "no answer"))
        func wait() throws -> Response {
            done.wait()
            return try result.get()
        }
    }

    func requestInBackground(_ method: String, _ path: String, _ body: String? = nil) -> Pending {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        request.timeoutInterval = 300
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let pending = Pending()
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                pending.result = .failure(error)
            } else if let response = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (key, value) in response.allHeaderFields { headers["\(key)"] = "\(value)" }
                pending.result = .success(Response(status: response.statusCode, headers: headers, text: String(decoding: data ?? Data(), as: UTF8.self)))
            }
            pending.done.signal()
        }.resume()
        return pending
    }

    func request(_ method: String, _ path: String, _ body: String? = nil) throws -> Response {
        try requestInBackground(method, path, body).wait()
    }

    /// A request that must succeed, its JSON body.
    func json(_ method: String, _ path: String, _ body: String? = nil) throws -> [String: Any] {
        let response = try request(method, path, body)
        guard response.status == 200, let object = try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any] else {
            throw ServerError(description: "\(method) \(path): \(response.status) \(response.text)")
        }
        return object
    }
}
