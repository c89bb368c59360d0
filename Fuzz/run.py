#!/usr/bin/env python3
"""`make fuzz`: builds the libFuzzer targets and runs each for FUZZ_SECONDS, one at a time.

    python3 Fuzz/run.py [--seconds N] [--no-build] [TARGET ...]

Each target starts from its seeds (Fuzz/Corpus/<target>/, in git) and a working corpus that grows across runs
(Fuzz/.work/<target>/, not in git). A crash stops libFuzzer; the target is restarted until its time is used,
so one early crash does not end the search. Crashing inputs are saved under Fuzz/Crashes/<target>/: each
one found becomes a regression input in Tests/Fixtures/fuzz-regressions/<target>/ (a test replays them).
Prints, per target: executions, coverage (libFuzzer's cov: edges and ft: features), corpus size and crashes.
Exits 1 if any target crashed.

Environment: BUILD_LOCK=FILE takes that lock (flock) for the build, for machines shared with other builds;
FUZZ_NICE (default 19) is the fuzzers' niceness.
"""
import argparse, os, re, shutil, subprocess, sys, time

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
SCRATCH = os.path.join(FUZZ, ".build-fuzz")
TARGETS = ["FuzzWireCodec", "FuzzEnvelope", "FuzzJSON", "FuzzSchemaValidator", "FuzzCTF", "FuzzCSV", "FuzzAgreements"]
BUILD = ["swift", "build", "-c", "release", "--scratch-path", SCRATCH,
         "-Xswiftc", "-sanitize=fuzzer,address", "-Xswiftc", "-parse-as-library"]


def build():
    command = BUILD
    if os.environ.get("BUILD_LOCK"):
        command = ["flock", os.environ["BUILD_LOCK"]] + command
    print("building the fuzz targets (a separate, sanitized build: several minutes the first time)", flush=True)
    result = subprocess.run(command, cwd=FUZZ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-6000:])
        sys.exit("the fuzz build failed (output above)")


def run(target, seconds):
    binary = os.path.join(SCRATCH, "release", target)
    seeds = os.path.join(FUZZ, "Corpus", target)
    work = os.path.join(FUZZ, ".work", target)
    crashes = os.path.join(FUZZ, "Crashes", target)
    os.makedirs(work, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    log_path = os.path.join(FUZZ, ".work", f"{target}.log")
    before = set(os.listdir(crashes))
    stats = {"execs": 0, "cov": 0, "ft": 0, "corp": 0, "rss": 0, "restarts": 0}
    deadline = time.monotonic() + seconds
    with open(log_path, "w") as log:
        while True:
            left = int(deadline - time.monotonic())
            if left < 1:
                break
            command = ["nice", "-n", os.environ.get("FUZZ_NICE", "19"), binary, f"-max_total_time={left}",
                       "-timeout=10", "-rss_limit_mb=2048", "-detect_leaks=0", "-print_final_stats=1",
                       f"-artifact_prefix={crashes}/", work, seeds]
            env = dict(os.environ, LIAISON_ROOT=ROOT, ASAN_OPTIONS="detect_leaks=0:abort_on_error=0")
            result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", env=env)
            log.write(result.stdout)
            for line in result.stdout.splitlines():
                # "#123456 DONE/pulse/NEW cov: 812 ft: 2301 corp: 95/40Kb ... rss: 60Mb"
                match = re.match(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/\S+.*?rss: (\d+)Mb", line)
                if match:
                    stats["cov"] = max(stats["cov"], int(match[2]))
                    stats["ft"] = max(stats["ft"], int(match[3]))
                    stats["corp"] = max(stats["corp"], int(match[4]))
                    stats["rss"] = max(stats["rss"], int(match[5]))
                match = re.match(r"stat::number_of_executed_units: (\d+)", line)
                if match:
                    stats["execs"] += int(match[1])
            if result.returncode == 0:
                break
            stats["restarts"] += 1
            if stats["restarts"] > 50:
                break
    found = sorted(set(os.listdir(crashes)) - before)
    stats["crashes"] = found
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "60")))
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("targets", nargs="*", default=TARGETS)
    arguments = parser.parse_args()
    unknown = [t for t in arguments.targets if t not in TARGETS]
    if unknown:
        sys.exit(f"unknown target(s) {', '.join(unknown)}: choose from {', '.join(TARGETS)}")
    if not arguments.no_build:
        build()
    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')}: {arguments.seconds} s per target", flush=True)
    print(f"{'target':<20} {'executions':>12} {'exec/s':>8} {'cov':>6} {'ft':>7} {'corpus':>7} {'rss MB':>7} {'crashes':>8}")
    total_crashes = 0
    for target in arguments.targets:
        stats = run(target, arguments.seconds)
        total_crashes += len(stats["crashes"])
        rate = stats["execs"] // max(1, arguments.seconds)
        print(f"{target:<20} {stats['execs']:>12,} {rate:>8,} {stats['cov']:>6} {stats['ft']:>7} {stats['corp']:>7} "
              f"{stats['rss']:>7} {len(stats['crashes']):>8}", flush=True)
        for name in stats["crashes"]:
            print(f"    crash: Fuzz/Crashes/{target}/{name}  (log: Fuzz/.work/{target}.log)")
    if total_crashes:
        print(f"FAIL: {total_crashes} crashing input(s); copy each to Tests/Fixtures/fuzz-regressions/<target>/ once fixed")
        sys.exit(1)
    print("PASS: no crashes")


if __name__ == "__main__":
    main()
