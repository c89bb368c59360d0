#!/usr/bin/env python3
"""`make bench-peers [PEERS_MESSAGES=N] [PEERS_WINDOW=W] [PEERS_ROUNDS=R]`: RabbitMQ and the hub side by side in
one run, with the same message size (1 KiB) and window (256 by default), and the ratio hub / RabbitMQ.

RabbitMQ (Debian's rabbitmq-server, driven with pika) runs as a PRIVATE node: its own temporary folder (mnesia,
logs, config, an empty plugin list), its own HOME and Erlang cookie, its own node name, and its own AMQP,
distribution and epmd ports on 127.0.0.1. The system service (if any) is neither used nor touched. The node is
stopped by its pid (SIGTERM, then SIGKILL to its process group) and the folder removed before the hub is
measured, and also on failure or Ctrl-C.

Each RabbitMQ figure, for a classic and a quorum queue: a durable queue, N persistent messages (delivery_mode=2)
of 1 KiB sent by one connection with publisher confirms and at most W unconfirmed, received by another
connection with prefetch W and a manual ack for each delivery. The two connections run concurrently, each in a
process of its own (so Python's GIL does not couple them), and the rate is N divided by the time from the first
publish until every message is both confirmed and acked: messages fully round-tripped. That is what the hub's
figure measures: its sender has W sends awaiting ACCEPTED (sent after the durable commit), its receiver W credit,
and it acks each delivery (`LiaisonBench peers`, Sources/LiaisonBench/PeerBench.swift).

Both sides run their clients on the same machine as the server: the hub's in its own process, RabbitMQ's in two
Python processes. The script prints the CPU seconds of the RabbitMQ node and of the pika clients, so a reader can
see which side was the bottleneck.

    /usr/bin/python3 scripts/bench_peers.py --bench PATH/LiaisonBench [--messages N] [--window W] [--rounds R]
"""
import argparse
import glob
import logging
import multiprocessing
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# make bench-peers falls back to `pip install --target var/pika pika` where Debian has no python3-pika.
sys.path.append(os.path.join(ROOT, "var", "pika"))
try:
    import pika
except ImportError:
    sys.exit("pika is missing: install Debian's python3-pika (make bench-peers does) or pip install --target var/pika pika")

# Debian's server script, not the /usr/sbin wrapper: that one switches to the rabbitmq user and to the system
# service's folders (/var/lib/rabbitmq), which this benchmark must leave alone.
RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
BODY_SIZE = 1024
NOT_QUIET = []  # the figures during which other processes took more than 5% of the machine
QUEUE_KINDS = ("classic", "quorum")


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and what to look at."""


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def package_version(name):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True).stdout or "?"
    except OSError:
        return "?"


def cpu_seconds(pid):
    """User + system CPU time of one process (all its threads), from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_busy_seconds():
    """CPU time every process on the machine has used since boot (all cores, user and system), from /proc/stat: the
    difference over a figure, less this run's own processes, is what others took meanwhile. Interrupts, softirqs
    (loopback networking is done there, for whichever side is measured) and the hypervisor's steal are left out."""
    with open("/proc/stat") as f:
        user, nice, system = [int(x) for x in f.readline().split()[1:4]]
    return (user + nice + system) / os.sysconf("SC_CLK_TCK")


def others_note(others, seconds):
    """Says how much CPU other processes took during a figure, and whether that makes it unreliable."""
    note = f"other processes {max(0.0, others):.1f} CPU-s"
    if others > 0.05 * (os.cpu_count() or 1) * seconds:
        note += " (NOT QUIET: rerun this figure on an idle machine)"
        NOT_QUIET.append(note)
    return note


