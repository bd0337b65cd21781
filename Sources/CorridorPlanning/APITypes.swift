import CorridorAnalysis
import CorridorEngine
import CorridorModel
import Foundation

// The JSON API's bodies (Docs/api.md, Docs/openapi.yaml). Requests refuse keys they do not
// know, so a misspelt key is an error naming it, not a setting silently left out.

/// Any key of a JSON object.
package struct AnyKey: CodingKey {
    package var stringValue: String
    package var intValue: Int? { nil }
    package init(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { nil }
}

extension Decoder {
    /// Refuses keys not in `allowed`, naming the key and the valid ones.
    package func refuseUnknownKeys(_ allowed: [String]) throws {
        let container = try self.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key],
                debugDescription: "unknown key; the keys here are \(allowed.joined(separator: ", "))"))
        }
    }
}

extension KeyedDecodingContainer {
    /// A month written `YYYY-MM`.
    package func decodeMonth(forKey key: Key) throws -> Month? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let month = Month(parsing: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "'\(text)' is not a month; write YYYY-MM, e.g. 2030-09")
        }
        return month
    }
}

/// A lever moved: a number (its value, from the lever's month over its ramp) or
/// `{value, from, ramp}`.
package struct LeverMove: Decodable, Sendable {
    package var value: Double
    package var from: Month?
    package var ramp: Int?

    package init(from decoder: any Decoder) throws {
        if let value = try? decoder.singleValueContainer().decode(Double.self) {
            self.value = value
            return
        }
        try decoder.refuseUnknownKeys(["value", "from", "ramp"])
        enum Keys: String, CodingKey { case value, from, ramp }
        let container = try decoder.container(keyedBy: Keys.self)
        value = try container.decode(Double.self, forKey: .value)
        from = try container.decodeMonth(forKey: .from)
        ramp = try container.decodeIfPresent(Int.self, forKey: .ramp)
    }
}

/// What to run: a scenario of the folder, an overlay applied after its own, and levers moved.
package struct Configuration: Sendable {
    package static let keys = ["name", "scenario", "overlay", "levers"]
    /// A name for tables (default: the scenario's name).
    package var name: String?
    package var scenario: String
    package var overlay: String?
    package var levers: [String: LeverMove]

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        name = try container.decodeIfPresent(String.self, forKey: AnyKey(stringValue: "name"))
        scenario = try container.decode(String.self, forKey: AnyKey(stringValue: "scenario"))
        overlay = try container.decodeIfPresent(String.self, forKey: AnyKey(stringValue: "overlay"))
        levers = try container.decodeIfPresent([String: LeverMove].self, forKey: AnyKey(stringValue: "levers")) ?? [:]
    }
}

/// How many members, with which seed, for how many months (each default: the scenario's).
package struct EnsembleSettings: Sendable {
    package static let keys = ["members", "seed", "horizon", "id"]
    package var members: Int?
    package var seed: UInt64?
    package var horizon: Int?
    /// Chosen by the page, to cancel the run with `POST /api/cancel`.
    package var id: String?

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        members = try container.decodeIfPresent(Int.self, forKey: AnyKey(stringValue: "members"))
        seed = try container.decodeIfPresent(UInt64.self, forKey: AnyKey(stringValue: "seed"))
        horizon = try container.decodeIfPresent(Int.self, forKey: AnyKey(stringValue: "horizon"))
        id = try container.decodeIfPresent(String.self, forKey: AnyKey(stringValue: "id"))
    }
}

/// The outputs to return and the months to tabulate.
package struct Selection: Sendable {
    package static let keys = ["outputs", "at"]
    package var outputs: [String]?
    package var at: [Month]

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        outputs = try container.decodeIfPresent([String].self, forKey: AnyKey(stringValue: "outputs"))
        let texts = try container.decodeIfPresent([String].self, forKey: AnyKey(stringValue: "at")) ?? []
        at = try texts.enumerated().map { index, text in
            guard let month = Month(parsing: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [AnyKey(stringValue: "at"), AnyKey(stringValue: "\(index)")],
                                                        debugDescription: "'\(text)' is not a month; write YYYY-MM, e.g. 2030-09"))
            }
            return month
        }
    }
}

/// A request that runs the model, with the ensemble settings that carry its cancel id.
package protocol RunRequestBody {
    var ensemble: EnsembleSettings { get }
}

