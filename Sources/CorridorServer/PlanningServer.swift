#if Server
import CorridorEngine
import CorridorIO
import CorridorModel
import CorridorPlanning
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// Where `corridor serve` listens, what it serves and its caps.
public struct ServerSettings: Sendable {
    public var host = "127.0.0.1"
    /// 0: any free port (tests).
    public var port = 8080
    /// The folder of scenario files the page offers; no other scenario can be named.
    public var scenarios: String
    /// The folder of overlay files the page offers (nil: none).
    public var overlays: String?
    /// The observed-data folder drawn over outputs (nil: none).
    public var observed: String?
    public var limits = ServerLimits()
    /// Worker threads of each run.
    public var threads: Int

    public init(scenarios: String, overlays: String? = nil, observed: String? = nil, threads: Int) {
        self.scenarios = scenarios
        self.overlays = overlays
        self.observed = observed
        self.threads = threads
    }
}

/// The planning page and its JSON API (Docs/api.md) on Hummingbird: one page, and a few
/// routes that list scenarios and run, compare and plan them. Bad requests get a 4xx with
/// Corridor's usual message; nothing a request sends can stop the server.
public final class PlanningServer: Sendable {
    let settings: ServerSettings
    let service: PlanningService
    let queue: RunQueue

    /// Checks the folders and reads the observed data; the scenarios load when asked for.
    public init(settings: ServerSettings) throws {
        func folder(_ path: String, _ option: String) throws -> URL {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                throw ModelError(file: path, message: "no such folder (\(option)); give the folder of \(option == "--scenarios" ? "scenario files" : option == "--overlays" ? "overlay files" : "observed data")")
            }
            return URL(fileURLWithPath: path)
        }
        self.settings = settings
        let catalog = ScenarioCatalog(scenarios: try folder(settings.scenarios, "--scenarios"),
                                      overlays: try settings.overlays.map { try folder($0, "--overlays") })
        let observed = try settings.observed.map { try ObservedData.load(folder: folder($0, "--observed").path) }
        service = PlanningService(catalog: catalog, observed: observed, limits: settings.limits, threads: settings.threads)
        queue = RunQueue(limit: settings.limits.concurrentRuns, waitingLimit: settings.limits.waitingRuns)
    }

    /// Serves until SIGINT or SIGTERM, then stops cleanly: runs under way are cancelled,
    /// requests in progress answered, and the function returns. `listening` receives the
    /// address and port once the server accepts connections.
    public func run(listening: @escaping @Sendable (_ host: String, _ port: Int) -> Void) async throws {
        var logger = Logger(label: "corridor-serve")
        logger.logLevel = .error
        let app = Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "corridor/\(CorridorVersion.current)"),
            onServerRunning: { [settings] channel in listening(settings.host, channel.localAddress?.port ?? settings.port) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app, CancelOnShutdown(queue: queue)],
                                                      gracefulShutdownSignals: [.sigint, .sigterm], logger: logger))
        try await group.run()
    }

    /// Cancels every run when the server starts to stop, so no request keeps it waiting.
    private struct CancelOnShutdown: Service {
        let queue: RunQueue
        func run() async throws {
            try? await gracefulShutdown()
            queue.cancelAll()
        }
    }

    // MARK: - Routes

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ErrorResponses())
        router.get("/") { _, _ in Self.page(PackageResources.index_html, type: "text/html; charset=utf-8") }
        router.get("/page.css") { _, _ in Self.page(PackageResources.page_css, type: "text/css; charset=utf-8") }
        router.get("/page.js") { _, _ in Self.page(PackageResources.page_js, type: "text/javascript; charset=utf-8") }
        router.get("/api/scenarios") { [service] _, _ in try Self.json(service.scenarioList()) }
        post(router, "/api/run", RunRequest.self) { service, body in try PlanningServer.json(service.response(try service.run(body))) }
        post(router, "/api/run.csv", RunRequest.self) { service, body in
            let file = service.csv(try service.run(body))
            return PlanningServer.download(file.text, name: file.name, type: "text/csv; charset=utf-8")
        }
        post(router, "/api/compare", CompareRequest.self) { service, body in try PlanningServer.json(try service.compare(body).response) }
        post(router, "/api/compare.csv", CompareRequest.self) { service, body in
            PlanningServer.download(AnalysisTables.comparison(try service.compare(body).comparison), name: "comparison.csv", type: "text/csv; charset=utf-8")
        }
        post(router, "/api/plan", PlanRequest.self) { service, body in try PlanningServer.json(try service.plan(body).response) }
        post(router, "/api/plan.csv", PlanRequest.self) { service, body in
            PlanningServer.download(AnalysisTables.planCurve(try service.plan(body).plan), name: "plan.csv", type: "text/csv; charset=utf-8")
        }
        router.post("/api/scenario.yaml") { [self] request, _ in
            let file = try service.scenarioFile(try await decode(ScenarioFileRequest.self, request))
            return Self.download(file.text, name: file.name, type: "application/yaml; charset=utf-8")
        }
        router.post("/api/cancel") { [self] request, _ in
            let body = try await decode(CancelRequest.self, request)
            return try Self.json(Cancelled(id: body.id, cancelled: queue.cancel(id: body.id)))
        }
        return router
    }

    /// A route that runs the model: the body decoded, then `answer` computed in the run
    /// queue (on a thread of its own, cancellable by the body's `id`).
    private func post<Body: Decodable & Sendable & RunRequestBody>(
        _ router: Router<BasicRequestContext>, _ path: RouterPath, _ type: Body.Type,
        answer: @escaping @Sendable (PlanningService, Body) throws -> Response
    ) {
        router.post(path) { [self] request, _ in
            let body = try await decode(Body.self, request)
            return try await queue.run(id: body.ensemble.id) { [service] in try answer(service, body) }
        }
    }

    private struct Cancelled: Encodable {
        var corridor = CorridorVersion.current
        var id: String
        /// false: no run with this id was waiting or running.
        var cancelled: Bool
    }

    /// A request's JSON body, at most `limits.bodyBytes` long.
    private func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: settings.limits.bodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(status: 413, message: "request body: over \(settings.limits.bodyBytes) bytes, this server's cap; a request is a small JSON object")
        }
        return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
    }

    // MARK: - Responses

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        response(try encoder.encode(value), status: status, type: "application/json")
    }

    static func page(_ bytes: [UInt8], type: String) -> Response {
        response(Data(bytes), status: .ok, type: type)
    }

    static func download(_ text: String, name: String, type: String) -> Response {
        var response = response(Data(text.utf8), status: .ok, type: type)
        response.headers[HTTPField.Name("Content-Disposition")!] = "attachment; filename=\"\(name)\""
        return response
    }

    static func response(_ data: Data, status: HTTPResponse.Status, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        // The page loads nothing from elsewhere: no CDN, no external network.
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Every error as JSON: `{"corridor": version, "error": {"status", "message"}}`.
    struct ErrorResponses: RouterMiddleware {
        typealias Context = BasicRequestContext

        struct Body: Encodable {
            var corridor = CorridorVersion.current
            var error: Detail
            struct Detail: Encodable {
                var status: Int
                var message: String
            }
        }

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            do {
                return try await next(request, context)
            } catch {
                let failure: APIError
                if let error = error as? any HTTPResponseError {
                    failure = error.status == .notFound
                        ? APIError(status: 404, message: "error: nothing at \(request.method) \(request.uri.path); the page is at / and the API under /api (Docs/api.md)")
                        : APIError(status: error.status.code, message: "error: \(error.status.reasonPhrase)")
                } else {
                    failure = APIError.from(error)
                }
                return try PlanningServer.json(Body(error: .init(status: failure.status, message: failure.message)),
                                               status: HTTPResponse.Status(code: failure.status))
            }
        }
    }
}
#endif
