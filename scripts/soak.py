#!/usr/bin/env python3
"""`make soak SOAK_MINUTES=N SOAK_RATE=R`: a steady load on a real broker process for N minutes, to show that it
neither grows nor slows with time.

Schools-mis sends `attendance.return` bodies (schemas/examples/attendance.return/valid-1.json, about 3 KB, so
every message is schema-checked and decided by the agreements) to npas at R messages per second, from several
sender threads of the reference pyzmq client (adapters/reference-python); npas receives and acknowledges each
one. Every few seconds it samples the broker's resident memory (VmRSS in /proc/PID/status), and it times each
send from SEND to ACCEPTED. Each minute it prints the rate achieved, RSS and the latency's p50/p99.

At the end it reports PASS when
  - RSS is flat: after the first minute (warm-up: caches, SQLite's page cache, the WAL), the largest sample is
    within 10% of the smallest;
  - p99 is stable: after the first minute, no minute's p99 is more than twice the median of those minutes' p99s;
  - every message accepted was delivered and acknowledged (nothing left pending), and the rate held (at least
    95% of the messages offered were accepted).

    python3 scripts/soak.py --minutes N --rate R [--senders K] [--liaison PATH]

Everything it writes is under var/soak/.
"""
import argparse
import collections
import os
import statistics
import threading
import time

import liaison_harness as harness


