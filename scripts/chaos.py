#!/usr/bin/env python3
"""`make chaos CHAOS_MINUTES=N`: the broker and every adapter on a synthetic county, under load, while a random
process (the broker included) is killed with SIGKILL every few seconds and restarted. Then it checks, from the
hub's store, its audit log and the agencies' folders, that nothing accepted was lost:

  1. every message the load client was told ACCEPTED is in the store (acknowledge only after commit);
  2. every stored message reached each recipient its agreements permit: each delivery is acknowledged, or a
     dead letter the recipient itself refused (NACK reject, or NACK retry past max_attempts); none pending,
     none expired;
  3. redeliveries happen only as docs/protocol.md allows (at-least-once, under the same message id): every
     `delivered` audit entry of a (recipient, sequence) names the message's own id;
  4. the audit log agrees with the store (an `accepted` entry for every message, an `acknowledged` entry for
     every acknowledged delivery), and `liaison audit verify` passes;
  5. the agencies' folders: every export dropped in the schools' inbox ends in processed/ or failed/, and
     every delivery acknowledged to Social Services, the YOT or Connexions is a file in its outbox
     (outbox/TYPE/SEQUENCE.json) and a whole line in outbox/TYPE.csv (a repeated line, from a redelivery, has
     the same message id).

    python3 scripts/chaos.py --minutes N [--liaison PATH] [--rate MSGS_PER_S] [--seed S]

Exits 0 on PASS, 1 on FAIL. Everything it writes is under var/chaos/ (logs in var/chaos/logs/).
"""
import argparse
import collections
import csv
import glob
import json
import os
import random
import threading
import time

import liaison_harness as harness

KILLABLE = ["broker", "schools-mis", "npas-desk", "advisory-service", "courts", "social-services", "yot", "connexions"]


class LoadClient(threading.Thread):
    """Sends attendance returns as schools-mis (a second session beside the schools' adapter) at a steady rate,
    each under a fresh id, and records every id the hub ACCEPTED. The reference client re-sends a SEND until it
    is answered, across broker restarts, as docs/protocol.md asks."""

    def __init__(self, hub, rate, stop):
        super().__init__(name="load", daemon=True)
        self.hub, self.rate, self.stop = hub, rate, stop
        self.accepted, self.rejected, self.timeouts, self.error = [], collections.Counter(), 0, None
        self.body = open(os.path.join(harness.ROOT, "schemas", "examples", "attendance.return", "valid-1.json"), "rb").read()

    def run(self):
        try:
            self.send_until_stopped()
        except BaseException as error:   # a load that died would make every check below pass vacuously
            self.error = error
            raise

    def send_until_stopped(self):
        client_module = harness.reference_client()
        server = open(self.hub.key("hub", public=True)).read().strip()
        secret = open(self.hub.key("schools-mis")).read().strip()
        public = client_module.zmq.curve_public(secret.encode()).decode()
        client = None
        while client is None and not self.stop.is_set():
            try:
                client = client_module.LiaisonClient(self.hub.endpoint, server, public, secret, adapter="chaos-load",
                                                     consumes=["chaos.none"], hello_timeout=10)
            except client_module.HubNotAnswering:
                time.sleep(0.5)
        interval, next_at, n = 1.0 / self.rate, time.monotonic(), 0
        with open(os.path.join(self.hub.folder, "accepted.log"), "a") as log:
            while not self.stop.is_set():
                n += 1
                message_id = f"chaos-{os.getpid()}-{n}"
                try:
                    client.send("attendance.return", ["npas"], self.body, message_id=message_id, timeout=60)
                    self.accepted.append(message_id)
                    log.write(message_id + "\n")
                    log.flush()
                except client_module.Rejected as rejected:
                    self.rejected[rejected.code] += 1
                except TimeoutError:
                    self.timeouts += 1
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))
        client.close()


class Feeder(threading.Thread):
    """Drops the county's MIS exports into the schools' inbox, spread over `seconds`: CTF for most schools, the
    CSV register for every fifth, first half term then second, as the demo does."""

    def __init__(self, hub, county, seconds, stop):
        super().__init__(name="feeder", daemon=True)
        self.hub, self.stop = hub, stop
        files = []
        for half in ("ht1", "ht2"):
            for n, path in enumerate(sorted(glob.glob(f"{county}/ctf/*-{half}.xml")), 1):
                base = os.path.basename(path)[:-4]
                files.append(f"{county}/csv/{base}.csv" if n % 5 == 0 else path)
        self.files, self.dropped = files, []
        self.interval = seconds / max(1, len(files))

    def run(self):
        inbox = os.path.join(self.hub.agencies, "schools-mis", "inbox")
        os.makedirs(inbox, exist_ok=True)
        for path in self.files:
            if self.stop.is_set():
                break
            harness.drop(os.path.join(inbox, os.path.basename(path)), open(path, "rb").read())
            self.dropped.append(os.path.basename(path))
            self.stop.wait(self.interval)


