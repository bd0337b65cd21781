#if Server
import ArgumentParser
import CorridorEngine
import CorridorModel
import CorridorPlanning
import CorridorServer
import Foundation

/// `corridor serve`: the planning page and its JSON API on a local web server.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the planning page: move a lever, see the ensemble's answer in about a second.",
        discussion: """
            Serves one page and a small JSON API (Docs/api.md) that list the scenarios of --scenarios with the levers their model declares, and run, compare and plan them. It listens on loopback (127.0.0.1) unless --host says otherwise. SIGINT (Ctrl-C) or SIGTERM stop it cleanly: runs under way are cancelled.

            Example:
              corridor serve --port 8080
              then open http://127.0.0.1:8080/
            """
    )

    @Option(help: "Address to listen on: 127.0.0.1 (this machine only), or 0.0.0.0 to serve other machines.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port = 8080

    @Option(help: "Folder of the scenario files the page offers; no other file can be named by a request.")
    var scenarios = "Datasets/scenarios"

    @Option(help: "Folder of overlay files the page offers (arrival scenarios). Default: the folder `overlays` beside --scenarios, when there is one.")
    var overlays: String?

    @Option(help: "Observed-data folder drawn over the outputs. Default: the folder `observed` beside --scenarios, when there is one.")
    var observed: String?

    @Option(help: "Worker threads of each run. Default: the number of cores.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Most members one ensemble may have.")
    var maxMembers = ServerLimits().members

    @Option(help: "Most months one run may span.")
    var maxHorizon = ServerLimits().horizon

    @Option(help: "Most candidates per batch of a plan.")
    var maxCandidates = ServerLimits().candidates

    @Option(help: "Most configurations in one comparison.")
    var maxConfigurations = ServerLimits().configurations

    @Option(help: "Runs computing at once; later ones wait their turn.")
    var maxConcurrentRuns = ServerLimits().concurrentRuns

    @Option(help: "Runs waiting for a turn; more are refused with 429 until one finishes.")
    var maxWaitingRuns = ServerLimits().waitingRuns

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535, got \(port)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        for (value, name) in [(maxMembers, "--max-members"), (maxHorizon, "--max-horizon"), (maxConfigurations, "--max-configurations"),
                              (maxConcurrentRuns, "--max-concurrent-runs")] where value < 1 {
            throw ValidationError("\(name) must be at least 1, got \(value)")
        }
        guard maxCandidates >= 2 else { throw ValidationError("--max-candidates must be at least 2, got \(maxCandidates)") }
        guard maxWaitingRuns >= 0 else { throw ValidationError("--max-waiting-runs must be at least 0, got \(maxWaitingRuns)") }
    }

    /// `NAME` beside the scenarios folder, when it exists.
    private func besideScenarios(_ name: String) -> String? {
        let path = URL(fileURLWithPath: scenarios).standardizedFileURL.deletingLastPathComponent().appendingPathComponent(name).path
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue ? displayPath(URL(fileURLWithPath: path)) : nil
    }

    func run() throws {
        try reportingErrors {
            var settings = ServerSettings(scenarios: scenarios, overlays: overlays ?? besideScenarios("overlays"),
                                          observed: observed ?? besideScenarios("observed"), threads: threads)
            settings.host = host
            settings.port = port
            settings.limits.members = maxMembers
            settings.limits.horizon = maxHorizon
            settings.limits.candidates = maxCandidates
            settings.limits.configurations = maxConfigurations
            settings.limits.concurrentRuns = maxConcurrentRuns
            settings.limits.waitingRuns = maxWaitingRuns
            let server = try PlanningServer(settings: settings)
            // The server stops itself on SIGINT and SIGTERM, cleanly, instead of exiting at once.
            Interruption.uninstall()
            let failure = Locked<(any Error)?>(nil)
            let finished = DispatchSemaphore(value: 0)
            let host = host, scenarios = scenarios, overlays = settings.overlays
            Task {
                do {
                    try await server.run { _, port in
                        let reach = host == "127.0.0.1" || host == "localhost" || host == "::1"
                            ? "listening on loopback only; --host 0.0.0.0 serves other machines"
                            : "listening on \(host): other machines can reach it"
                        // Written at once (not buffered): scripts wait for this line to know the port.
                        FileHandle.standardOutput.write(Data("""
                            corridor serve: the planning page is at http://\(host.contains(":") ? "[\(host)]" : host):\(port)/ (\(reach))
                            scenarios from \(scenarios)\(overlays.map { ", overlays from \($0)" } ?? ""); Ctrl-C stops the server

                            """.utf8))
                    }
                } catch {
                    failure.withLock { $0 = error }
                }
                finished.signal()
            }
            finished.wait()
            if let error = failure.withLock({ $0 }) {
                let text = "\(error)"
                if text.contains("Address already in use") {
                    throw CLIError("cannot listen on \(host):\(port): the address is in use (another server?); choose another --port")
                }
                throw CLIError("the server stopped: \(text)")
            }
            print("corridor serve: stopped")
        }
    }
}
#endif
