import CorridorEngine
import Foundation
import Synchronization

/// A file or folder that could not be written: the path and what went wrong.
public struct OutputError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Writes results whole or not at all.
public enum OutputFiles {
    private static let writing = Atomic<Bool>(true)

    /// Whether this process writes its results; false in the ranks of an MPI job other
    /// than rank 0, which check paths but leave writing to rank 0.
    public static var writesFiles: Bool {
        get { writing.load(ordering: .relaxed) }
        set { writing.store(newValue, ordering: .relaxed) }
    }

    /// Checks, before any work is done, that `path` can be written: no part of it is a
    /// file, the nearest folder on it that exists is writable, and (for a folder output)
    /// it is not an existing file. Folders missing on the way are created only when the
    /// results are written, so a failed or interrupted run leaves none behind.
    public static func checkWritable(_ path: String, isFolder: Bool) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        let target = URL(fileURLWithPath: path).standardizedFileURL
        if manager.fileExists(atPath: target.path, isDirectory: &isDirectory) {
            if isFolder && !isDirectory.boolValue { throw OutputError(path: path, reason: "a file of that name exists; give a folder path") }
            if !isFolder && isDirectory.boolValue { throw OutputError(path: path, reason: "a folder of that name exists; give a file path") }
        }
        var ancestor = target.deletingLastPathComponent()
        while !manager.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) && ancestor.path != "/" {
            ancestor = ancestor.deletingLastPathComponent()
        }
        guard isDirectory.boolValue else {
            throw OutputError(path: path, reason: "\(ancestor.path) is a file, so nothing can be written below it; give another path")
        }
        guard access(ancestor.path, W_OK) == 0 else {
            throw OutputError(path: path, reason: "the folder \(ancestor.path) is not writable; give a path you may write to")
        }
    }

    /// Writes `files` (name → contents), and `run.json` when given how they were made, into
    /// `directory`: into a temporary folder beside it first, renamed into place when every
    /// file is written. An existing folder there is replaced.
    public static func writeFolder(_ files: [(name: String, contents: String)], provenance: Provenance? = nil, to directory: String) throws {
        let files = files + (provenance.map { [(name: "run.json", contents: $0.json())] } ?? [])
        let manager = FileManager.default
        try checkWritable(directory, isFolder: true)
        guard writesFiles else { return }
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        do {
            try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: directory, reason: "cannot create the folder \(parent.path): \(error.localizedDescription)")
        }
        let token = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let retired = parent.appendingPathComponent(".\(target.lastPathComponent).old-\(token)")
        let write = StagedWrite(target: target, staging: parent.appendingPathComponent(".\(target.lastPathComponent).partial-\(token)"),
                                retired: retired)
        let id = unfinished.begin(write)
        defer { unfinished.end(id) }
        do {
            try manager.createDirectory(at: write.staging, withIntermediateDirectories: false)
            for file in files {
                try Data(file.contents.utf8).write(to: write.staging.appendingPathComponent(file.name))
            }
            if manager.fileExists(atPath: target.path) {
                try manager.moveItem(at: target, to: retired)
            }
            try manager.moveItem(at: write.staging, to: target)
            try? manager.removeItem(at: retired)
        } catch {
            write.undo()
            throw OutputError(path: directory, reason: "could not write the results (\(reason(error))); nothing was written")
        }
    }

    /// Writes one file whole or not at all: a temporary file beside it, renamed into place.
    /// Missing folders on its path are created.
    public static func writeFile(_ contents: String, to path: String) throws {
        try checkWritable(path, isFolder: false)
        guard writesFiles else { return }
        let target = URL(fileURLWithPath: path).standardizedFileURL
        let write = StagedWrite(target: target, staging: target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)"), retired: nil)
        let id = unfinished.begin(write)
        defer { unfinished.end(id) }
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: write.staging)
            // rename(2) replaces an existing file atomically.
            guard rename(write.staging.path, target.path) == 0 else {
                throw OutputError(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            write.undo()
            throw OutputError(path: path, reason: "could not write it (\(reason(error))); nothing was written")
        }
    }

    /// Removes every temporary file or folder being written right now and puts back a
    /// folder that was being replaced: what an interrupted process does before it exits.
    public static func discardUnfinished() {
        for write in unfinished.all() { write.undo() }
    }

    /// The writes in progress, for `discardUnfinished`.
    private static let unfinished = UnfinishedWrites()

    /// Why a write failed, in plain words.
    private static func reason(_ error: Error) -> String {
        switch (error as? CocoaError)?.code {
        case .fileWriteOutOfSpace?: "the disk is full"
        case .fileWriteNoPermission?: "permission denied"
        case .fileWriteVolumeReadOnly?: "the disk is read-only"
        default: error.localizedDescription
        }
    }
}

/// One file or folder being written: where it goes, its temporary copy, and where a
/// folder it replaces waits until the new one is in place.
struct StagedWrite: Sendable {
    let target: URL
    let staging: URL
    let retired: URL?

    func undo() {
        let manager = FileManager.default
        try? manager.removeItem(at: staging)
        if let retired, manager.fileExists(atPath: retired.path), !manager.fileExists(atPath: target.path) {
            try? manager.moveItem(at: retired, to: target)
        }
    }
}

final class UnfinishedWrites: Sendable {
    private let writes = Locked<(next: Int, byID: [Int: StagedWrite])>((0, [:]))

    func begin(_ write: StagedWrite) -> Int {
        writes.withLock { state in
            state.next += 1
            state.byID[state.next] = write
            return state.next
        }
    }

    func end(_ id: Int) { _ = writes.withLock { $0.byID.removeValue(forKey: id) } }
    func all() -> [StagedWrite] { writes.withLock { Array($0.byID.values) } }
}
