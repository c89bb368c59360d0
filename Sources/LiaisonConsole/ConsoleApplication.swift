import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The console's web application: the router with its middleware and every page's routes, and the server that runs it.
public enum ConsoleApplication {
    /// The router: errors as HTML pages, sessions and CSRF checks, then the sign-in pages, the home page, the
    /// stylesheet, the view log, and the attendance and casework pages. Routes added to the returned router later (the
    /// tests' own) are wrapped by the same middleware.
    ///
    /// - Parameter sender: sends a case's feedback and prosecution files through the hub as the attendance service
    ///   (`liaison console` makes one from `hub_config`); nil: those forms say the console cannot send.
    public static func makeRouter(console: Console, sender: CaseMessageSender? = nil) -> Router<ConsoleContext> {
        let router = Router(context: ConsoleContext.self)
        router.add(middleware: ConsoleSessionMiddleware(console: console))
        router.add(middleware: ConsoleErrorMiddleware(pages: console.pages))
        router.get("/assets/console.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: ConsoleCSS.text)))
        }
        SignInPage.addRoutes(to: router, console: console)
        HomePage.addRoutes(to: router, console: console)
        ViewLogPage.addRoutes(to: router, console: console)
        AttendancePages.addRoutes(to: router, console: console)
        CaseworkPages.addRoutes(to: router, console: console, sender: sender)
        GovernancePages.addRoutes(to: router, console: console)
        OperationsPages.addRoutes(to: router, console: console)
        return router
    }

    /// The application: HTTP on the configured address, or HTTPS when `tls` is configured, with the attendance
    /// figures' warm-up (``AttendanceWarmUp``) as a service beside the server: it starts with it and stops on shutdown.
    ///
    /// - Throws: ``ConsoleError`` `tls-unusable` when the certificate or key cannot be read.
    public static func makeApplication(console: Console, sender: CaseMessageSender? = nil) throws -> some ApplicationProtocol {
        let configuration = console.configuration
        let router = makeRouter(console: console, sender: sender)
        let logger = console.logger
        let url = configuration.url
        let address = ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil)
        let services: [any Service] = console.attendanceFigures.map { [AttendanceWarmUp(figures: $0, logger: logger)] } ?? []
        let running: @Sendable (any Channel) async -> Void = { channel in
            logger.info("console: serving on \(url.replacingOccurrences(of: ":\(configuration.port)/", with: ":\(channel.localAddress?.port ?? configuration.port)/"))")
        }
        guard let tls = configuration.tls else {
            return Application(router: router, configuration: address, services: services, onServerRunning: running, logger: logger)
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            let settings = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            return Application(router: router, server: try .tls(.http1(), tlsConfiguration: settings), configuration: address,
                               services: services, onServerRunning: running, logger: logger)
        } catch {
            throw ConsoleError(.tlsUnusable, "Cannot use the TLS certificate \(tls.certificate) and key \(tls.key): \(error). Check they are PEM files readable by the console.")
        }
    }

    /// Serves the console until SIGTERM or SIGINT.
    public static func run(
        configuration: ConsoleConfiguration, sender: CaseMessageSender? = nil, logger: Logger = Logger(label: "liaison.console")
    ) async throws {
        let console = try Console.build(configuration: configuration, logger: logger)
        if console.desk == nil {
            logger.warning("console: the desk's store is not there yet (\(configuration.deskStorePath)): its pages will say so")
        }
        try await makeApplication(console: console, sender: sender).runService()
    }
}
