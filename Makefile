# Liaison: `make demo` runs the main job, `make test` runs the tests. Both install what is missing.
SWIFT ?= swift
APT_PACKAGES := pkg-config libzmq3-dev libsqlite3-dev python3-zmq python3-jsonschema libxml2-dev python3-stdnum chromium chromium-driver python3-selenium poppler-utils postgresql
TEST_TIMEOUT ?= 1500
# The harnesses' Python: Debian's, which has python3-zmq (a pyenv or venv python on PATH may not).
HARNESS_PYTHON ?= /usr/bin/python3

.PHONY: all deps build test test-postgres failover-drill demo console bench bench-audit bench-mis bench-bodies bench-county bench-console bench-peers keys clean soak-hub fuzz chaos soak

all: build

# Installs missing Debian packages when run as root; otherwise prints the exact command to run.
deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing packages:$$missing"; \
	    echo "Install them with: sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6.1 or later is needed: https://www.swift.org/install/linux/"; exit 1; }

build: deps
	$(SWIFT) build

# The whole suite, bounded so that a lost message fails the run instead of hanging it. It runs with a temporary folder
# of its own (TMPDIR), removed after a passing run, so that nothing it or its tools leave (SwiftPM's, Chromium's) stays
# in /tmp; after a failure the folder is kept for the brokers' and adapters' logs, and its path printed.
test: deps
	@scratch=$$(mktemp -d "$${TMPDIR:-/tmp}/liaison-make-test.XXXXXX") && status=0 && export TMPDIR=$$scratch && \
	echo "$(SWIFT) build --build-tests" && $(SWIFT) build --build-tests && \
	echo "timeout $(TEST_TIMEOUT) $(SWIFT) test --skip-build   (TMPDIR=$$scratch)" && \
	timeout $(TEST_TIMEOUT) $(SWIFT) test --skip-build || status=$$?; \
	if [ $$status -eq 0 ]; then rm -rf "$$scratch"; else echo "make test: the tests' temporary files are kept in $$scratch"; fi; \
	exit $$status

# The store's PostgreSQL suites against a throwaway PostgreSQL 15 cluster (scripts/postgres-cluster.sh: initdb in a temp
# folder, a loopback port, removed afterwards); LIAISON_REQUIRE_POSTGRES=1 makes them fail rather than skip without it.
test-postgres: deps
	$(SWIFT) build --build-tests
	LIAISON_REQUIRE_POSTGRES=1 bash scripts/postgres-cluster.sh timeout $(TEST_TIMEOUT) $(SWIFT) test --skip-build --filter LiaisonStorePostgresTests

# A backup and restore drill on a throwaway PostgreSQL 15 cluster (scripts/postgres-restore-drill.sh) with the hub's
# own store: WAL archiving, the broker and liaison send writing messages before and after a base backup, the cut
# (audit verify, tree size and root), the primary lost, a point-in-time restore to the cut and a restore to the end of
# the archive, each checked with audit verify and the tree's size and root; each step timed; PASS or FAIL
# (docs/operations.md). Without the binary the script runs on plain SQL tables instead.
.PHONY: restore-drill
restore-drill: deps
	$(SWIFT) build --product liaison
	bash scripts/postgres-restore-drill.sh "$$($(SWIFT) build --show-bin-path)/liaison"

# The failover drill (issue 16): two brokers on a PostgreSQL primary with a synchronous streaming standby, under load;
# kill -9 of the active broker, then the primary's loss and the standby's promotion. Prints what each took.
failover-drill: deps
	$(SWIFT) build --build-tests
	LIAISON_FAILOVER_DRILL=1 LIAISON_REQUIRE_POSTGRES=1 bash scripts/postgres-cluster.sh --with-standby timeout $(TEST_TIMEOUT) $(SWIFT) test --skip-build --filter FailoverDrillTests