/// `POST /api/run`: one configuration, with its difference from the same scenario unchanged.
package struct RunRequest: Decodable, Sendable, RunRequestBody {
    package var configuration: Configuration
    package var ensemble: EnsembleSettings
    package var selection: Selection

    package init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(Configuration.keys + EnsembleSettings.keys + Selection.keys)
        configuration = try Configuration(from: decoder)
        ensemble = try EnsembleSettings(from: decoder)
        selection = try Selection(from: decoder)
    }
}

/// `POST /api/scenario.yaml`: the scenario file that reproduces a configuration.
package struct ScenarioFileRequest: Decodable, Sendable {
    package var configuration: Configuration
    package var ensemble: EnsembleSettings

    package init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(Configuration.keys + EnsembleSettings.keys)
        configuration = try Configuration(from: decoder)
        ensemble = try EnsembleSettings(from: decoder)
    }
}

/// `POST /api/compare`: configurations on the same members and draws, the first the reference.
package struct CompareRequest: Decodable, Sendable, RunRequestBody {
    package var configurations: [Configuration]
    package var ensemble: EnsembleSettings
    package var selection: Selection

    package init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(["configurations"] + EnsembleSettings.keys + Selection.keys)
        let container = try decoder.container(keyedBy: AnyKey.self)
        configurations = try container.decode([ConfigurationBody].self, forKey: AnyKey(stringValue: "configurations")).map(\.configuration)
        ensemble = try EnsembleSettings(from: decoder)
        selection = try Selection(from: decoder)
    }

    private struct ConfigurationBody: Decodable {
        var configuration: Configuration
        init(from decoder: any Decoder) throws {
            try decoder.refuseUnknownKeys(Configuration.keys)
            configuration = try Configuration(from: decoder)
        }
    }
}

/// `POST /api/plan`: the least value of a lever meeting a target with a probability.
package struct PlanRequest: Decodable, Sendable, RunRequestBody {
    package static let keys = ["lever", "target", "confidence", "range", "candidates"]
    package var configuration: Configuration
    package var ensemble: EnsembleSettings
    package var lever: String
    package var target: PlanTarget
    package var confidence: Double
    /// Default: the lever's range.
    package var range: [Double]?
    package var candidates: Int

    package init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(Configuration.keys + EnsembleSettings.keys + Self.keys)
        configuration = try Configuration(from: decoder)
        ensemble = try EnsembleSettings(from: decoder)
        let container = try decoder.container(keyedBy: AnyKey.self)
        lever = try container.decode(String.self, forKey: AnyKey(stringValue: "lever"))
        let targetText = try container.decode(String.self, forKey: AnyKey(stringValue: "target"))
        do { target = try PlanTarget(parsing: targetText) } catch let error as AnalysisError {
            throw APIError.badRequest("target: \(error.description)")
        }
        confidence = try container.decodeIfPresent(Double.self, forKey: AnyKey(stringValue: "confidence")) ?? 0.9
        range = try container.decodeIfPresent([Double].self, forKey: AnyKey(stringValue: "range"))
        candidates = try container.decodeIfPresent(Int.self, forKey: AnyKey(stringValue: "candidates")) ?? 21
    }
}

/// `POST /api/cancel`.
package struct CancelRequest: Decodable, Sendable {
    package var id: String
    package init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(["id"])
        id = try decoder.container(keyedBy: AnyKey.self).decode(String.self, forKey: AnyKey(stringValue: "id"))
    }
}

// MARK: - Responses

/// p05, p50 and p95 (and the mean) of a value at every month.
package struct BandSeries: Encodable, Sendable {
    package var mean: [Double] = []
    package var p05: [Double] = []
    package var p50: [Double] = []
    package var p95: [Double] = []

    package init(_ bands: [Band]) {
        for band in bands {
            mean.append(band.mean)
            p05.append(band.p05)
            p50.append(band.p50)
            p95.append(band.p95)
        }
    }
}

/// An observed value, at the month it describes.
package struct ObservedPoint: Encodable, Sendable {
    package var month: String
    package var value: Double
}

/// An output's presentation, as the model file gives it.
package struct OutputInfo: Encodable, Sendable {
    package var name: String
    package var label: String
    package var unit: String
    /// The observed series drawn over it, when the model names one.
    package var observed: String?
}

/// A lever as a page shows it, with its value in the scenario at its first month.
package struct LeverInfo: Encodable, Sendable {
    package var parameter: String
    package var label: String
    package var unit: String
    package var min: Double
    package var max: Double
    package var step: Double
    package var from: String
    package var ramp: Int
    package var value: Double
}
