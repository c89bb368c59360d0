import CZeroMQ
import Foundation
import LiaisonConfig
import ZeroMQ

/// The broker's sockets: the ZAP handler's REP, the ROUTER the adapters connect to, and the admin interface's REP
/// (`admin_endpoint`, if configured), made and bound in that order. A failed start closes every socket it made.
struct BrokerSockets {
    let context: ZeroMQContext
    let zap: ZeroMQSocket
    let router: ZeroMQSocket
    /// The admin interface's REP socket (`admin_endpoint`), if configured.
    let admin: ZeroMQSocket?

    /// Binds the ZAP handler, then the ROUTER socket (a CURVE server with the hub's secret key), then the admin
    /// interface; every failure names what to do about it.
    init(configuration: HubConfiguration, keyPair: CurveKeyPair) throws(BrokerError) {
        context = ZeroMQContext(ioThreads: 1)
        // The ZAP handler first: a CURVE server with no handler bound accepts any key (libzmq 4.3.4).
        // Every socket made here is closed before a throw: the context's deinit waits for its sockets, so an
        // open one would hang the failed start-up for ever (a second broker on a busy endpoint used to).
        let zapSocket: ZeroMQSocket
        do {
            zapSocket = try ZeroMQSocket(context: context, type: .rep)
        } catch {
            throw BrokerError(.zapBindFailed, "Cannot create the ZAP handler's socket (\(error)); refusing to run without authentication.")
        }
        do {
            try zapSocket.setOption(ZMQ_LINGER, 0)
            try zapSocket.bind(ZAPHandler.endpoint)
        } catch {
            zapSocket.close()
            throw BrokerError(.zapBindFailed, "Cannot bind the ZAP handler (\(error)); refusing to run without authentication.")
        }
        zap = zapSocket
        let routerSocket: ZeroMQSocket
        do {
            routerSocket = try ZeroMQSocket(context: context, type: .router)
        } catch {
            zapSocket.close()
            throw BrokerError(.bindFailed, "Cannot create the broker's socket: \(error).")
        }
        router = routerSocket
        do {
            try router.setOption(ZMQ_ROUTER_MANDATORY, 1)
            try router.setOption(ZMQ_LINGER, 1000)
            // Per peer: a well-behaved adapter reads its replies at once; past this the broker keeps a backlog of
            // at most `ReplyBacklogs.maxBacklog` and then disconnects the peer (docs/protocol.md §3, floods).
            try router.setOption(ZMQ_SNDHWM, 10_000)
            // Small: what a peer has sent and the broker has not read waits in the peer's own send queue, not here.
            try router.setOption(ZMQ_RCVHWM, 1000)
            // No frame larger than the largest the protocol allows is read at all (libzmq drops the connection).
            try router.setOption(ZMQ_MAXMSGSIZE, int64: Int64(max(configuration.maxBodyBytes, configuration.maxEnvelopeBytes)))
            try router.setOption(ZMQ_ZAP_DOMAIN, string: ZAPHandler.domain)
            try router.makeCurveServer(secretKey: keyPair.secretKey)
            try router.bind(configuration.endpoint)
        } catch {
            routerSocket.close()
            zapSocket.close()
            throw BrokerError(
                error.number == EADDRINUSE ? .alreadyRunning : .bindFailed,
                "Cannot listen on \(configuration.endpoint): \(error). Is another broker running there?")
        }
        if let endpoint = configuration.adminEndpoint {
            do { admin = try BrokerSockets.bindAdmin(context: context, endpoint: endpoint) } catch {
                routerSocket.close()
                zapSocket.close()
                throw error
            }
        } else {
            admin = nil
        }
    }

    /// Closes every socket and ends the context (at shutdown): the ROUTER lingers up to 500 ms for its last replies.
    func close() {
        admin?.close()
        router.close(lingerMilliseconds: 500)
        zap.close()
        context.terminate()
    }

    /// Binds the admin interface's REP socket: its folder made 0700 and the socket file 0600, so that only the
    /// hub's OS user can reach it; a stale socket file left by a broker that died is replaced (the instance lock
    /// is already held, so no other broker is using it).
    static func bindAdmin(context: ZeroMQContext, endpoint: String) throws(BrokerError) -> ZeroMQSocket {
        let path = String(endpoint.dropFirst("ipc://".count))
        let folder = (path as NSString).deletingLastPathComponent
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder)
        } catch {
            throw BrokerError(.bindFailed, "Cannot make the admin interface's folder \(folder) (0700): \(error). Check admin_endpoint.")
        }
        if manager.fileExists(atPath: path) { try? manager.removeItem(atPath: path) }
        let socket: ZeroMQSocket
        do { socket = try ZeroMQSocket(context: context, type: .rep) } catch {
            throw BrokerError(.bindFailed, "Cannot create the admin interface's socket: \(error).")
        }
        do {
            try socket.setOption(ZMQ_LINGER, 0)
            try socket.setOption(ZMQ_MAXMSGSIZE, int64: 64 << 10)
            try socket.bind(endpoint)
            try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } catch {
            socket.close()
            throw BrokerError(.bindFailed, "Cannot listen for the admin interface on \(endpoint): \(error). Check admin_endpoint.")
        }
        return socket
    }
}
