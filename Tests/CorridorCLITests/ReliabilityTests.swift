import Foundation
import Testing

/// Interrupted and failed runs leave nothing behind; output paths are checked before any
/// work (Docs/reliability.md).
@Suite(.serialized) struct ReliabilityTests {
    static let baseline = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Datasets/scenarios/baseline.yaml").path

    /// Runs corridor in `folder`, sends `signal` once it has run for `delay` seconds, and
    /// returns its status and stderr.
    func interrupted(_ arguments: [String], in folder: URL, signal: Int32, after delay: Double) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = CLITests.executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        #expect(process.isRunning, "\(arguments[0]) ended before it could be interrupted")
        kill(process.processIdentifier, signal)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stderr)
    }

    /// Every entry of `folder`, hidden ones too.
    func contents(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test func anInterruptedRunReportNotebookOrCalibrationLeavesNothingBehind() throws {
        let folder = CLITests().temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(arguments: [String], signal: Int32, status: Int32, name: String)] = [
            (["run", Self.baseline, "--members", "200000", "--out", "out"], SIGINT, 130, "SIGINT"),
            (["report", Self.baseline, "--members", "100000", "--out", "report.html"], SIGTERM, 143, "SIGTERM"),
            (["notebook", Self.baseline, "--members", "100000", "--out", "nb/analysis.ipynb"], SIGINT, 130, "SIGINT"),
            (["calibrate", Self.baseline.replacingOccurrences(of: "scenarios/baseline.yaml", with: "calibration/baseline.yaml"), "--out", "fit.yaml"], SIGTERM, 143, "SIGTERM"),
        ]
        for (arguments, signal, status, name) in cases {
            let outcome = try interrupted(arguments, in: folder, signal: signal, after: 1.5)
            #expect(outcome.status == status, "\(arguments[0]): \(outcome.stderr)")
            let lines = outcome.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0] == "error: interrupted by \(name); no results were written (unfinished output removed)", "\(outcome.stderr)")
            let left = try contents(folder)
            #expect(left.isEmpty, "\(arguments[0]) left \(left)")
        }
    }

    @Test func outputPathsAreCheckedBeforeAnyWork() throws {
        let folder = CLITests().temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "x".write(to: folder.appendingPathComponent("taken"), atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["report", Self.baseline, "--out", "taken/report.html"], "taken/report.html: \(folder.standardizedFileURL.path)/taken is a file, so nothing can be written below it; give another path"),
            (["run", Self.baseline, "--out", "taken"], "taken: a file of that name exists; give a folder path"),
            (["plan", Self.baseline, "--vary", "judgesAdded", "--target", "courtBacklog <= 1 by 2030-09", "--out", "taken/plan"], "taken is a file"),
            (["notebook", Self.baseline, "--out", "taken/n.ipynb"], "taken is a file"),
        ]
        for (arguments, message) in cases {
            let outcome = try CLITests().corridor(arguments, in: folder)
            #expect(outcome.status == 1 && outcome.stderr.contains(message), "\(arguments[0]): \(outcome.stderr)")
            #expect(try contents(folder) == ["taken"])
        }
        // A missing folder on the way is created when the results are written.
        let made = try CLITests().corridor(["run", Self.baseline, "--horizon", "3", "--out", "new/deeper/out"], in: folder)
        #expect(made.status == 0, "\(made.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("new/deeper/out/outputs.csv").path))
    }

    /// A full disk, on a 16 KiB tmpfs: needs the right to mount one (root with
    /// CAP_SYS_ADMIN, as in CI's container when it is privileged and on this machine).
    @Test(.enabled(if: ReliabilityTests.canMountTmpfs())) func aFullDiskIsAClearErrorAndLeavesNothing() throws {
        let folder = CLITests().temporaryFolder()
        defer {
            _ = Self.shell("/bin/umount", [folder.path])
            try? FileManager.default.removeItem(at: folder)
        }
        #expect(Self.shell("/bin/mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", folder.path]) == 0)
        for (arguments, path) in [(["run", Self.baseline, "--out", "out"], "out"),
                                  (["report", Self.baseline, "--members", "20", "--out", "r.html"], "r.html")] {
            let outcome = try CLITests().corridor(arguments, in: folder)
            #expect(outcome.status == 1, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("\(path): could not write") && outcome.stderr.contains("(the disk is full); nothing was written"), "\(outcome.stderr)")
            let left = try contents(folder)
            #expect(left.isEmpty, "left \(left)")
        }
    }

    static func canMountTmpfs() -> Bool {
        guard getuid() == 0 else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-tmpfs-probe-\(getpid())")
        try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: probe) }
        guard shell("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.path]) == 0 else { return false }
        return shell("/bin/umount", [probe.path]) == 0
    }

    @discardableResult
    static func shell(_ command: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
