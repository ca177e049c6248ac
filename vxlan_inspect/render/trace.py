"""Renderings of an explanation: text (like OVS ``ofproto/trace``), markdown, mermaid, rich tree.

All renderers are pure functions of :class:`~vxlan_inspect.explain.model.Explanation`;
the JSON form is :func:`vxlan_inspect.explain.explanation_to_json`.
"""

from __future__ import annotations

from typing import Any

from vxlan_inspect.explain.model import Explanation, Step, Trace, Verdict


def _flow_line(t: Trace) -> str:
    f = t.flow
    if f.kind == "arp":
        return f"Flow: {f.label()} ({f.requests} request(s), {f.replies} reply(ies))"
    if f.kind == "icmp-echo" and f.icmp_id is None and not f.requests:  # a what-if trace: nothing was sent
        return f"Flow: icmp echo {f.src} > {f.dst} (predicted)"
    seqs = f" seq {f.first_seq}-{f.last_seq}" if f.first_seq is not None else ""
    return f"Flow: {f.label()} ({f.requests} request(s), {f.replies} reply(ies){seqs})"


def _group(s: Step) -> str:
    where = s.location.namespace or s.location.host or "?"
    return f"{where} ({s.direction})"


def _verdict_lines(v: Verdict, prefix: str = "") -> list[str]:
    lines = [f"{prefix}Final verdict: {v.code}: {v.summary}"]
    for e in v.evidence:
        lines.append(f"{prefix}    evidence: {e.ref()}: {e.text}")
    if v.findings:
        lines.append(f"{prefix}    findings: {', '.join(v.findings)}")
    for u in v.unknowns:
        lines.append(f"{prefix}    unknown: {u.question}")
        lines.append(f"{prefix}      settle with: {u.settle_with}")
    if v.fix:
        lines.append(f"{prefix}    fix: {v.fix}")
    return lines


def format_text(x: Explanation) -> str:
    """Plain text: per flow, numbered steps grouped by namespace, ``->`` details, evidence, final verdict."""
    out: list[str] = []
    for t in x.traces:
        out.append(_flow_line(t))
        out.append("")
        current = None
        for n, s in enumerate(t.steps, start=1):
            group = _group(s)
            if group != current:
                if current is not None:
                    out.append("")
                out.append(group)
                out.append("-" * len(group))
                current = group
            mark = {"ok": "", "fail": " [FAIL]", "unknown": " [UNKNOWN]"}[s.status]
            dev = f" {s.location.device}" if s.location.device else ""
            out.append(f"{n:2d}. {s.kind}{dev}:{mark} {s.summary}")
            out.extend(f"     -> {d}" for d in s.details)
            out.extend(f"     evidence: {e.ref()}: {e.text}" for e in s.evidence)
        out.append("")
        out.extend(_verdict_lines(t.verdict))
        out.append("")
    out.extend(f"note: {n}" for n in x.notes)
    if not x.traces:
        out.append("No ICMP echo flow or unanswered ARP found in the inputs.")
    return "\n".join(out).rstrip() + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def format_markdown(x: Explanation) -> str:
    """Markdown for a runbook or ticket: a table of steps per flow and the verdict."""
    out = [f"# vxlan-inspect explain: {x.source}", ""]
    primary = x.primary
    if primary:
        out += [f"**Primary verdict: `{primary.code}`** — {primary.summary}", ""]
    for t in x.traces:
        out += [f"## {t.flow.label()}", "", f"Verdict: **`{t.verdict.code}`** — {t.verdict.summary}", ""]
        out += ["| # | where | step | status | what happened | evidence |", "|---|---|---|---|---|---|"]
        for n, s in enumerate(t.steps, start=1):
            evid = "<br>".join(f"`{_md(e.ref())}`" for e in s.evidence)
            what = _md(s.summary) + "".join(f"<br>→ {_md(d)}" for d in s.details)
            out.append(f"| {n} | {_md(s.location.label())} ({s.direction}) | {s.kind} | {s.status} | {what} | {evid} |")
        out.append("")
        if t.verdict.evidence:
            out += ["Evidence:", ""]
            out += [f"- `{_md(e.ref())}`: `{e.text}`" for e in t.verdict.evidence]
            out.append("")
        if t.verdict.findings:
            out += [f"Findings: {', '.join(f'`{c}`' for c in t.verdict.findings)}", ""]
        if t.verdict.unknowns:
            out += ["Not settled by these inputs:", ""]
            out += [f"- {u.question} — settle with: {u.settle_with}" for u in t.verdict.unknowns]
            out.append("")
        if t.verdict.fix:
            out += [f"Fix: {t.verdict.fix}", ""]
    if x.notes:
        out += ["Notes:", ""] + [f"- {n}" for n in x.notes] + [""]
    return "\n".join(out).rstrip() + "\n"


def _actor(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name) or "unknown"


def format_mermaid(x: Explanation) -> str:
    """A mermaid sequence diagram per flow: participants are namespaces, messages are hops."""
    out: list[str] = []
    for t in x.traces:
        out += [f"%% {t.flow.label()}: {t.verdict.code}", "sequenceDiagram"]
        actors: list[str] = []
        for s in t.steps:
            name = s.location.namespace or s.location.host or "unknown"
            if name not in actors:
                actors.append(name)
        for a in actors:
            out.append(f"    participant {_actor(a)} as {a}")
        from vxlan_inspect.render.explain_page import arrows

        for n, (s, (src, dst)) in enumerate(zip(t.steps, arrows(t), strict=True), start=1):
            prev, here = (_actor(src) if src else None), _actor(dst)
            arrow = "-x" if s.status == "fail" else "--)" if s.status == "unknown" else "->>"
            text = f"{n}. {s.kind}: {s.summary}".replace(";", ",").replace("#", "no.")
            if prev is None or prev == here:
                out.append(f"    Note over {here}: {text}")
            else:
                out.append(f"    {prev}{arrow}{here}: {text}")
        out.append(f"    Note over {_actor(actors[0]) if actors else 'unknown'}: verdict {t.verdict.code}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_tree(x: Explanation) -> Any:
    """A rich Tree of flows, namespaces, steps and evidence (print it with a rich Console)."""
    from rich.tree import Tree

    root = Tree(f"[bold]explain[/] {x.source}")
    for t in x.traces:
        style = "green" if t.verdict.code in ("delivered", "arp-proxied") else "red"
        node = root.add(f"{t.flow.label()}  [{style}]{t.verdict.code}[/]")
        groups: dict[str, Any] = {}
        for n, s in enumerate(t.steps, start=1):
            g = _group(s)
            if g not in groups:
                groups[g] = node.add(f"[cyan]{g}[/]")
            mark = {"ok": "[green]ok[/]", "fail": "[red]FAIL[/]", "unknown": "[yellow]?[/]"}[s.status]
            leaf = groups[g].add(f"{n}. {mark} {s.kind}: {s.summary}")
            for d in s.details:
                leaf.add(f"-> {d}")
            for e in s.evidence:
                leaf.add(f"[dim]{e.ref()}: {e.text}[/]")
        v = node.add(f"[bold {style}]verdict {t.verdict.code}[/]: {t.verdict.summary}")
        for u in t.verdict.unknowns:
            v.add(f"[yellow]unknown[/]: {u.question} -> {u.settle_with}")
        if t.verdict.fix:
            v.add(f"fix: {t.verdict.fix}")
    return root
