import CorridorAnalysis
import CorridorEngine
import CorridorModel
import Foundation

/// What a request gets instead of a result: an HTTP status and Corridor's usual message.
package struct APIError: Error, CustomStringConvertible {
    /// HTTP status code.
    package var status: Int
    package var message: String
    package var description: String { message }

    package init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    package static func badRequest(_ message: String) -> APIError { APIError(status: 400, message: message) }

    /// The status and message for any error a request can meet: the messages are the
    /// command line's (file, place and fix), the status says whose the fault is.
    package static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as ModelError: return APIError(status: 400, message: error.description)
        case let error as AnalysisError: return APIError(status: 400, message: "error: \(error.description)")
        case let error as DecodingError: return APIError(status: 400, message: "request body: \(describe(error))")
        case is RunCancelledError: return APIError(status: 409, message: "error: the run was cancelled")
        case let error as EngineError: return APIError(status: 422, message: "error: \(error)")
        case let error as MemoryLimitError: return APIError(status: 413, message: "error: \(error)")
        default: return APIError(status: 500, message: "error: \(error)")
        }
    }

    /// A JSON decoding error as a person reads it: where in the body, and what was wrong.
    private static func describe(_ error: DecodingError) -> String {
        func place(_ path: [any CodingKey]) -> String {
            let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the body" : "`\(text.dropFirst(text.hasPrefix(".") ? 1 : 0))`"
        }
        switch error {
        case let .typeMismatch(type, context):
            return "\(place(context.codingPath)) should be \(readable(type)); \(context.debugDescription)"
        case let .valueNotFound(type, context):
            return "\(place(context.codingPath)) should be \(readable(type)), found null"
        case let .keyNotFound(key, context):
            return "\(place(context.codingPath + [key])) is missing"
        case let .dataCorrupted(context):
            if let underlying = context.underlyingError as NSError?, context.codingPath.isEmpty {
                return "not valid JSON (\(underlying.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription)); send a JSON object"
            }
            return "\(place(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func readable(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type, is UInt64.Type: "a number"
        case is String.Type: "text"
        case is [Any].Type: "a list"
        default: "\(type)"
        }
    }
}
