#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora under Fuzz/Corpus/<target>/ from the repository's own inputs.

Seeds are small real inputs: the schemas' examples, the test fixtures, the agreements, and a few LHP/1
frames as docs/protocol.md gives them. Run it again after adding examples; libFuzzer grows its own working
corpus elsewhere (Fuzz/.work/, not in git), so these stay small.
"""
import glob, json, os, shutil, struct, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")
MAX_SEED = 64 * 1024


def target(name):
    path = os.path.join(CORPUS, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write(folder, name, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) <= MAX_SEED:
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


def frames(*parts):
    """FuzzSupport.frames: each frame a 2-byte big-endian length, then its bytes."""
    out = b""
    for part in parts:
        part = part.encode() if isinstance(part, str) else part
        out += struct.pack(">H", len(part)) + part
    return out


SEP = b"\xff\xff\xff\xff"
SIG = b"LHP01"
ENVELOPE = json.dumps({"specversion": "1.0", "id": "m-1", "source": "schools-mis", "type": "referral",
                       "recipients": "npas", "time": "2026-11-29T10:00:00Z", "correlationid": "m-0",
                       "datacontenttype": "application/json", "purpose": "casework"}, separators=(",", ":"))

# Wire codec: one command per seed, and whole conversations.
wire = target("FuzzWireCodec")
hello = frames(SIG, b"\x01", '{"adapter":"fuzz","version":"1.0","consumes":["*"],"credit":8}')
send = frames(SIG, b"\x03", ENVELOPE, '{"upn":"A123456789012"}')
ack, nack = frames(SIG, b"\x07", "17"), frames(SIG, b"\x08", "17", "reject", "cannot use the body")
heartbeat, goodbye = frames(SIG, b"\x09"), frames(SIG, b"\x0a")
for name, data in {"hello": hello, "send": send, "ack": ack, "nack": nack, "heartbeat": heartbeat, "goodbye": goodbye,
                   "conversation": SEP.join([hello, send, heartbeat, ack, nack, goodbye]),
                   "send-before-hello": SEP.join([send, hello]),
                   "welcome": frames(SIG, b"\x02", '{"agency":"npas","hub":"h","heartbeat_ms":5000,"max_body_bytes":1048576,"max_envelope_bytes":8192,"credit":8}'),
                   "deliver": frames(SIG, b"\x06", "3", ENVELOPE, "{}", "12"),
                   "accepted": frames(SIG, b"\x04", "m-1", '{"sequence":1,"recipients":["npas"],"duplicate":false,"audit_entry":4}'),
                   "rejected": frames(SIG, b"\x05", "m-1", "422", "bad body")}.items():
    write(wire, name, data)

envelopes = target("FuzzEnvelope")
write(envelopes, "full", ENVELOPE)
write(envelopes, "minimal", '{"specversion":"1.0","id":"m","source":"yot","type":"t","recipients":"npas"}')
write(envelopes, "escapes", '{"specversion":"1.0","id":"m\\u002d1","source":"yot","type":"yot.case-update","recipients":"npas, courts","subject":"case \\"7\\""}')

json_seeds, schema_seeds = target("FuzzJSON"), target("FuzzSchemaValidator")
types = sorted(os.path.basename(p)[:-len(".schema.json")] for p in glob.glob(os.path.join(ROOT, "schemas", "*.schema.json")))
for path in sorted(glob.glob(os.path.join(ROOT, "schemas", "*.schema.json"))):
    write(json_seeds, os.path.basename(path), open(path, "rb").read())
for path in sorted(glob.glob(os.path.join(ROOT, "schemas", "examples", "*", "*.json"))):
    kind = os.path.basename(os.path.dirname(path))
    body = open(path, "rb").read()
    write(json_seeds, f"{kind}-{os.path.basename(path)}", body)
    if kind in types:
        write(schema_seeds, f"{kind}-{os.path.basename(path)}", bytes([types.index(kind)]) + body)
# A few small files of the JSON Schema test suite, for the reader's corners (escapes, numbers, nesting).
suite = sorted(glob.glob(os.path.join(ROOT, "Tests", "JSONSchemaTests", "Fixtures", "draft2020-12", "*.json")))
for path in [p for p in suite if os.path.getsize(p) <= 2048][:12]:
    write(json_seeds, "suite-" + os.path.basename(path), open(path, "rb").read())

fixtures = os.path.join(ROOT, "Tests", "AttendanceDomainTests", "Fixtures")
ctf, csv = target("FuzzCTF"), target("FuzzCSV")
for path in sorted(glob.glob(os.path.join(fixtures, "*.xml"))):
    write(ctf, os.path.basename(path), open(path, "rb").read())
# Registers cut to their first 60 lines: the reader's paths are all there, and libFuzzer's inputs grow to the
# largest seed, so a 36 KB seed would make every execution ten times slower.
for path in sorted(glob.glob(os.path.join(fixtures, "*.csv"))):
    write(csv, os.path.basename(path), b"".join(open(path, "rb").readlines()[:60]))

agreements = target("FuzzAgreements")
for path in sorted(glob.glob(os.path.join(ROOT, "config", "agreements", "*.yaml"))):
    write(agreements, os.path.basename(path), open(path, "rb").read())

for name in sorted(os.listdir(CORPUS)):
    print(f"{name}: {len(os.listdir(os.path.join(CORPUS, name)))} seeds")