class Killer(threading.Thread):
    """Every `low`-`high` seconds, kill -9 a random process and restart it after a short pause."""

    def __init__(self, hub, low, high, rng, stop):
        super().__init__(name="killer", daemon=True)
        self.hub, self.low, self.high, self.rng, self.stop = hub, low, high, rng, stop
        self.kills, self.failures = collections.Counter(), []

    def run(self):
        while not self.stop.wait(self.rng.uniform(self.low, self.high)):
            name = self.rng.choice(KILLABLE)
            self.hub.kill(name)
            self.kills[name] += 1
            time.sleep(self.rng.uniform(0.1, 1.0))
            try:
                self.hub.start(name, timeout=30)
            except RuntimeError as error:
                self.failures.append(str(error))
                try:
                    self.hub.start(name, timeout=30)
                except RuntimeError as again:
                    self.failures.append(f"and again: {again}")


def partner_lists(hub, county):
    """Social Services' children in care and the YOT's caseload, from the county, so the desk's shares flow."""
    rows = []
    for path in sorted(glob.glob(f"{county}/csv/*-ht1.csv")):
        rows.extend(csv.DictReader(open(path)))
    in_care = sorted({row["upn"] for row in rows if row.get("looked_after") == "true"})
    older = sorted({row["upn"]: row for row in rows if row.get("year_group") in ("10", "11")}.values(), key=lambda r: r["upn"])
    caseload = "upn,forename,surname,date_of_birth,case_reference\n" + "".join(
        f"{row['upn']},{row['forename']},{row['surname']},{row['dob']},YOT-CHAOS-{n:04}\n" for n, row in enumerate(older[:20:4]))
    harness.drop(os.path.join(hub.agencies, "social-services", "inbox", "children-in-care.csv"),
                 ("upn\n" + "".join(u + "\n" for u in in_care)).encode())
    harness.drop(os.path.join(hub.agencies, "yot", "inbox", "caseload.csv"), caseload.encode())
    return len(in_care), caseload.count("\n") - 1


def drain(hub, feeder, timeout):
    """Waits until the schools' inbox is empty and no delivery is pending, and the log has been still for 3 s."""
    folder = os.path.join(hub.agencies, "schools-mis")
    deadline, still_since, last = time.monotonic() + timeout, None, None
    while time.monotonic() < deadline:
        waiting = sum(len([f for f in os.listdir(os.path.join(folder, sub)) if not f.endswith((".part", ".txt"))])
                      for sub in ("inbox", "processing") if os.path.isdir(os.path.join(folder, sub)))
        pending = hub.query("SELECT count(*) FROM deliveries WHERE state = 'pending'")[0][0]
        entries = hub.query("SELECT max(entry) FROM audit_log")[0][0]
        if waiting == 0 and pending == 0 and not feeder.is_alive():
            still_since = still_since if entries == last else time.monotonic()
            if time.monotonic() - still_since >= 3:
                return True
        else:
            still_since = None
        last = entries
        time.sleep(0.5)
    return False