def resident_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Minute:
    def __init__(self):
        self.latencies, self.rss, self.sent, self.failed = [], [], 0, 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "3")))
    parser.add_argument("--rate", type=float, default=float(os.environ.get("SOAK_RATE", "200")),
                        help="messages per second offered (default 200)")
    parser.add_argument("--senders", type=int, default=8, help="sender threads sharing one session (default 8)")
    parser.add_argument("--liaison", help="the liaison executable (default .build/debug/liaison)")
    parser.add_argument("--out", default=os.path.join(harness.ROOT, "var", "soak"))
    arguments = parser.parse_args()
    client_module = harness.reference_client()
    hub = harness.Hub(arguments.out, harness.find_liaison(arguments.liaison))
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    print(f"soak: {arguments.minutes} min at {arguments.rate:g} msg/s ({arguments.senders} senders), in {hub.folder}", flush=True)
    hub.create()
    hub.define_broker()
    hub.start("broker")
    broker = hub.pid("broker")
    server = open(hub.key("hub", public=True)).read().strip()

    def connect(agency, **options):
        secret = open(hub.key(agency)).read().strip()
        public = client_module.zmq.curve_public(secret.encode()).decode()
        return client_module.LiaisonClient(hub.endpoint, server, public, secret, adapter=f"soak-{agency}", **options)

    sender = connect("schools-mis", consumes=["soak.none"])
    receiver = connect("npas", consumes=["attendance.return"], credit=256)
    body = open(os.path.join(harness.ROOT, "schemas", "examples", "attendance.return", "valid-1.json"), "rb").read()

    minutes = collections.defaultdict(Minute)
    lock, stop, senders_done = threading.Lock(), threading.Event(), threading.Event()
    received = [0]
    begin = time.monotonic()
    total_seconds = arguments.minutes * 60

    def receive():
        # Until the senders have finished and every message they were told was accepted has arrived.
        while not (senders_done.is_set() and received[0] >= accepted_total()):
            delivery = receiver.receive(timeout=1)
            if delivery is None:
                if senders_done.is_set() and time.monotonic() - stopped_at[0] > 30:
                    return
                continue
            receiver.ack(delivery)
            received[0] += 1

    def accepted_total():
        with lock:
            return sum(len(m.latencies) for m in minutes.values())

    def send(index):
        # Each sender owns every K-th slot of one schedule, so together they offer `rate` evenly.
        interval = arguments.senders / arguments.rate
        due = begin + index / arguments.rate
        n = 0
        while not stop.is_set():
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            minute = int((time.monotonic() - begin) // 60)
            n += 1
            t0 = time.perf_counter()
            try:
                sender.send("attendance.return", ["npas"], body, message_id=f"soak-{index}-{n}", timeout=30)
                latency = (time.perf_counter() - t0) * 1000
                with lock:
                    minutes[minute].latencies.append(latency)
                    minutes[minute].sent += 1
            except Exception:   # counted: a refusal or a time-out is a failure of the soak
                with lock:
                    minutes[minute].failed += 1
                    minutes[minute].sent += 1
            due += interval
            # Behind schedule (the hub, or this Python, cannot keep up): do not burst to catch up.
            due = max(due, time.monotonic() - 1)

    stopped_at = [0.0]
    threads = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(arguments.senders)]
    receiving = threading.Thread(target=receive, daemon=True)
    for thread in threads + [receiving]:
        thread.start()
    reported = 0
    print(f"{'minute':>6} {'offered/s':>10} {'accepted/s':>10} {'failed':>7} {'RSS MB':>8} {'p50 ms':>8} {'p99 ms':>8}", flush=True)
    while time.monotonic() - begin < total_seconds:
        time.sleep(5)
        minute = int((time.monotonic() - begin) // 60)
        with lock:
            minutes[minute].rss.append(resident_kib(broker))
        while reported < minute:
            with lock:
                m = minutes[reported]
                rss = max(m.rss) / 1024 if m.rss else float("nan")
            print(f"{reported + 1:>6} {m.sent / 60:>10.0f} {len(m.latencies) / 60:>10.0f} {m.failed:>7} {rss:>8.1f} "
                  f"{harness.percentile(m.latencies, 0.5):>8.2f} {harness.percentile(m.latencies, 0.99):>8.2f}", flush=True)
            reported += 1
    stop.set()
    stopped_at[0] = time.monotonic()
    for thread in threads:
        thread.join(timeout=60)
    senders_done.set()
    receiving.join(timeout=60)
    last_rss = resident_kib(broker)
    # The last ACKs leave on the client's I/O thread: give the broker a moment to record them.
    for _ in range(50):
        pending = hub.query("SELECT count(*) FROM deliveries WHERE state = 'pending'")[0][0]
        if pending == 0:
            break
        time.sleep(0.1)
    sender.close()
    receiver.close()
    hub.stop_all()

    full = [m for i, m in sorted(minutes.items()) if i < int(total_seconds // 60)]
    steady = full[1:] if len(full) > 1 else full
    rss = [sample for m in steady for sample in m.rss]
    p99s = [harness.percentile(m.latencies, 0.99) for m in steady if m.latencies]
    offered = sum(m.sent for m in minutes.values())
    accepted = sum(len(m.latencies) for m in minutes.values())
    all_latencies = [x for m in minutes.values() for x in m.latencies]
    failures = []
    growth = (max(rss) - min(rss)) / min(rss) if rss else float("nan")
    if not rss or growth > 0.10:
        failures.append(f"RSS not flat after the first minute: {min(rss) / 1024:.1f}-{max(rss) / 1024:.1f} MB ({growth:.0%})")
    median_p99 = statistics.median(p99s) if p99s else float("nan")
    first = 2 if len(full) > 1 else 1
    unstable = [(i + first, p) for i, p in enumerate(p99s) if p > 2 * median_p99]
    if unstable:
        failures.append(f"p99 unstable: minute(s) {unstable} above twice the median p99 ({median_p99:.2f} ms)")
    if accepted < 0.95 * arguments.rate * total_seconds:
        failures.append(f"the rate did not hold: {accepted} accepted of {arguments.rate * total_seconds:.0f} due")
    if pending or received[0] < accepted:
        failures.append(f"{pending} deliveries pending, {received[0]} received of {accepted} accepted")

    print(f"\nsoak run of {started}: {arguments.minutes:g} min at {arguments.rate:g} msg/s offered")
    print(f"  messages: {offered} offered, {accepted} accepted ({accepted / (stopped_at[0] - begin):.0f}/s), {received[0]} delivered and acknowledged, {pending} pending")
    print(f"  broker RSS after minute 1: {min(rss) / 1024:.1f}-{max(rss) / 1024:.1f} MB (spread {growth:.1%}); at the end {last_rss / 1024:.1f} MB")
    print(f"  send to accepted: p50 {harness.percentile(all_latencies, 0.5):.2f} ms, p99 {harness.percentile(all_latencies, 0.99):.2f} ms overall;"
          f" per-minute p99 after minute 1: {', '.join(f'{p:.2f}' for p in p99s)} ms")
    if failures:
        print("FAIL")
        for failure in failures:
            print(f"  - {failure}")
        raise SystemExit(1)
    print("PASS: resident memory flat within 10%, p99 stable, nothing lost")


if __name__ == "__main__":
    main()
