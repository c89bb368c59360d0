#!/usr/bin/python3
"""Reference LHP/1 adapter (client) for the Liaison hub, written from docs/protocol.md alone.

Library:  LiaisonClient(endpoint, server_public_key, public_key, secret_key, ...)
Command:  liaison_client.py --endpoint E --server-key S.pub --key A.key send|receive ...

Needs only the standard library and pyzmq with CURVE (Debian: apt install python3-zmq).
"""
import argparse, base64, collections, datetime, hashlib, json, logging, os, pathlib, sys, threading, time, uuid
from dataclasses import dataclass, field

import zmq

log = logging.getLogger("liaison_client")

SIGNATURE = b"LHP01"
HELLO, WELCOME, SEND, ACCEPTED, REJECTED, DELIVER, ACK, NACK, HEARTBEAT, GOODBYE = range(1, 11)
BACKOFF_START, BACKOFF_CAP = 0.1, 5.0   # section 5.2: reconnect back-off, 100 ms doubling to 5 s
NO_ANSWER = ("no answer from the hub at {}: is this agency's public key listed in agencies.yaml? "
             "(a refused CURVE key looks exactly like a hub that never answers)")


class Rejected(Exception):
    """The hub answered REJECTED with a 4xx code: the command will never succeed as it is."""
    def __init__(self, code, reason, reference=""):
        super().__init__(f"REJECTED {code}: {reason} (reference {reference!r})")
        self.code, self.reason, self.reference = code, reason, reference


class HubNotAnswering(ConnectionError):
    """No WELCOME arrived: the hub is down, or it refused this agency's CURVE key."""


@dataclass
class Delivery:
    tag: str               # ASCII decimal delivery tag (frame 2 of DELIVER)
    envelope: dict         # the sender's envelope, parsed
    body: bytes            # the body, unchanged
    envelope_bytes: bytes = field(repr=False, default=b"")   # the envelope frame exactly as sent
    session: int = field(repr=False, default=0)              # which session delivered it
    audit_entry: int = None  # the hub's audit entry recording this exchange (frame 5 of DELIVER)


@dataclass
class _Pending:            # a SEND not yet answered by ACCEPTED or REJECTED
    envelope: bytes
    body: bytes
    sent_in: int = -1      # session generation it was last sent in (-1: not sent in this session)
    retry_at: float = 0.0  # after a 5xx, not before this time
    backoff: float = BACKOFF_START


