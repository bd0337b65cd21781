import Foundation

/// A file or folder that could not be written: the path and what went wrong.
public struct OutputError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Writes results whole or not at all.
public enum OutputFiles {
    /// Writes `files` (name → contents), and `run.json` when given how they were made, into
    /// `directory`: into a temporary folder beside it first, renamed into place when every
    /// file is written. An existing folder there is replaced.
    public static func writeFolder(_ files: [(name: String, contents: String)], provenance: Provenance? = nil, to directory: String) throws {
        let files = files + (provenance.map { [(name: "run.json", contents: $0.json())] } ?? [])
        let manager = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: target.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw OutputError(path: directory, reason: "a file of that name exists; give a folder path")
        }
        do {
            try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: directory, reason: "cannot create the folder \(parent.path): \(error.localizedDescription)")
        }
        let token = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).partial-\(token)")
        let retired = parent.appendingPathComponent(".\(target.lastPathComponent).old-\(token)")
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: false)
            for file in files {
                try Data(file.contents.utf8).write(to: staging.appendingPathComponent(file.name))
            }
            if manager.fileExists(atPath: target.path) {
                try manager.moveItem(at: target, to: retired)
            }
            try manager.moveItem(at: staging, to: target)
            try? manager.removeItem(at: retired)
        } catch {
            try? manager.removeItem(at: staging)
            if manager.fileExists(atPath: retired.path), !manager.fileExists(atPath: target.path) {
                try? manager.moveItem(at: retired, to: target)
            }
            throw OutputError(path: directory, reason: "could not write the results: \(error.localizedDescription)")
        }
    }

    /// Writes one file whole or not at all: a temporary file beside it, renamed into place.
    public static func writeFile(_ contents: String, to path: String) throws {
        let target = URL(fileURLWithPath: path)
        let staging = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(contents.utf8).write(to: staging)
            // rename(2) replaces an existing file atomically.
            guard rename(staging.path, target.path) == 0 else {
                throw OutputError(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw OutputError(path: path, reason: "could not write it: \(error.localizedDescription)")
        }
    }
}
