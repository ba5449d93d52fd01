#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with seeds from the shipped content and the recorded real
# backend answers. Safe to re-run: files are named by content hash, so nothing duplicates.
# Usage: fuzz/seed.sh            (from anywhere; corpora are not committed)
set -euo pipefail
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$fuzz_dir/.." && pwd)
exec python3 - "$root" "$fuzz_dir/corpus" <<'PY'
import hashlib, pathlib, sys, tomllib

root, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)

def files(rel, *exts):
    return sorted(p for p in (root / rel).rglob("*") if p.is_file() and p.suffix in exts)

content = [p for d in ("lessons", "challenges", "drills") for p in files(d, ".md")]
for p in content:
    text = p.read_bytes()
    for width in (0, 20, 80, 200):  # content_markdown: two bytes of width, then the file
        put("content_markdown", width.to_bytes(2, "little") + text)
    put("content_item", text)
for p in files("paths", ".toml") + files("assets/dashboards", ".json"):
    put("content_item", p.read_bytes())

for backend in ("prometheus", "alertmanager", "loki", "tempo"):
    for p in files(f"tests/fixtures/real-api/{backend}", ".json", ".txt"):
        put(backend, p.read_bytes())

put("alert_webhook", '{"receiver":"labtui","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighErrorRate","service":"payments","severity":"page"},"annotations":{"summary":"payments fails 12% of requests"},"startsAt":"2026-12-07T12:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://127.0.0.1:9090/graph","fingerprint":"a1b2c3"}],"groupLabels":{"alertname":"HighErrorRate"},"commonLabels":{"alertname":"HighErrorRate"},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093","version":"4","groupKey":"{}:{alertname=\\"HighErrorRate\\"}","truncatedAlerts":0}')
put("alert_webhook", '{"receiver":"labtui","status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"ShopDown"},"annotations":{},"startsAt":"2026-12-07T12:00:00Z","endsAt":"2026-12-07T12:05:00Z","fingerprint":"ff"}],"version":"4"}')

put("progress", '{\n  "schema": 1,\n  "items": {\n    "promql-basics": {"status": "completed", "attempts": 2, "best_score": 87.5, "hints_used": 1, "time_spent_secs": 640, "position": 17, "updated_at": "2026-12-07T12:00:00Z", "completed_at": "2026-12-07T12:00:00Z", "passed": ["e1", "e2"]},\n    "slow-checkout": {"status": "in_progress", "attempts": 1, "best_score": 42.0}\n  },\n  "last_item": "slow-checkout"\n}\n')
put("progress", '{"schema":1}')

# fault_params: a byte picking the fault, then its k=v arguments separated by NUL.
catalogue = tomllib.loads((root / "src/lab/faults/catalogue.toml").read_text())
for i, fault in enumerate(catalogue["fault"]):
    args = [f"{p['name']}={p.get('default', '')}" for p in fault.get("params", [])]
    put("fault_params", bytes([i]) + "\0".join(args).encode())
    put("fault_params", bytes([i]) + b"90s")

# grading_answers: a byte picking the question (as the target orders them), then an answer.
def front_matter(p):
    text = p.read_text()
    if not text.startswith("+++"):
        return {}
    try:
        return tomllib.loads(text.split("+++", 2)[1])
    except tomllib.TOMLDecodeError:
        return {}

expects = []
for d, key in (("lessons", "exercises"), ("challenges", "questions")):
    for p in files(d, ".md"):
        expects += [q.get("expect", {}) for q in front_matter(p).get(key, [])]
drills = [front_matter(p) for p in files("drills", ".md")]
for i, e in enumerate(expects):
    for a in [e.get("answer"), *e.get("answers", []), e.get("value"), "42", "1.5 s", "a/b"]:
        if a is not None:
            unit = e.get("unit") or ""
            put("grading_answers", bytes([i % 256]) + f"{a}{unit if isinstance(a, float) else ''}".encode())
for j, drill in enumerate(drills):
    words = " ".join(c.get("concept", "") for c in drill.get("rubric", []))
    put("grading_answers", bytes([(len(expects) + j) % 256]) + words.encode())
PY