def utc_now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class LiaisonClient:
    """One adapter session with the hub. All socket I/O runs in a background thread so that heartbeats
    keep flowing while the application works on a delivery; the public methods are thread-safe."""

    def __init__(self, endpoint, server_public_key, public_key, secret_key, adapter="reference-python",
                 version="1.0", consumes=("*",), credit=16, hello_timeout=5.0):
        self.endpoint = endpoint
        self._keys = tuple(k.encode() if isinstance(k, str) else k
                           for k in (server_public_key, public_key, secret_key))
        self._hello = json.dumps({"adapter": adapter, "version": version,
                                  "consumes": list(consumes), "credit": int(credit)}).encode()
        self.welcome = {}                  # the last WELCOME object
        self.agency = None                 # learnt from WELCOME; used as the envelope's `source`
        self.errors = collections.deque(maxlen=100)   # REJECTEDs that answer no SEND (e.g. 420 on ACK)
        self._cv = threading.Condition()
        self._ctx = zmq.Context()
        self._sock = None
        self._ready = False                # True between WELCOME and the session's end
        self._generation = 0               # incremented at every WELCOME that opens a new session
        self._heartbeat = 1.0              # seconds; default until WELCOME says otherwise (5.2)
        self._backoff = BACKOFF_START
        self._reconnect_at = 0.0
        self._last_heard = self._last_beat = 0.0
        self._pending = collections.OrderedDict()     # message id -> _Pending
        self._answers = {}                 # message id -> receipt dict or Rejected
        self._deliveries = collections.deque()        # Delivery objects not yet handed out
        self._outbox = collections.deque() # (generation, frames) for ACK / NACK
        self._fatal = None
        self._closing = self._say_goodbye = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)        # a full pipe already means "wake up"
        self._thread = threading.Thread(target=self._run, name="liaison-io", daemon=True)
        self._thread.start()
        with self._cv:
            self._cv.wait_for(lambda: self._ready or self._fatal, hello_timeout)
            failure = self._fatal or (None if self._ready else HubNotAnswering(NO_ANSWER.format(endpoint)))
        if failure:
            self.close(goodbye=False)
            raise failure

    # ---------------------------------------------------------------- public API

    def send(self, type, recipients, body, subject=None, correlation_id=None, purpose=None,
             message_id=None, timeout=30):
        """Offer one message; return the ACCEPTED receipt dict or raise Rejected (4xx).
        5xx answers and connection losses are retried with the same id until `timeout` seconds."""
        if isinstance(recipients, str):
            recipients = [r.strip() for r in recipients.split(",") if r.strip()]
        message_id = message_id or str(uuid.uuid4())
        with self._cv:
            self._raise_fatal()
            envelope = {"specversion": "1.0", "id": message_id, "source": self.agency, "type": type,
                        "recipients": ",".join(recipients), "time": utc_now_rfc3339()}
            for key, value in (("subject", subject), ("correlationid", correlation_id), ("purpose", purpose)):
                if value is not None:
                    envelope[key] = value
            limit = self.welcome.get("max_body_bytes")
            if limit is not None and len(body) > limit:
                # Checked here because a frame over the broker's ZMQ_MAXMSGSIZE makes libzmq drop the
                # connection with no reply (section 3): re-sending it would loop for ever.
                raise Rejected(413, f"body is {len(body)} bytes; the hub's limit is {limit} "
                                    "(checked by the adapter before sending)", message_id)
            self._pending[message_id] = _Pending(json.dumps(envelope, separators=(",", ":")).encode(), bytes(body))
            self._wake()
            answered = self._cv.wait_for(lambda: message_id in self._answers or self._fatal, timeout)
            self._raise_fatal()
            if not answered:
                self._pending.pop(message_id, None)
                raise TimeoutError(f"no answer to SEND {message_id} within {timeout} s; "
                                   "re-send it with the same id")
            answer = self._answers.pop(message_id)
        if isinstance(answer, Rejected):
            raise answer
        return answer

    def receive(self, timeout=None):
        """Return the next Delivery, or None if none arrives within `timeout` seconds."""
        with self._cv:
            self._cv.wait_for(lambda: self._deliveries or self._fatal, timeout)
            self._raise_fatal()
            return self._deliveries.popleft() if self._deliveries else None

    def ack(self, delivery):
        """Settle a delivery (pass the Delivery, or its tag)."""
        self._settle(delivery, ACK)

    def nack(self, delivery, disposition="retry", reason=""):
        """Refuse a delivery: 'retry' (deliver again later) or 'reject' (dead letter at once)."""
        if disposition not in ("retry", "reject"):
            raise ValueError("disposition must be 'retry' or 'reject'")
        self._settle(delivery, NACK, disposition.encode(), reason.encode())

    def close(self, goodbye=True):
        """Flush pending ACK/NACKs, say GOODBYE and release the socket."""
        with self._cv:
            if self._closing:
                return
            self._closing, self._say_goodbye = True, goodbye
            self._wake()
        self._thread.join()
        self._ctx.term()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---------------------------------------------------------------- helpers for callers

    def _settle(self, delivery, command, *extra):
        tag = delivery.tag if isinstance(delivery, Delivery) else str(delivery)
        with self._cv:
            self._raise_fatal()
            # A tag is only known to the session that delivered it (420 otherwise). If that session has
            # since been replaced, the ACK is dropped: the hub will deliver the message again anyway.
            session = delivery.session if isinstance(delivery, Delivery) else self._generation
            self._outbox.append((session, [SIGNATURE, bytes([command]), tag.encode("ascii"), *extra]))
            self._wake()

    def _raise_fatal(self):        # e.g. the hub refused our HELLO: nothing else can work
        if self._fatal:
            raise self._fatal

    def _wake(self):
        try:
            os.write(self._wake_w, b"!")
        except BlockingIOError:
            pass

    # ---------------------------------------------------------------- the I/O thread

    def _run(self):
        try:
            while True:
                with self._cv:
                    if self._closing:
                        break
                    now = time.monotonic()
                    if self._sock is None and now >= self._reconnect_at:
                        self._open(now)
                    self._flush(now)
                    timeout = self._next_timer(now)
                    sock = self._sock
                poller = zmq.Poller()
                poller.register(self._wake_r, zmq.POLLIN)
                if sock is not None:
                    poller.register(sock, zmq.POLLIN)
                events = dict(poller.poll(max(0, int(timeout * 1000))))
                if self._wake_r in events:
                    os.read(self._wake_r, 65536)     # drain the wake-ups (the pipe holds at most 64 KiB)
                with self._cv:
                    while self._sock is not None and self._sock is sock:
                        try:
                            frames = sock.recv_multipart(zmq.NOBLOCK)
                        except zmq.Again:
                            break
                        self._handle(frames, time.monotonic())
                    self._check_liveness(time.monotonic())
                    self._cv.notify_all()
            with self._cv:
                if self._sock is not None:
                    self._flush(time.monotonic())
                    if self._ready and self._say_goodbye:
                        self._send([SIGNATURE, bytes([GOODBYE])])
                    self._drop(linger_ms=2000)
        except Exception as e:             # never die silently: surface the error to callers
            log.exception("I/O thread failed")
            with self._cv:
                self._fatal = self._fatal or e
                self._drop()
                self._cv.notify_all()

    def _open(self, now):
        """A new socket (hence a new connection and routing id) and a HELLO on it."""
        sock = self._ctx.socket(zmq.DEALER)
        server_key, public_key, secret_key = self._keys
        sock.curve_serverkey, sock.curve_publickey, sock.curve_secretkey = server_key, public_key, secret_key
        sock.linger = 0
        sock.connect(self.endpoint)
        self._sock = sock
        self._say_hello(now)

    def _say_hello(self, now):
        self._ready = False
        self._last_heard = now
        self._send([SIGNATURE, bytes([HELLO]), self._hello])

    def _drop(self, linger_ms=0):
        """Treat the session as gone: close the socket and schedule a reconnect after the back-off."""
        if self._sock is not None:
            self._sock.close(linger=linger_ms)
        self._sock, self._ready = None, False
        self._reconnect_at = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, BACKOFF_CAP)

    def _send(self, frames):
        try:
            self._sock.send_multipart(frames, zmq.NOBLOCK)
            return True
        except zmq.Again:                  # high-water mark: try again on the next turn
            return False

    def _flush(self, now):
        if not self._ready:
            return
        while self._outbox:                # ACK / NACK, only on the session that delivered the tag
            generation, frames = self._outbox[0]
            if generation == self._generation and not self._send(frames):
                break
            self._outbox.popleft()
        for p in self._pending.values():   # every SEND not yet sent in this session (or due for retry)
            if p.sent_in != self._generation and now >= p.retry_at:
                if not self._send([SIGNATURE, bytes([SEND]), p.envelope, p.body]):
                    break
                p.sent_in = self._generation
        if now - self._last_beat >= self._heartbeat:
            self._send([SIGNATURE, bytes([HEARTBEAT])])
            self._last_beat = now

    def _next_timer(self, now):
        if self._sock is None:
            return self._reconnect_at - now
        timers = [now + 1.0, self._last_heard + 3 * self._heartbeat]
        if self._ready:
            timers.append(self._last_beat + self._heartbeat)
            timers += [p.retry_at for p in self._pending.values() if p.sent_in != self._generation]
        return min(timers) - now

    def _check_liveness(self, now):
        # 3 silent intervals: the hub is gone (5.2). Before WELCOME this also bounds the wait for an
        # answer to HELLO, so a hub that never answers is retried with back-off.
        if self._sock is not None and now - self._last_heard > 3 * self._heartbeat:
            log.warning("hub silent for %.1f s; reconnecting in %.1f s", now - self._last_heard, self._backoff)
            self._drop()

    def _handle(self, frames, now):
        if len(frames) < 2 or frames[0] != SIGNATURE or len(frames[1]) != 1:
            log.warning("ignoring a message that is not LHP/1: %r", frames[:2])
            return
        self._last_heard = now             # any command counts as a sign of life
        command, args = frames[1][0], frames[2:]
        if command == WELCOME and len(args) == 1:
            self.welcome = json.loads(args[0])          # unknown keys are ignored, as required
            self.agency = self.welcome["agency"]
            self._heartbeat = self.welcome.get("heartbeat_ms", 1000) / 1000.0
            if not self._ready:            # a new session: earlier tags are void, SENDs go again
                self._generation += 1
                self._deliveries.clear()   # not yet handed out; the hub will deliver them again
            self._ready, self._backoff = True, BACKOFF_START
        elif command == ACCEPTED and len(args) == 2:
            message_id = args[0].decode()
            if self._pending.pop(message_id, None) is not None:
                self._answers[message_id] = json.loads(args[1])
        elif command == REJECTED and len(args) == 3:
            code = int(args[1]) if args[1].isdigit() else 0
            self._rejected(args[0].decode("utf-8", "replace"), code, args[2].decode("utf-8", "replace"), now)
        elif command == DELIVER and len(args) == 4:
            tag = args[0].decode("ascii")
            try:
                envelope = json.loads(args[1])
            except ValueError:
                envelope = {}
            entry = int(args[3]) if args[3].isdigit() else None
            self._deliveries.append(Delivery(tag, envelope, args[2], args[1], self._generation, entry))
        elif command == GOODBYE and not args:
            log.info("hub said GOODBYE; reconnecting")
            self._drop()
        elif command != HEARTBEAT or args:
            log.warning("ignoring command 0x%02x with %d frames", command, len(args))

    def _rejected(self, reference, code, reason, now):
        if code == 403:
            # "say HELLO first": the hub restarted or forgot us. Say HELLO again (once); unanswered
            # SENDs, including the one this 403 names, go again after WELCOME as its sent_in is stale.
            if self._ready:
                log.info("hub answered 403 (%s); saying HELLO again", reason)
                self._say_hello(now)
            return
        pending = self._pending.get(reference)
        if pending is not None and code >= 500:      # the hub could not do it now: re-send later
            pending.sent_in, pending.retry_at = -1, now + pending.backoff
            pending.backoff = min(pending.backoff * 2, BACKOFF_CAP)
        elif pending is not None:
            del self._pending[reference]
            self._answers[reference] = Rejected(code, reason, reference)
        elif not self._ready and not reference:      # our HELLO itself was refused: nothing will work
            self._fatal = Rejected(code, f"HELLO refused: {reason}", reference)
        else:
            log.warning("REJECTED %d for %r: %s", code, reference, reason)
            self.errors.append(Rejected(code, reason, reference))


