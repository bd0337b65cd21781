import CorridorEngine
import Foundation

/// Writes a run's results as tidy CSV files (MODEL-FORMAT.md, "Outputs of a deterministic run").
enum ResultWriter {
    /// `stocks.csv`: `step,month,group,compartment,value` (with a leading `member` column
    /// for ensembles), steps 0…horizon.
    static func stocksCSV(_ model: EngineModel, _ trajectories: Trajectories, withMember: Bool) -> String {
        perMemberTable("step,month,group,compartment,value", model, trajectories, withMember: withMember,
                       steps: 0..<(model.horizon + 1)) { member, step, prefix, text in
            for g in 0..<model.groupCount {
                for c in 0..<model.compartmentCount {
                    let value = trajectories.stock(member: member, step: step, slot: c * model.groupCount + g)
                    text += "\(prefix)\(model.groupNames[g]),\(model.compartmentNames[c]),\(numberText(value))\n"
                }
            }
        }
    }

    /// `flows.csv`: `step,month,flow,group,to,value`, steps 0…horizon-1, one row per destination.
    static func flowsCSV(_ model: EngineModel, _ trajectories: Trajectories, withMember: Bool) -> String {
        perMemberTable("step,month,flow,group,to,value", model, trajectories, withMember: withMember,
                       steps: 0..<model.horizon) { member, step, prefix, text in
            for (k, entry) in trajectories.flowEntries.enumerated() {
                let flow = model.flows[entry.flow]
                let value = trajectories.flow(member: member, step: step, entry: k)
                text += "\(prefix)\(flow.name),\(model.groupNames[entry.group]),"
                    + "\(model.compartmentNames[flow.destinations[entry.destination]]),\(numberText(value))\n"
            }
        }
    }

    /// `outputs.csv`: `step,month,output,value`, steps 0…horizon-1.
    static func outputsCSV(_ model: EngineModel, _ trajectories: Trajectories, withMember: Bool) -> String {
        perMemberTable("step,month,output,value", model, trajectories, withMember: withMember,
                       steps: 0..<model.horizon) { member, step, prefix, text in
            for (o, name) in model.outputNames.enumerated() {
                text += "\(prefix)\(name),\(numberText(trajectories.output(member: member, step: step, output: o)))\n"
            }
        }
    }

    /// A per-member table: the header, then for each member and step the rows that
    /// `rows` appends, each starting with `prefix` (`[member,]step,month,`).
    private static func perMemberTable(
        _ header: String, _ model: EngineModel, _ trajectories: Trajectories, withMember: Bool, steps: Range<Int>,
        rows: (_ member: Int, _ step: Int, _ prefix: String, _ text: inout String) -> Void
    ) -> String {
        var text = (withMember ? "member," : "") + header + "\n"
        for member in 0..<trajectories.members {
            for step in steps {
                let prefix = (withMember ? "\(member)," : "") + "\(step),\(model.start.advanced(by: step)),"
                rows(member, step, prefix, &text)
            }
        }
        return text
    }

    /// `summary.csv`: `step,month,series,mean,sd,p05,p25,p50,p75,p95`.
    static func summaryCSV(_ model: EngineModel, _ summary: EnsembleSummary) -> String {
        var text = "step,month,series,mean,sd,p05,p25,p50,p75,p95\n"
        let catalog = summary.catalog
        for step in 0...model.horizon {
            let month = model.start.advanced(by: step).description
            for series in 0..<catalog.count where catalog.isRecorded(series, step: step, horizon: model.horizon) {
                let cell = summary.cell(step: step, series: series)
                text += "\(step),\(month),\(catalog.names[series]),\(numberText(summary.mean[cell])),\(numberText(summary.standardDeviation[cell]))"
                for q in summary.quantiles { text += ",\(numberText(q[cell]))" }
                text += "\n"
            }
        }
        return text
    }

    /// Writes `files` (name → contents) into `directory` whole or not at all: into a
    /// temporary folder beside it first, renamed into place when every file is written.
    /// An existing folder at `directory` is replaced.
    static func writeAtomically(_ files: [(name: String, contents: String)], to directory: String) throws {
        let manager = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: target.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CLIError("--out \(directory): a file of that name exists; give a folder path")
        }
        do {
            try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw CLIError("--out \(directory): cannot create the folder \(parent.path): \(error.localizedDescription)")
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
            throw CLIError("--out \(directory): could not write the results: \(error.localizedDescription)")
        }
    }
}

extension ResultWriter {
    /// Writes one file whole or not at all: a temporary file beside it, renamed into place.
    static func writeFileAtomically(_ contents: String, to path: String) throws {
        let target = URL(fileURLWithPath: path)
        let staging = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(contents.utf8).write(to: staging)
            // rename(2) replaces an existing file atomically.
            guard rename(staging.path, target.path) == 0 else {
                throw CLIError(String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw CLIError("could not write \(path): \(error.localizedDescription)")
        }
    }
}

/// An error of the command line itself (not of a model file), printed as it reads.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
