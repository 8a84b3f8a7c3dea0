"""The lifecycle reference (docs/lifecycle.md), generated from the declarations
in :mod:`workflow.lifecycle` so that the documentation cannot drift from the code.
Regenerate with ``followup lifecycle-doc > docs/lifecycle.md``."""

from __future__ import annotations

from workflow.lifecycle import (
    CLOSURE_REASONS,
    CLOSURE_WITHOUT_ASSESSMENT,
    LIFECYCLES,
    POSITIONS,
    Lifecycle,
)


def _section(lc: Lifecycle) -> list[str]:
    out = [f"## The {lc.name} lifecycle", "", "```mermaid", lc.mermaid(), "```", "",
           "| state | meaning |", "| --- | --- |"]
    out += [f"| `{s.name}` | {s.description} |" for s in lc.states]
    out += ["", "| action | from | to | who | details given | rules that must hold |",
            "| --- | --- | --- | --- | --- | --- |"]
    for t in lc.triggers:
        guards = ((t.wrong_state,) if t.wrong_state else ()) + t.guards
        rules = "<br>".join(f"`{g.name}`: {g.message}" for g in guards) or "none"
        if t.needs_reason:
            rules += "<br>a reason is required"
        if t.fired_by:
            rules += f"<br>fired by `{t.fired_by}`"
        sources = ", ".join(f"`{s}`" for s in t.sources)
        who = ", ".join(sorted(t.roles))
        to = f"`{t.dest}`" if t.changes_state else "(stays; the due date changes)"
        given = ", ".join(f"`{p}`" for p in t.params) or "none"
        out.append(f"| `{t.name}` ({t.label}) | {sources} | {to} | {who} | {given} | {rules} |")
    return [*out, ""]


def lifecycle_markdown() -> str:
    lines = [
        "# Lifecycles",
        "",
        "Generated from `workflow/lifecycle.py` by `followup lifecycle-doc`; a test keeps it "
        "in step with the code. `system` actions are fired by the aggregation rule: the case "
        "follows its addressees. Actions that keep the state (extensions, requests for more "
        "time, clock stops and resumes) are internal transitions of the answer: they move its "
        "due date. Every action a person may take is fired by name through one dispatcher "
        "(`workflow.dispatch.fire`), from the pages, the API, the CLI and the importer; "
        "`{action}`, `{doc}` and `{addressee}` in a rule's message are filled in when it "
        "refuses.",
        "",
    ]
    for lc in LIFECYCLES.values():
        lines += _section(lc)
    lines += ["## Closure reasons", ""]
    lines += [f"- `{k}`: {v}" + (" (allowed before assessment)"
                                 if k in CLOSURE_WITHOUT_ASSESSMENT else "")
              for k, v in CLOSURE_REASONS.items()]
    lines += ["", "## Answer positions", ""]
    lines += [f"- `{k}`: {v}" for k, v in POSITIONS.items()]
    return "\n".join(lines) + "\n"