# -------------------------------------------------------------------- command line

def read_key(path):
    with open(path) as f:
        key = f.read().strip()
    if len(key) != 40:
        raise SystemExit(f"{path}: expected a 40-character Z85 key, found {len(key)} characters")
    return key


def parse_args(argv):
    p = argparse.ArgumentParser(description="Reference LHP/1 adapter for the Liaison hub.")
    p.add_argument("--endpoint", required=True, help="e.g. tcp://hub.example:5555 or ipc:///run/liaison.sock")
    p.add_argument("--server-key", required=True, help="file holding the hub's Z85 public key (.pub)")
    p.add_argument("--key", required=True, help="file holding this agency's Z85 secret key (.key)")
    p.add_argument("--adapter", default="reference-python", help="adapter name sent in HELLO")
    p.add_argument("-v", "--verbose", action="store_true", help="log protocol events to stderr")
    commands = p.add_subparsers(dest="command", required=True)
    s = commands.add_parser("send", help="send one message and print the receipt")
    s.add_argument("--type", required=True)
    s.add_argument("--to", required=True, help="recipient agencies, comma-separated")
    s.add_argument("--file", required=True, help="the body ('-' for standard input)")
    s.add_argument("--id", help="message id (default: a new UUID)")
    for option in ("--subject", "--correlation-id", "--purpose"):
        s.add_argument(option)
    s.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the answer (default 30)")
    r = commands.add_parser("receive", help="receive N deliveries, printing one JSON line each")
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for all N (default 30)")
    r.add_argument("--consumes", default="*", help="message types to consume, comma-separated (default *)")
    settle = r.add_mutually_exclusive_group()
    settle.add_argument("--ack", action="store_true", help="acknowledge each delivery (the default)")
    settle.add_argument("--nack-reject", action="store_true", help="NACK each delivery with 'reject'")
    return p.parse_args(argv)


