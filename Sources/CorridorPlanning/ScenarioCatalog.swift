import CorridorEngine
import CorridorModel
import Foundation

/// The scenarios a planning page may run: the scenario files of one folder, and the overlay
/// files of another, known by name only, so no request can name a path that leaves them.
/// A scenario is loaded once and again only when one of the files it was read from changes.
package final class ScenarioCatalog: Sendable {
    /// A loaded scenario: its file's name without extension, and the scenario as its file
    /// sets it (horizon, members and seed from the file). A value, copied out of the cache
    /// and never changed in it (Scenario's YAML nodes are values not marked Sendable).
    package struct Entry: @unchecked Sendable {
        package var name: String
        package var file: URL
        package var scenario: Scenario
        /// Modification dates of every file it was read from, to notice a change.
        package var stamps: [String: Date]
    }

    /// An overlay file that can be applied after a scenario's own (an arrival scenario).
    package struct Overlay: Sendable {
        package var name: String
        package var file: URL
        /// Its comment lines, without `#`.
        package var description: String
    }

    package let scenariosFolder: URL
    package let overlaysFolder: URL?
    private let loaded = Locked<[String: Entry]>([:])

    package init(scenarios: URL, overlays: URL?) {
        scenariosFolder = scenarios.standardizedFileURL
        overlaysFolder = overlays?.standardizedFileURL
    }

    package static let extensions: Set<String> = ["yaml", "yml", "json"]

    private static func files(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { folder.appendingPathComponent($0) }
            .filter { extensions.contains($0.pathExtension.lowercased()) }
    }

    private static func stamp(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }

    /// Every scenario file of the folder, loaded (or the error that stops it loading);
    /// model and overlay files, and hidden files (an editor's), are left out.
    package func scenarios() -> [(name: String, result: Result<Entry, any Error>)] {
        Self.files(in: scenariosFolder).compactMap { file in
            let name = file.deletingPathExtension().lastPathComponent
            do {
                guard let entry = try load(file: file, name: name) else { return nil }
                return (name, .success(entry))
            } catch {
                return (name, .failure(error))
            }
        }
    }

    /// The scenario called `name` (its file's name without extension).
    package func scenario(named name: String) throws -> Entry {
        guard let file = Self.files(in: scenariosFolder).first(where: { $0.deletingPathExtension().lastPathComponent == name }),
              let entry = try load(file: file, name: name) else {
            let known = scenarios().compactMap { (try? $0.result.get()) != nil ? $0.name : nil }
            throw APIError.badRequest("scenario: no scenario '\(name)' in \(displayPath(scenariosFolder)); the scenarios are \(known.joined(separator: ", "))")
        }
        return entry
    }

    /// The overlays of the overlays folder (files with `format: corridor-overlay/1`).
    package func overlays() -> [Overlay] {
        guard let overlaysFolder else { return [] }
        return Self.files(in: overlaysFolder).compactMap { file in
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                  text.split(separator: "\n").contains(where: { $0.hasPrefix("format: corridor-overlay/1") }) else { return nil }
            let comments = text.split(separator: "\n").prefix { !$0.hasPrefix("set:") }.filter { $0.hasPrefix("#") }
            return Overlay(name: file.deletingPathExtension().lastPathComponent, file: file,
                           description: comments.map { $0.dropFirst().trimmingCharacters(in: .whitespaces) }.joined(separator: " "))
        }
    }

    /// The overlay called `name`.
    package func overlay(named name: String) throws -> Overlay {
        let all = overlays()
        guard let overlay = all.first(where: { $0.name == name }) else {
            throw APIError.badRequest("overlay: no overlay '\(name)'\(overlaysFolder.map { " in \(displayPath($0))" } ?? " (this server has no overlays folder)"); the overlays are \(all.isEmpty ? "none" : all.map(\.name).joined(separator: ", "))")
        }
        return overlay
    }

    /// The scenario in `file`, from the cache while none of its files changed; nil for a
    /// file that is a model, not a scenario.
    private func load(file: URL, name: String) throws -> Entry? {
        if let cached = loaded.withLock({ $0[file.path] }),
           cached.stamps.allSatisfy({ Self.stamp($0.key) == $0.value }) {
            return cached
        }
        let definition = try ScenarioLoader.load(path: file.path)
        guard definition.isScenario else { return nil }
        let entry = Entry(name: name, file: file, scenario: try Scenario(definition),
                          stamps: Dictionary(definition.sourceFiles.map { ($0, Self.stamp($0)) }, uniquingKeysWith: { a, _ in a }))
        loaded.withLock { $0[file.path] = entry }
        return entry
    }
}
