import CorridorAnalysis
import CorridorModel
import Foundation

extension CalibrationConfig {
    /// Reads and parses a calibration file (`format: corridor-calibration/1`).
    public static func load(path: String) throws -> CalibrationConfig {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ModelError(file: path, message: "no such file or not UTF-8 text; check the path")
        }
        return try parse(text: text, file: path, folder: url.deletingLastPathComponent())
    }
}