def check(hub, load, feeder):
    """The checks of the module's docstring. Returns (failures, figures)."""
    failures, figures = [], collections.OrderedDict()
    stored = {(source, mid): seq for seq, source, mid in hub.query("SELECT sequence, source, message_id FROM messages")}
    ids = {seq: mid for (source, mid), seq in stored.items()}
    figures["messages stored"] = len(stored)

    # 1. Accepted means stored.
    lost = [mid for mid in load.accepted if ("schools-mis", mid) not in stored]
    figures["load: accepted"] = len(load.accepted)
    figures["load: rejected"] = dict(load.rejected) or 0
    figures["load: timed out (never answered, so never promised)"] = load.timeouts
    if load.error is not None or not load.accepted:
        failures.append(f"the load client sent nothing accepted ({load.error!r})")
    if lost:
        failures.append(f"{len(lost)} messages ACCEPTED to the load client are not in the store, e.g. {lost[:3]}")

    # 2. Every permitted recipient settled.
    states = collections.Counter()
    for state, n in hub.query("SELECT state, count(*) FROM deliveries GROUP BY state"):
        states[state] = n
    figures["deliveries acknowledged"] = states["acknowledged"]
    figures["deliveries pending"] = states["pending"]
    dead = collections.Counter(cause for (cause,) in hub.query("SELECT cause FROM dead_letters"))
    figures["dead letters by cause"] = dict(dead) or 0
    if states["pending"]:
        failures.append(f"{states['pending']} deliveries still pending after the drain")
    if dead.get("expired"):
        failures.append(f"{dead['expired']} deliveries expired undelivered")
    undelivered = hub.query("SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.sequence = m.sequence)"
                            " AND EXISTS (SELECT 1 FROM audit_log a WHERE a.kind = 'decision' AND a.sequence = m.sequence AND a.code = 0)")[0][0]
    if undelivered:
        failures.append(f"{undelivered} messages with a permitting decision have no delivery")

    # 3. Redeliveries only under the message's own id.
    delivered = collections.Counter()
    wrong_ids = 0
    for recipient, sequence, mid in hub.query("SELECT recipient, sequence, message_id FROM audit_log WHERE kind = 'delivered'"):
        delivered[(recipient, sequence)] += 1
        if sequence in ids and mid is not None and mid != ids[sequence]:
            wrong_ids += 1
    figures["deliveries made"] = sum(delivered.values())
    figures["redeliveries (at-least-once)"] = sum(n - 1 for n in delivered.values())
    figures["resends the hub answered as duplicates"] = hub.query("SELECT count(*) FROM audit_log WHERE kind = 'duplicate'")[0][0]
    if wrong_ids:
        failures.append(f"{wrong_ids} deliveries carried another message's id")

    # 4. The audit log agrees with the store, and verifies.
    accepted_entries = {(agency, mid) for agency, mid in hub.query("SELECT agency, message_id FROM audit_log WHERE kind = 'accepted'")}
    unaudited = [key for key in stored if key not in accepted_entries]
    if unaudited:
        failures.append(f"{len(unaudited)} stored messages have no 'accepted' audit entry, e.g. {unaudited[:3]}")
    acked = hub.query("SELECT count(*) FROM deliveries d WHERE state = 'acknowledged' AND NOT EXISTS (SELECT 1 FROM audit_log a"
                      " WHERE a.kind = 'acknowledged' AND a.sequence = d.sequence AND a.agency = d.recipient)")[0][0]
    if acked:
        failures.append(f"{acked} acknowledged deliveries have no 'acknowledged' audit entry")
    figures["audit entries"] = hub.query("SELECT count(*) FROM audit_log")[0][0]
    verify = hub.run(["audit", "verify", "--config", hub.config], check=False)
    figures["audit verify"] = "OK" if verify.returncode == 0 else f"FAILED ({verify.returncode})"
    if verify.returncode != 0:
        failures.append("liaison audit verify failed:\n" + verify.stdout[-2000:])

    # 5. The agencies' folders.
    folder = os.path.join(hub.agencies, "schools-mis")
    done = set()
    for sub in ("processed", "failed"):
        path = os.path.join(folder, sub)
        if os.path.isdir(path):
            done |= {f for f in os.listdir(path) if not f.endswith(".txt")}
    missing = [name for name in feeder.dropped if not any(d.startswith(name) for d in done)]
    figures["exports dropped / processed or failed"] = f"{len(feeder.dropped)} / {len(feeder.dropped) - len(missing)}"
    if missing:
        failures.append(f"{len(missing)} exports dropped in the schools' inbox never finished, e.g. {missing[:3]}")
    for partner in ("social-services", "yot", "connexions"):
        rows = hub.query("SELECT m.message_id, m.type, m.sequence FROM deliveries d JOIN messages m ON m.sequence = d.sequence"
                         " WHERE d.recipient = ? AND d.state = 'acknowledged'", (partner,))
        expected = {(mid, mtype) for mid, mtype, _ in rows}
        # Each message is also a file outbox/TYPE/SEQUENCE.json (named by the hub's sequence, never the sender's id).
        no_file = [(mtype, seq) for _, mtype, seq in rows if mtype != "pupil.match-result"
                   and not os.path.exists(os.path.join(hub.agencies, partner, "outbox", mtype, f"{seq}.json"))]
        if no_file:
            failures.append(f"{partner}: {len(no_file)} acknowledged deliveries have no outbox/TYPE/SEQUENCE.json, e.g. {no_file[:2]}")
        written, broken = collections.Counter(), 0
        for path in glob.glob(os.path.join(hub.agencies, partner, "outbox", "*.csv")):
            mtype = os.path.basename(path)[:-4]
            with open(path, newline="") as f:
                rows = list(csv.reader(f))
            width = len(rows[0]) if rows else 0
            column = rows[0].index("message_id") if rows and "message_id" in rows[0] else None
            for row in rows[1:]:
                if len(row) != width or column is None:
                    broken += 1
                    continue
                written[(row[column], mtype)] += 1
        absent = [key for key in expected if key[0] is not None and written[key] == 0 and key[1] != "pupil.match-result"]
        figures[f"{partner}: acknowledged / in outbox CSV / repeated lines"] = (
            f"{len(expected)} / {len(expected) - len(absent)} / {sum(n - 1 for n in written.values() if n > 1)}")
        if absent:
            failures.append(f"{partner}: {len(absent)} acknowledged deliveries are not in its outbox, e.g. {absent[:2]}")
        if broken:
            failures.append(f"{partner}: {broken} outbox CSV lines are torn (wrong number of cells)")
    return failures, figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("CHAOS_MINUTES", "2")))
    parser.add_argument("--liaison", help="the liaison executable (default .build/debug/liaison)")
    parser.add_argument("--rate", type=float, default=20, help="load client messages per second (default 20)")
    parser.add_argument("--kill-every", default="2-5", help="seconds between kills, LOW-HIGH (default 2-5)")
    parser.add_argument("--schools", type=int, default=12)
    parser.add_argument("--pupils", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--out", default=os.path.join(harness.ROOT, "var", "chaos"))
    arguments = parser.parse_args()
    low, high = (float(x) for x in arguments.kill_every.split("-"))
    rng = random.Random(arguments.seed)
    harness.reference_client()    # fails now, with the package to install, rather than in the load thread
    hub = harness.Hub(arguments.out, harness.find_liaison(arguments.liaison))
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    print(f"chaos: {arguments.minutes} min, kill -9 every {low}-{high} s, load {arguments.rate}/s, seed {arguments.seed}, in {hub.folder}", flush=True)
    hub.create()
    county = os.path.join(hub.folder, "county")
    hub.run(["synth", "--schools", str(arguments.schools), "--pupils", str(arguments.pupils), "--seed", "2025",
             "--academic-year", "2025", "--half-terms", "2", "--out", county])
    hub.define_broker()
    hub.define_adapters(["--schools", os.path.join(county, "schools.csv")])
    for name in ["broker"] + KILLABLE[1:]:
        hub.start(name)
    in_care, caseload = partner_lists(hub, county)
    print(f"  county: {arguments.schools} schools, {arguments.pupils} pupils; {in_care} children in care listed, YOT caseload {caseload}", flush=True)

    stop_load, stop_kills = threading.Event(), threading.Event()
    seconds = arguments.minutes * 60
    load = LoadClient(hub, arguments.rate, stop_load)
    feeder = Feeder(hub, county, seconds * 0.8, threading.Event())
    killer = Killer(hub, low, high, rng, stop_kills)
    load.start(); feeder.start(); killer.start()
    begin = time.monotonic()
    while time.monotonic() - begin < seconds:
        time.sleep(min(30, seconds - (time.monotonic() - begin)))
        print(f"  {int(time.monotonic() - begin)} s: {sum(killer.kills.values())} kills, {len(load.accepted)} accepted, "
              f"{len(feeder.dropped)} exports dropped", flush=True)
    stop_kills.set(); killer.join()
    stop_load.set(); load.join(timeout=90)
    for name in ["broker"] + KILLABLE[1:]:      # whatever the last kill left down
        if hub.pid(name) is None:
            hub.start(name)
    drained = drain(hub, feeder, timeout=300)
    codes = hub.stop_all()
    failures, figures = check(hub, load, feeder)
    if not drained:
        failures.insert(0, "the hub did not drain within 300 s of the end of the load")
    failures += killer.failures
    unclean = {name: code for name, code in codes.items() if code != 0}

    print(f"\nchaos run of {started}: {arguments.minutes} min, seed {arguments.seed}")
    print(f"  kills (SIGKILL, then restart): {sum(killer.kills.values())}: " + ", ".join(f"{n} {k}" for k, n in sorted(killer.kills.items())))
    for key, value in figures.items():
        print(f"  {key}: {value}")
    if unclean:
        print(f"  exit codes on SIGTERM at the end (not zero): {unclean}")
    if failures:
        print("FAIL")
        for failure in failures:
            print(f"  - {failure}")
        raise SystemExit(1)
    print("PASS: nothing accepted was lost; every permitted recipient settled every message; audit verify OK")


if __name__ == "__main__":
    main()