def print_rejected(e):
    print(json.dumps({"rejected": e.code, "reason": e.reason, "reference": e.reference}), flush=True)
    return 1


def main(argv=None):
    """Exit codes: 0 done, 1 rejected (JSON on stdout), 2 time-out or no answer (message on stderr)."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    secret = read_key(args.key)
    public = zmq.curve_public(secret.encode()).decode()
    consumes = [t for t in getattr(args, "consumes", "*").split(",") if t]
    try:
        client = LiaisonClient(args.endpoint, read_key(args.server_key), public, secret,
                               adapter=args.adapter, consumes=consumes)
    except HubNotAnswering as e:
        print(e, file=sys.stderr)
        return 2
    except Rejected as e:
        return print_rejected(e)
    with client:
        if args.command == "send":
            body = sys.stdin.buffer.read() if args.file == "-" else pathlib.Path(args.file).read_bytes()
            message_id = args.id or str(uuid.uuid4())
            try:
                receipt = client.send(args.type, args.to, body, subject=args.subject, purpose=args.purpose,
                                      correlation_id=args.correlation_id, message_id=message_id,
                                      timeout=args.timeout)
            except Rejected as e:
                return print_rejected(e)
            except TimeoutError as e:
                print(e, file=sys.stderr)
                return 2
            print(json.dumps({"accepted": receipt, "id": message_id}), flush=True)
            return 0
        deadline = time.monotonic() + args.timeout
        for _ in range(args.count):
            delivery = client.receive(timeout=max(0.0, deadline - time.monotonic()))
            if delivery is None:
                print(f"timed out after {args.timeout} s", file=sys.stderr)
                return 2
            try:
                body, encoding = delivery.body.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                body, encoding = base64.b64encode(delivery.body).decode(), "base64"
            print(json.dumps({"tag": delivery.tag, "envelope": delivery.envelope, "body": body,
                              "body_encoding": encoding,
                              "body_sha256": hashlib.sha256(delivery.body).hexdigest()}), flush=True)
            if args.nack_reject:
                client.nack(delivery, "reject", "refused by reference-python receive --nack-reject")
            else:
                client.ack(delivery)
        return 0


if __name__ == "__main__":
    sys.exit(main())