class PrivateNode:
    """A RabbitMQ node of this run only, in `folder`, on loopback ports chosen at start."""

    def __init__(self, folder):
        self.folder = folder
        self.amqp_port = free_port()
        self.dist_port = free_port()
        self.epmd_port = free_port()
        self.process = None
        self.log_path = os.path.join(folder, "server.out")

    def start(self, timeout=180):
        home = os.path.join(self.folder, "home")
        os.makedirs(home, mode=0o700)
        cookie = os.path.join(home, ".erlang.cookie")
        with open(os.open(cookie, os.O_WRONLY | os.O_CREAT, 0o400), "w") as f:
            f.write(secrets.token_hex(20))
        with open(os.path.join(self.folder, "rabbitmq.conf"), "w") as f:
            f.write("log.console = false\nlog.file.level = warning\n")
        with open(os.path.join(self.folder, "enabled_plugins"), "w") as f:
            f.write("[].\n")
        open(os.path.join(self.folder, "rabbitmq-env.conf"), "w").close()
        env = {
            "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "HOME": home,
            "RABBITMQ_NODENAME": f"liaison-bench-{os.getpid()}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_MNESIA_BASE": os.path.join(self.folder, "mnesia"),
            "RABBITMQ_LOG_BASE": os.path.join(self.folder, "log"),
            "RABBITMQ_CONFIG_FILE": os.path.join(self.folder, "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": os.path.join(self.folder, "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": os.path.join(self.folder, "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(self.folder, "enabled_plugins"),
            "RABBITMQ_PID_FILE": os.path.join(self.folder, "rabbitmq.pid"),
        }
        with open(self.log_path, "wb") as log:
            # A session of its own: Ctrl-C reaches this script, which stops the node itself, and SIGKILL can take
            # the node's whole process group (the shell script, beam.smp, erl_child_setup) by the script's pid.
            self.process = subprocess.Popen(
                [RABBITMQ_SERVER], cwd=self.folder, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"RabbitMQ exited with {self.process.returncode} while starting:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.amqp_port), timeout=1):
                    pass
                connection = pika.BlockingConnection(self.parameters())
                connection.close()
                return
            except (OSError, pika.exceptions.AMQPError):
                time.sleep(0.5)
        raise BenchError(f"RabbitMQ did not accept AMQP connections within {timeout} s:\n{self.log_tail()}")

    def parameters(self):
        return pika.ConnectionParameters(
            host="127.0.0.1", port=self.amqp_port, credentials=pika.PlainCredentials("guest", "guest"),
            connection_attempts=1, heartbeat=600)

    def beam_pid(self):
        """The Erlang VM's pid: the server script's child (the script waits on it to forward signals)."""
        if self.process is None:
            return None
        try:
            with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as f:
                children = f.read().split()
            return int(children[0]) if children else self.process.pid
        except OSError:
            return None

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no output)"

    def stop(self):
        """Stops the node by its pid, then its private epmd (found by the port only this run uses)."""
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGTERM)
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process is not None:
            try:  # anything of the node's group still alive (erl_child_setup, inet_gethost)
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in self.epmd_pids():
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def epmd_pids(self):
        """The epmd that erl started for this node: it daemonises (leaving the node's group), but keeps the
        environment, and no other epmd has this run's ERL_EPMD_PORT."""
        marker = f"ERL_EPMD_PORT={self.epmd_port}".encode()
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() != "epmd":
                        continue
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if marker in f.read().split(b"\0"):
                        found.append(int(entry))
            except OSError:
                continue
        return found


def publisher(parameters, queue, messages, window, ready, go, results):
    """Publishes `messages` persistent bodies, at most `window` unconfirmed; reports when all are confirmed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops these and the node
    body = b"A" * BODY_SIZE
    properties = pika.BasicProperties(delivery_mode=2)
    state = {"sent": 0, "confirmed": 0, "pending": set(), "error": None, "start": None, "end": None}

    def publish_more(channel):
        pending = state["pending"]
        while len(pending) < window and state["sent"] < messages:
            channel.basic_publish("", queue, body, properties)
            state["sent"] += 1
            pending.add(state["sent"])  # delivery tags count from 1 after confirm.select

    def on_confirm(frame, channel):
        method = frame.method
        if isinstance(method, pika.spec.Basic.Nack):
            state["error"] = f"RabbitMQ nacked delivery {method.delivery_tag}"
            channel.connection.close()
            return
        pending = state["pending"]
        if method.multiple:
            done = [tag for tag in pending if tag <= method.delivery_tag]
        else:
            done = [method.delivery_tag] if method.delivery_tag in pending else []
        pending.difference_update(done)
        state["confirmed"] += len(done)
        if state["confirmed"] == messages:
            state["end"] = time.monotonic()
            channel.connection.close()
        else:
            publish_more(channel)

    def on_confirm_mode(_frame, channel):
        ready.set()
        go.wait()
        state["start"] = time.monotonic()
        publish_more(channel)

    def on_channel(channel):
        channel.confirm_delivery(ack_nack_callback=lambda frame: on_confirm(frame, channel),
                                 callback=lambda frame: on_confirm_mode(frame, channel))

    run_connection(parameters, on_channel, state)
    results.put(("publisher", state["start"], state["end"], state["confirmed"], state["error"], cpu_of_self()))


def consumer(parameters, queue, messages, window, ready, results):
    """Consumes with prefetch `window`, acking each delivery; reports when `messages` are acked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    state = {"acked": 0, "error": None, "start": None, "end": None}

    def on_message(channel, method, _properties, _body):
        channel.basic_ack(method.delivery_tag)
        state["acked"] += 1
        if state["acked"] == messages:
            state["end"] = time.monotonic()
            channel.connection.close()

    def on_channel(channel):
        def consume(_frame):
            channel.basic_consume(queue, on_message, auto_ack=False, callback=lambda _frame: ready.set())
        channel.basic_qos(prefetch_count=window, callback=consume)

    run_connection(parameters, on_channel, state)
    results.put(("consumer", state["start"], state["end"], state["acked"], state["error"], cpu_of_self()))


def run_connection(parameters, on_channel, state):
    """pika's asynchronous connection (SelectConnection), the fastest way pika has to keep a window full."""
    def on_open(connection):
        connection.channel(on_open_callback=on_channel)

    def on_open_error(connection, error):
        state["error"] = f"cannot connect: {error!r}"
        connection.ioloop.stop()

    def on_close(connection, reason):
        if state["end"] is None and state["error"] is None:
            state["error"] = f"connection closed: {reason!r}"
        connection.ioloop.stop()

    connection = pika.SelectConnection(parameters, on_open_callback=on_open,
                                       on_open_error_callback=on_open_error, on_close_callback=on_close)
    connection.ioloop.start()


def cpu_of_self():
    times = os.times()
    return times.user + times.system


def measure_rabbitmq(node, kind, messages, window):
    """One figure: a fresh durable queue of `kind`, N messages round-tripped; returns (rate, details)."""
    queue = f"bench-{kind}"
    setup = pika.BlockingConnection(node.parameters())
    channel = setup.channel()
    channel.queue_delete(queue)
    channel.queue_declare(queue, durable=True, arguments={"x-queue-type": kind})
    setup.close()

    context = multiprocessing.get_context("fork")
    ready_publisher, ready_consumer, go = context.Event(), context.Event(), context.Event()
    results = context.Queue()
    workers = [
        context.Process(target=consumer, args=(node.parameters(), queue, messages, window, ready_consumer, results)),
        context.Process(target=publisher, args=(node.parameters(), queue, messages, window, ready_publisher, go, results)),
    ]
    beam = node.beam_pid()
    try:
        for worker in workers:
            worker.start()
        for ready in (ready_consumer, ready_publisher):
            if not ready.wait(60):
                raise BenchError(f"the pika clients did not get ready within 60 s ({kind} queue)")
        node_cpu_before = cpu_seconds(beam)
        busy_before = machine_busy_seconds()
        start = time.monotonic()
        go.set()
        reports = {}
        limit = max(300.0, messages / 100)
        for _ in workers:
            try:
                role, _, end, count, error, cpu = results.get(timeout=limit)
            except Exception:  # queue.Empty
                raise BenchError(f"the {kind} run did not finish within {limit:.0f} s") from None
            if error or end is None:
                raise BenchError(f"{role} ({kind} queue): {error or 'stopped early'} after {count} messages")
            reports[role] = (end, cpu)
        node_cpu = cpu_seconds(beam) - node_cpu_before
        busy = machine_busy_seconds() - busy_before
        for worker in workers:
            worker.join(10)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
                worker.join()

    check = pika.BlockingConnection(node.parameters())
    channel = check.channel()
    left = channel.queue_declare(queue, durable=True, passive=True, arguments={"x-queue-type": kind}).method.message_count
    channel.queue_delete(queue)
    check.close()
    if left:
        raise BenchError(f"{left} messages were left on the {kind} queue after the run")
    confirmed, acked = reports["publisher"][0] - start, reports["consumer"][0] - start
    seconds = max(confirmed, acked)
    client_cpu = reports["publisher"][1] + reports["consumer"][1]
    detail = (f"all confirmed after {confirmed:.2f} s, all acked after {acked:.2f} s; "
              f"CPU: node {node_cpu:.1f} s, pika clients {client_cpu:.1f} s, "
              + others_note(busy - node_cpu - client_cpu, seconds))
    return messages / seconds, detail


def measure_rabbitmq_node(messages, window):
    """A private node for one round: both queue kinds, then the node is stopped and its folder removed, so that the
    hub runs as in make bench, with no RabbitMQ on the machine (an idle node takes little CPU, about 0.3% measured,
    but its memory and its disk writes are gone too)."""
    folder = tempfile.mkdtemp(prefix="liaison-rabbitmq-")
    node = PrivateNode(folder)
    rates = {}
    try:
        node.start()
        print(f"RabbitMQ: private node pid {node.process.pid} on 127.0.0.1:{node.amqp_port}, folder {folder}", flush=True)
        for kind in QUEUE_KINDS:
            rate, detail = measure_rabbitmq(node, kind, messages, window)
            rates[kind] = rate
            print(f"RabbitMQ {kind:<8} {rate:8.0f} msg/s  ({detail})", flush=True)
    finally:
        node.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"RabbitMQ: node {node.process.pid if node.process else '-'} stopped, folder removed", flush=True)
    return rates


def measure_hub(bench, messages, window):
    """`LiaisonBench peers N W` from the repository root; its lines printed as they come, its figures parsed."""
    figures = {}
    command = [bench, "peers", str(messages), str(window)]
    if not os.access(bench, os.X_OK):
        raise BenchError(f"{bench} is not an executable: build it with swift build -c release --product LiaisonBench")
    def children_cpu():
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    busy_before, children_before, start = machine_busy_seconds(), children_cpu(), time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:
            print("  " + line.rstrip(), flush=True)
            match = re.match(r"^(hub-[a-z]+)\s+([0-9.]+) msg/s", line)
            if match:
                figures[match.group(1)] = float(match.group(2))
        process.wait()
        seconds, own = time.monotonic() - start, children_cpu() - children_before
        print(f"  (LiaisonBench: {seconds:.1f} s, {own:.1f} CPU-s; "
              + others_note(machine_busy_seconds() - busy_before - own, seconds) + ")", flush=True)
    finally:
        if process.poll() is None:  # interrupted or failed here: the bench is stopped by its pid, not waited for
            process.kill()
            process.wait()
        # A killed LiaisonBench leaves its hubs' folders (PeerBench and HubBench name them by its pid).
        for leftover in glob.glob(os.path.join(tempfile.gettempdir(), f"liaison-*-{process.pid}-*")):
            shutil.rmtree(leftover, ignore_errors=True)
    if process.returncode != 0 or not figures:
        raise BenchError(f"{' '.join(command)} failed (exit {process.returncode})")
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", required=True, help="the release LiaisonBench binary")
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=1, help="repeat the whole comparison (RabbitMQ, then the hub)")
    options = parser.parse_args()
    if not os.path.exists(RABBITMQ_SERVER):
        sys.exit(f"{RABBITMQ_SERVER} is missing: install Debian's rabbitmq-server (make bench-peers does).")
    logging.getLogger("pika").setLevel(logging.CRITICAL)  # refused connections while the node boots are expected
    # SIGTERM and SIGHUP end the run as Ctrl-C does, through the finally below.
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda received, _frame: sys.exit(128 + received))

    print(f"bench-peers: {options.messages} messages of {BODY_SIZE} B, window {options.window}, "
          f"{os.cpu_count()} cores; RabbitMQ {package_version('rabbitmq-server')} "
          f"(Erlang {package_version('erlang-base')}), pika {pika.__version__}", flush=True)
    rabbit = {kind: [] for kind in QUEUE_KINDS}
    hub = {}
    try:
        for round_number in range(1, options.rounds + 1):
            if options.rounds > 1:
                print(f"round {round_number} of {options.rounds}", flush=True)
            for kind, rate in measure_rabbitmq_node(options.messages, options.window).items():
                rabbit[kind].append(rate)
            for name, rate in measure_hub(options.bench, options.messages, options.window).items():
                hub.setdefault(name, []).append(rate)
    except BenchError as error:
        print(f"bench-peers failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench-peers interrupted; the RabbitMQ node and the hub bench are stopped", file=sys.stderr)
        return 130

    def mean(values):
        return sum(values) / len(values)

    print("\nhub / RabbitMQ" + ("" if options.rounds == 1 else f" (means of {options.rounds} rounds)") + ":")
    print(f"  {'':<11}" + "".join(f"{kind:>10}" for kind in QUEUE_KINDS))
    for name in ("hub-county", "hub-plain"):
        if name in hub:
            print(f"  {name:<11}" + "".join(f"{mean(hub[name]) / mean(rabbit[kind]):9.2f}x" for kind in QUEUE_KINDS))
    print("hub-county: the county's schemas and agreements (schools-mis -> npas attendance.return); "
          "hub-plain: make bench's hub figure (no schemas, no agreements)")
    if NOT_QUIET:
        print(f"NOT QUIET: other processes took CPU during {len(NOT_QUIET)} figure(s); do not quote these ratios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
