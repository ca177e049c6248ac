"""The JSON form of an explanation (schema version :data:`SCHEMA_VERSION`, documented in docs/explain.md)."""

from __future__ import annotations

import dataclasses
from typing import Any

from vxlan_inspect.explain.model import SCHEMA_VERSION, VERDICTS, Evidence, Explanation, Step, Trace, Verdict


def _evidence(e: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": e.kind, "file": e.file, "text": e.text}
    if e.kind == "frame":
        out.update(frame=e.frame, capture=e.capture)
    else:
        out.update(table=e.table or None, line=e.line or None)
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def _step(number: int, s: Step) -> dict[str, Any]:
    return {"n": number, "kind": s.kind, "direction": s.direction, "status": s.status,
            "location": dataclasses.asdict(s.location), "summary": s.summary,
            "facts": {k: _jsonable(v) for k, v in s.facts}, "details": list(s.details),
            "evidence": [_evidence(e) for e in s.evidence]}


def verdict_to_json(v: Verdict) -> dict[str, Any]:
    """One verdict: code, severity, meaning, summary, evidence, fix, findings, unknowns."""
    return {"code": v.code, "severity": v.severity, "meaning": VERDICTS[v.code][1], "summary": v.summary,
            "evidence": [_evidence(e) for e in v.evidence], "fix": v.fix or None, "findings": list(v.findings),
            "unknowns": [{"question": u.question, "settle_with": u.settle_with} for u in v.unknowns]}


def trace_to_json(t: Trace) -> dict[str, Any]:
    return {"flow": dataclasses.asdict(t.flow), "steps": [_step(i, s) for i, s in enumerate(t.steps, start=1)],
            "verdict": verdict_to_json(t.verdict)}


def explanation_to_json(x: Explanation) -> dict[str, Any]:
    """The whole explanation as JSON-ready data."""
    primary = x.primary
    return {
        "format": "vxlan-inspect/explain",
        "version": SCHEMA_VERSION,
        "source": x.source,
        "primary": verdict_to_json(primary) if primary else None,
        "topology": {
            "hosts": [dataclasses.asdict(h) for h in x.topology.hosts],
            "devices": [dataclasses.asdict(d) for d in x.topology.devices],
            "endpoints": [dataclasses.asdict(e) for e in x.topology.endpoints],
        },
        "traces": [trace_to_json(t) for t in x.traces],
        "notes": list(x.notes),
    }
