"""Shared by scripts/chaos.py and scripts/soak.py: a hub of its own in a folder (keys, configuration, the
broker and the agencies' adapters as separate `liaison` processes), and read-only queries of its store.

Python 3 standard library only (plus pyzmq through adapters/reference-python when a script sends load).
All data is synthetic.
"""
import glob
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AGENCIES = ["npas", "schools-mis", "connexions", "yot", "social-services", "courts", "advisory-service"]


def find_liaison(path=None):
    """The `liaison` executable: the one given, or the debug build's."""
    candidates = [path] if path else [os.path.join(ROOT, ".build", "debug", "liaison")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    sys.exit(f"no liaison executable at {candidates[0]}: run `swift build --product liaison` first, or pass --liaison")


class Hub:
    """A hub in `folder`: keys for the hub and every agency, hub.yaml with an ipc:// endpoint, the repository's
    agencies, schemas and agreements, and the processes that run on it."""

    def __init__(self, folder, liaison):
        self.folder = os.path.abspath(folder)
        self.liaison = liaison
        self.config = os.path.join(self.folder, "hub.yaml")
        self.logs = os.path.join(self.folder, "logs")
        self.agencies = os.path.join(self.folder, "agencies")
        self.store = os.path.join(self.folder, "data", "hub.sqlite")
        self.processes = {}     # name -> Popen
        self.commands = {}      # name -> (argv, ready line)
        self.starts = {}        # name -> how many times started

    def create(self):
        shutil.rmtree(self.folder, ignore_errors=True)
        for sub in ("keys", "logs", "agencies", "bin"):
            os.makedirs(os.path.join(self.folder, sub), mode=0o700, exist_ok=True)
        # A copy of the executable (and its resource bundles), so that a rebuild during a long run cannot
        # change, or briefly remove, the program the harness restarts.
        built = os.path.dirname(self.liaison)
        shutil.copy2(self.liaison, os.path.join(self.folder, "bin", "liaison"))
        for bundle in glob.glob(os.path.join(built, "*.resources")):
            shutil.copytree(bundle, os.path.join(self.folder, "bin", os.path.basename(bundle)))
        self.liaison = os.path.join(self.folder, "bin", "liaison")
        for name in ["hub"] + AGENCIES:
            self.run(["keys", "generate", "--agency", name, "--out", os.path.join(self.folder, "keys")])
        lines = []
        for line in open(os.path.join(ROOT, "config", "hub.yaml")):
            key = line.split(":", 1)[0]
            replacement = {"endpoint": "ipc://hub.ipc", "data_dir": "data", "keys_dir": "keys",
                           "schemas_dir": os.path.join(ROOT, "schemas"),
                           "agreements_dir": os.path.join(ROOT, "config", "agreements")}.get(key)
            lines.append(f"{key}: {replacement}\n" if replacement and not line.startswith(" ") else line)
        with open(self.config, "w") as f:
            f.writelines(lines)
        shutil.copy(os.path.join(ROOT, "config", "agencies.yaml"), os.path.join(self.folder, "agencies.yaml"))

    @property
    def endpoint(self):
        return f"ipc://{self.folder}/hub.ipc"

    def key(self, agency, public=False):
        return os.path.join(self.folder, "keys", f"{agency}.{'pub' if public else 'key'}")

    def run(self, arguments, check=True, capture=True):
        """Runs one `liaison` command to completion."""
        result = subprocess.run([self.liaison] + arguments, stdout=subprocess.PIPE if capture else None,
                                stderr=subprocess.STDOUT if capture else None, text=True, cwd=self.folder)
        if check and result.returncode != 0:
            sys.exit(f"`liaison {' '.join(arguments)}` failed ({result.returncode}):\n{result.stdout}")
        return result

    # ------------------------------------------------------------------ processes

    def define(self, name, arguments, ready):
        """Names a long-running process: `liaison ARGUMENTS`, ready when its log shows `ready`."""
        self.commands[name] = ([self.liaison] + arguments, ready)

    def define_broker(self):
        self.define("broker", ["broker", "--config", self.config], "Broker running")

    def define_adapters(self, extra_schools_arguments=()):
        folder = lambda agency: os.path.join(self.agencies, agency)
        self.define("schools-mis", ["adapter", "schools-mis", "--config", self.config, "--folder", folder("schools-mis")]
                    + list(extra_schools_arguments), "Adapter running")
        self.define("npas-desk", ["adapter", "npas-desk", "--config", self.config, "--folder", folder("npas")], "Adapter running")
        self.define("advisory-service", ["adapter", "advisory-service", "--config", self.config, "--folder",
                                         folder("advisory-service")], "Adapter running")
        self.define("courts", ["adapter", "courts", "--config", self.config, "--folder", folder("courts")], "Adapter running")
        for partner in ("social-services", "yot", "connexions"):
            self.define(partner, ["adapter", "partner", partner, "--config", self.config, "--folder", folder(partner)],
                        "Adapter running")

    def start(self, name, wait=True, timeout=30):
        argv, ready = self.commands[name]
        log_path = os.path.join(self.logs, f"{name}.log")
        offset = os.path.getsize(log_path) if os.path.exists(log_path) else 0
        log = open(log_path, "a")
        self.processes[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder,
                                                start_new_session=True)
        log.close()
        self.starts[name] = self.starts.get(name, 0) + 1
        if wait:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                with open(log_path, errors="replace") as f:
                    f.seek(offset)
                    if ready in f.read():
                        return
                if self.processes[name].poll() is not None:
                    break
                time.sleep(0.05)
            raise RuntimeError(f"{name} did not start (see {log_path})")

    def pid(self, name):
        process = self.processes.get(name)
        return process.pid if process and process.poll() is None else None

    def kill(self, name):
        """kill -9 one process (by its pid, which this harness started) and reap it."""
        process = self.processes[name]
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self, timeout=30):
        """SIGTERM every process, as an operator would, and wait for each to exit."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        codes = {}
        for name, process in self.processes.items():
            try:
                codes[name] = process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                codes[name] = process.wait()
        return codes

    # ------------------------------------------------------------------ the store, read-only

    def query(self, sql, arguments=()):
        """One read-only query of hub.sqlite (safe while the broker runs: WAL readers never block it)."""
        connection = sqlite3.connect(f"file:{self.store}?mode=ro", uri=True, timeout=10)
        try:
            return connection.execute(sql, arguments).fetchall()
        finally:
            connection.close()


def drop(path, data):
    """Writes a file into an inbox as a sender should: as NAME.part, then renamed."""
    with open(path + ".part", "wb") as f:
        f.write(data)
    os.rename(path + ".part", path)


def reference_client():
    """The pyzmq reference adapter (adapters/reference-python), imported from the repository."""
    sys.path.insert(0, os.path.join(ROOT, "adapters", "reference-python"))
    try:
        import liaison_client
    except ImportError as error:
        sys.exit(f"the reference client needs pyzmq ({error}): apt-get install python3-zmq")
    return liaison_client


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
