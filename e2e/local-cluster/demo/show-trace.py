"""Prints one trace from Jaeger's query API (/api/traces JSON on stdin) as a span tree with each
service's k8s.* resource attributes. Exits 1, printing nothing, unless the trace spans both demo
services with a parent/child link between them: the demo retries until it does."""
import json
import sys

try:
    traces = json.load(sys.stdin).get("data") or []
except ValueError:
    sys.exit(1)
if not traces:
    sys.exit(1)
trace = traces[0]
spans = {s["spanID"]: s for s in trace["spans"]}
processes = trace["processes"]
service = lambda s: processes[s["processID"]]["serviceName"]
parent = {}
for s in spans.values():
    for ref in s.get("references", []):
        if ref["refType"] == "CHILD_OF" and ref["spanID"] in spans:
            parent[s["spanID"]] = ref["spanID"]
crossing = [s for s, p in parent.items() if service(spans[s]) != service(spans[p])]
if {service(s) for s in spans.values()} < {"frontend", "backend"} or not crossing:
    sys.exit(1)

print(f"trace {trace['traceID']}: {len(spans)} spans")
def show(span_id, depth):
    s = spans[span_id]
    kind = next((t["value"] for t in s.get("tags", []) if t["key"] == "span.kind"), "")
    print(f"  {'  ' * depth}{service(s):9} {kind:7} {s['operationName']}  ({s['duration'] / 1000:.1f} ms)")
    for child in sorted((c for c, p in parent.items() if p == span_id), key=lambda c: spans[c]["startTime"]):
        show(child, depth + 1)
for root in sorted((s for s in spans if s not in parent), key=lambda s: spans[s]["startTime"]):
    show(root, 0)
for name in sorted({service(s) for s in spans.values()}):
    proc = next(p for p in processes.values() if p["serviceName"] == name)
    attrs = ", ".join(f"{t['key']}={t['value']}" for t in proc.get("tags", []) if t["key"].startswith("k8s."))
    print(f"  {name}: {attrs}")