# A scripted exchange between agencies through a real broker; outputs under demo-output/.
demo: deps
	$(SWIFT) build --product liaison
	bash scripts/demo.sh "$$($(SWIFT) build --show-bin-path)/liaison"

# The staff console on the demo's output (config/console.yaml: http://127.0.0.1:8080/, the desk and hub of demo-output/);
# `make demo` adds a demo manager, whose synthetic login is in demo-output/console/README.txt. Stop it with Ctrl-C.
CONSOLE_CONFIG ?= config/console.yaml
console: deps
	@[ -f demo-output/console/README.txt ] || { echo "No demo output with a console login: run make demo first."; exit 1; }
	$(SWIFT) build --product liaison
	@echo "The console: http://$$(sed -n 's/^listen: *//p' $(CONSOLE_CONFIG))/ (sign in as in demo-output/console/README.txt; Ctrl-C stops it)"
	"$$($(SWIFT) build --show-bin-path)/liaison" console --config $(CONSOLE_CONFIG)

# Throughput and latency against a raw CURVE relay measured in the same run (release build).
# STORE=postgres adds the hub on PostgreSQL (a throwaway cluster, scripts/postgres-cluster.sh) beside SQLite's figure.
bench: deps
	$(SWIFT) build -c release --product LiaisonBench
ifeq ($(STORE),postgres)
	bash scripts/postgres-cluster.sh bash -c 'LIAISON_BENCH_POSTGRES_URL="$$LIAISON_TEST_POSTGRES_URL" "$$0" "$$@"' \
	  "$$($(SWIFT) build -c release --show-bin-path)/LiaisonBench" $(BENCH_ARGS)
else
	"$$($(SWIFT) build -c release --show-bin-path)/LiaisonBench" $(BENCH_ARGS)
endif

# The audit log at scale: verify, inclusion proofs, subject access (AUDIT_ENTRIES, default 1,000,000; the
# issue's figure is 10,000,000, which takes about 5 minutes to write the first time and is then reused).
bench-audit: deps
	$(SWIFT) build -c release --product LiaisonBench
	"$$($(SWIFT) build -c release --show-bin-path)/LiaisonBench" audit $(or $(AUDIT_ENTRIES),1000000)

# The schools' import of a synthetic county (CTF parse, validation, figures) on one core: MB/s.
bench-mis: deps
	$(SWIFT) build -c release --product LiaisonBench
	"$$($(SWIFT) build -c release --show-bin-path)/LiaisonBench" mis $(or $(MIS_SCHOOLS),430) $(or $(MIS_PUPILS),120000)

# What the hub and the desk spend on each school's return and roll (parse, schema, rules, the desk's rows), one core.
bench-bodies: deps
	$(SWIFT) build -c release --product LiaisonBench
	"$$($(SWIFT) build -c release --show-bin-path)/LiaisonBench" bodies $(or $(BODIES_SCHOOLS),20) $(or $(BODIES_PUPILS),5600)

# The whole county through the hub (issue 12: 430 schools, 120,000 pupils, at most 40 s from the first return accepted to
# the last acknowledged by the desk): the broker and every adapter as processes, release build; beside it the same
# files read by `liaison mis check` alone (scripts/bench-county.sh, docs/performance.md).
bench-county: deps
	$(SWIFT) build -c release --product liaison
	bash scripts/bench-county.sh "$$($(SWIFT) build -c release --show-bin-path)/liaison" $(or $(COUNTY_SCHOOLS),430) $(or $(COUNTY_PUPILS),120000)

# The console's county and pupil attendance pages (issue 13: 430 schools, 120,000 pupils; at most 300 ms and 50 ms):
# first load and warm. The desk (two half terms) is made once under the temporary folder, or in LIAISON_BENCH_DESK,
# and reused (docs/performance.md).
bench-console: deps
	$(SWIFT) build -c release --product LiaisonBench
	"$$($(SWIFT) build -c release --show-bin-path)/LiaisonBench" console $(or $(CONSOLE_SCHOOLS),430) $(or $(CONSOLE_PUPILS),120000)

