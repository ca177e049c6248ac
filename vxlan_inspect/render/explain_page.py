"""``explain --format html``: one self-contained page per explanation.

The page needs no network access: the styles are inline and the sequence diagram
is an inline SVG drawn here (one lifeline per namespace, one arrow or note per
step, red crosses for failures, dashed for unknowns). Each step's evidence is a
``<details>`` element; the verdict sits in ``<section class="verdict">`` with a
``data-code`` attribute. Pure: a function of the :class:`Explanation` data.
"""

from __future__ import annotations

import html

from vxlan_inspect.explain.model import Explanation, Step, Trace

COL = 190  # horizontal distance between lifelines
ROW = 34  # vertical distance between steps
TOP = 60  # room for the participant boxes

STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1200px;color:#222}
h1{font-size:1.4em} h2{font-size:1.15em;margin-top:1.5em}
.verdict{padding:.6em 1em;border-radius:6px;margin:1em 0;border:2px solid #2e7d32;background:#e8f5e9}
.verdict.bad{border-color:#c62828;background:#ffebee} .verdict.unknown{border-color:#f9a825;background:#fffde7}
.verdict code{font-weight:bold;font-size:1.1em}
ol.steps li{margin:.3em 0} .fail{color:#c62828;font-weight:bold} .unknown{color:#f9a825;font-weight:bold}
details{margin:.2em 0 .4em 1em} details pre{white-space:pre-wrap;font-size:.85em;background:#f5f5f5;padding:.4em}
svg text{font-family:system-ui,sans-serif}
"""


def _actor(s: Step) -> str:
    return s.location.namespace or s.location.host or "unknown"


#: steps that happen as the packet leaves their namespace: drawn from there to where the next step happens
SENDING = frozenset({"container-egress"})


def arrows(t: Trace) -> list[tuple[str | None, str]]:
    """Per step, (from, to) actors of its arrow; ``from`` None (or equal to ``to``) means a note over ``to``.

    A packet is drawn where it is: a step moves it from the namespace of the previous step to its own,
    except a sending step (``container-egress``), which moves it from its own namespace to the next step's.
    """
    out: list[tuple[str | None, str]] = []
    cur: str | None = None
    for i, s in enumerate(t.steps):
        here = _actor(s)
        if s.kind in SENDING:
            nxt = _actor(t.steps[i + 1]) if i + 1 < len(t.steps) else here
            out.append((here, nxt))
            cur = nxt
        else:
            out.append((cur, here))
            cur = here
    return out


def _svg(t: Trace, index: int) -> str:
    """The sequence diagram of one trace: lifelines, then one arrow (or note) per step."""
    actors: list[str] = []
    for s in t.steps:
        if _actor(s) not in actors:
            actors.append(_actor(s))
    width = max(1, len(actors)) * COL + 40
    height = TOP + (len(t.steps) + 1) * ROW + 20
    x = {a: 20 + COL // 2 + i * COL for i, a in enumerate(actors)}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="sequence" id="sequence-{index}" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="sequence diagram">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>']
    for a, ax in x.items():
        out.append(f'<rect x="{ax - COL // 2 + 8}" y="10" width="{COL - 16}" height="30" rx="4" fill="#e8eaf6" '
                   f'stroke="#3f51b5"/><text x="{ax}" y="30" text-anchor="middle" font-size="12">'
                   f'{html.escape(a)}</text>')
        out.append(f'<line x1="{ax}" y1="40" x2="{ax}" y2="{height - 10}" stroke="#9fa8da" stroke-dasharray="4 4"/>')
    for n, (s, (prev, here)) in enumerate(zip(t.steps, arrows(t), strict=True), start=1):
        y = TOP + n * ROW
        colour = {"ok": "#333", "fail": "#c62828", "unknown": "#f9a825"}[s.status]
        dash = ' stroke-dasharray="6 4"' if s.status == "unknown" else ""
        label = html.escape(f"{n}. {s.kind}" + (" (FAIL)" if s.status == "fail" else ""))
        title = f"<title>{html.escape(s.summary)}</title>"
        if prev is None or prev == here:
            ax = x[here]
            out.append(f'<g class="step" data-n="{n}">{title}<rect x="{ax - 80}" y="{y - 14}" width="160" '
                       f'height="20" rx="3" fill="#fff8e1" stroke="{colour}"/><text x="{ax}" y="{y}" '
                       f'text-anchor="middle" font-size="11" fill="{colour}">{label}</text></g>')
        else:
            x1, x2 = x[prev], x[here]
            end = x2 - 6 if x2 > x1 else x2 + 6
            out.append(f'<g class="step" data-n="{n}">{title}<line x1="{x1}" y1="{y}" x2="{end}" y2="{y}" '
                       f'stroke="{colour}" stroke-width="1.5"{dash} marker-end="url(#arrow)"/>'
                       f'<text x="{(x1 + x2) / 2}" y="{y - 5}" text-anchor="middle" font-size="11" '
                       f'fill="{colour}">{label}</text></g>')
            if s.status == "fail":
                out.append(f'<text x="{x2}" y="{y + 5}" text-anchor="middle" font-size="16" fill="#c62828">'
                           "\u2716</text>")
    out.append("</svg>")
    return "".join(out)


def _verdict_class(code: str, severity: int) -> str:
    if code == "undetermined" or code == "no-reply":
        return "unknown"
    return "bad" if severity >= 8 else "ok"


def explanation_page(x: Explanation, *, title: str = "vxlan-inspect explain") -> str:
    """A whole HTML document: per trace the verdict, the SVG sequence diagram and the steps with their evidence."""
    e = html.escape
    body: list[str] = [f"<h1>{e(title)}</h1>", f"<p>Source: <code>{e(x.source)}</code></p>"]
    for i, t in enumerate(x.traces, start=1):
        v = t.verdict
        body.append(f"<h2>{e(t.flow.label())}</h2>")
        body.append(f'<section class="verdict {_verdict_class(v.code, v.severity)}" data-code="{e(v.code)}">'
                    f"Verdict: <code>{e(v.code)}</code>: {e(v.summary)}"
                    + (f"<br>Fix: {e(v.fix)}" if v.fix else "")
                    + "".join(f"<br>Finding: {e(f)}" for f in v.findings)
                    + "".join(f"<br>Unknown: {e(u.question)}; settle with: {e(u.settle_with)}" for u in v.unknowns)
                    + "</section>")
        body.append(_svg(t, i))
        body.append('<ol class="steps">')
        for s in t.steps:
            mark = {"ok": "", "fail": ' <span class="fail">FAIL</span>',
                    "unknown": ' <span class="unknown">UNKNOWN</span>'}[s.status]
            body.append(f"<li><b>{e(s.kind)}</b> ({e(s.direction)}, {e(s.location.label())}){mark}: {e(s.summary)}")
            if s.details or s.evidence:
                lines = [f"-> {d}" for d in s.details] + [f"{ev.ref()}: {ev.text}" for ev in s.evidence]
                body.append(f"<details><summary>evidence ({len(s.evidence)})</summary><pre>"
                            f"{e(chr(10).join(lines))}</pre></details>")
            body.append("</li>")
        body.append("</ol>")
    if x.notes:
        body.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in x.notes) + "</ul>")
    if not x.traces:
        body.append("<p>No ICMP echo flow or unanswered ARP found in the inputs.</p>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(title)}</title><style>{STYLE}</style></head><body>\n" + "\n".join(body)
            + "\n</body></html>\n")