# RabbitMQ and the hub side by side in one run: the same 1 KiB messages and window (PEERS_WINDOW, default 256)
# through a private RabbitMQ node (classic and quorum queues; durable, persistent, confirms, manual acks) and the
# hub, PEERS_MESSAGES each (default 100,000), and the ratio (scripts/bench_peers.py, docs/performance.md).
# Installs Debian's rabbitmq-server and python3-pika if missing (pika from pip into var/pika where Debian has none).
bench-peers: deps
	@missing=""; \
	dpkg-query -W -f='$${Status}' rabbitmq-server 2>/dev/null | grep -q "install ok installed" || missing="rabbitmq-server"; \
	if ! $(HARNESS_PYTHON) -c 'import pika' 2>/dev/null && apt-cache show python3-pika >/dev/null 2>&1; then missing="$$missing python3-pika"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing (the benchmark runs a private node; it does not use the rabbitmq-server service)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing packages:$$missing"; \
	    echo "Install them with: sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi; \
	PYTHONPATH=var/pika $(HARNESS_PYTHON) -c 'import pika' 2>/dev/null || $(HARNESS_PYTHON) -m pip install --quiet --target var/pika pika
	$(SWIFT) build -c release --product LiaisonBench
	$(HARNESS_PYTHON) scripts/bench_peers.py --bench "$$($(SWIFT) build -c release --show-bin-path)/LiaisonBench" \
	  --messages $(or $(PEERS_MESSAGES),100000) --window $(or $(PEERS_WINDOW),256) --rounds $(or $(PEERS_ROUNDS),1)

# Keys for the hub and the seven agencies of config/agencies.yaml (kept out of git).
keys: build
	@for name in hub npas schools-mis connexions yot social-services courts advisory-service; do \
	  [ -f config/keys/$$name.key ] || "$$($(SWIFT) build --show-bin-path)/liaison" keys generate --agency $$name --out config/keys; \
	done

# libFuzzer targets (Fuzz/, a package of its own, built sanitized with --scratch-path Fuzz/.build-fuzz) for the
# wire codec, envelopes, JSON, the schemas, CTF and CSV registers and the agreements; FUZZ_SECONDS per target.
# Crashing inputs land in Fuzz/Crashes/<target>/. See Fuzz/README.md.
fuzz: deps
	$(HARNESS_PYTHON) Fuzz/run.py --seconds $(or $(FUZZ_SECONDS),60) $(FUZZ_TARGETS)

# The broker and every adapter on a synthetic county under load, a random one killed (SIGKILL) every few
# seconds and restarted; then nothing accepted may be lost (scripts/chaos.py). Outputs under var/chaos/.
chaos: deps
	$(SWIFT) build --product liaison
	$(HARNESS_PYTHON) scripts/chaos.py --minutes $(or $(CHAOS_MINUTES),2) --liaison "$$($(SWIFT) build --show-bin-path)/liaison"

# A steady load (SOAK_RATE msg/s, default 200) on a real broker for SOAK_MINUTES: resident memory flat within
# 10%, p99 stable (scripts/soak.py). Outputs under var/soak/.
soak: deps
	$(SWIFT) build --product liaison
	$(HARNESS_PYTHON) scripts/soak.py --minutes $(or $(SOAK_MINUTES),3) --rate $(or $(SOAK_RATE),200) --liaison "$$($(SWIFT) build --show-bin-path)/liaison"

# The hub held at half its maximum rate (measured first, in the same run) for SOAK_MINUTES, with a Swift load driver
# in the same process: resident memory and per-minute latency (docs/reliability.md). Release build, as make bench.
soak-hub: deps
	$(SWIFT) build -c release --product LiaisonBench
	"$$($(SWIFT) build -c release --show-bin-path)/LiaisonBench" soak $(or $(SOAK_MINUTES),10) $(SOAK_RATE)

clean:
	rm -rf .build demo-output var
