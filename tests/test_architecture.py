"""The workflow library stays framework-free and the schema stays migrated."""

import ast
import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from workflow.models import Base

WORKFLOW = Path(__file__).resolve().parent.parent / "workflow"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_workflow_imports_no_flask_and_no_web():
    offenders = {
        str(p.relative_to(WORKFLOW)): sorted(_imports(p) & {"flask", "web", "flask_sqlalchemy"})
        for p in WORKFLOW.rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}


def test_workflow_never_commits():
    committing = [str(p.relative_to(WORKFLOW)) for p in WORKFLOW.rglob("*.py")
                  if ".commit()" in p.read_text()]
    assert committing == []


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []


def test_lifecycle_doc_is_generated_from_the_code():
    from workflow.lifecycle_doc import lifecycle_markdown

    doc = (WORKFLOW.parent / "docs" / "lifecycle.md").read_text()
    assert doc == lifecycle_markdown(), "run: followup lifecycle-doc > docs/lifecycle.md"


def test_every_trigger_a_person_fires_has_one_operation_and_typed_parameters():
    """The dispatcher's table covers exactly the declared triggers people fire; the
    system's triggers are fired by those operations, never by name."""
    from workflow import operations as ops
    from workflow.lifecycle import LIFECYCLES, PARAM_KINDS, SYSTEM

    people = {t.name for lc in LIFECYCLES.values() for t in lc.triggers
              if t.roles - {SYSTEM}}
    assert set(ops.OPERATIONS) == people
    declared = {p for lc in LIFECYCLES.values() for t in lc.triggers for p in t.params}
    assert declared <= set(PARAM_KINDS)


# ---------------------------------------------------------------------------
# One rule, one place: web/ never spells out a list of lifecycle states.

WEB = WORKFLOW.parent / "web"
LABELS = WEB / "labels.py"
# In a template: a list or tuple literal of two or more quoted words.
TEMPLATE_LIST = re.compile(r"""[\[(]\s*((?:(["'])\w+\2\s*,\s*)+(["'])\w+\3)\s*,?\s*[\])]""")


def _state_names() -> set[str]:
    from workflow.lifecycle import LIFECYCLES

    return {name for lifecycle in LIFECYCLES.values() for name in lifecycle.state_names}


def _strings(nodes) -> list[str] | None:
    values = [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return values if len(values) == len(nodes) else None


def state_lists_in_python(source: str, *, labels: bool = False) -> list[tuple[int, list[str]]]:
    """(line, names) of each tuple, list or set of 2+ string literals that are all state
    names, and of each dict keyed by them. ``labels``: a dict mapping each state to its
    label (a call such as ``_l("...")``) is the labels module's job and allowed there."""
    names, found = _state_names(), []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            values = _strings(node.elts)
        elif isinstance(node, ast.Dict) and None not in node.keys:
            values = _strings(node.keys)
            if labels and values and all(isinstance(v, ast.Call) for v in node.values):
                continue
        else:
            continue
        if values and len(values) >= 2 and set(values) <= names:
            found.append((node.lineno, values))
    return found


def state_lists_in_template(source: str) -> list[list[str]]:
    names = _state_names()
    found = []
    for match in TEMPLATE_LIST.finditer(source):
        values = re.findall(r"""["'](\w+)["']""", match.group(1))
        if set(values) <= names:
            found.append(values)
    return found


def test_the_state_list_checks_catch_what_they_look_for():
    assert state_lists_in_python('if s in ("pending", "interim_reply"): pass') == \
        [(1, ["pending", "interim_reply"])]
    assert state_lists_in_python('x = {"closed", "reopened"}')
    assert state_lists_in_python('x = {"closed": 1, "reopened": 2}')
    assert state_lists_in_python('x = {"closed": _l("closed"), "reopened": _l("r")}',
                                 labels=True) == []
    assert state_lists_in_python('x = ("pending", "a label")') == []
    assert state_lists_in_python('x = ("pending",)') == []
    assert state_lists_in_template('{% for s in ["adopted", "closed"] %}') == \
        [["adopted", "closed"]]
    assert state_lists_in_template("{% if e.state in ('pending', 'waived') %}")
    assert state_lists_in_template('{% if role in ("secretariat", "auditor") %}') == []


def test_web_python_spells_out_no_state_list():
    offenders = {}
    for path in sorted(WEB.rglob("*.py")):
        found = state_lists_in_python(path.read_text(), labels=path == LABELS)
        if found:
            offenders[str(path.relative_to(WEB))] = found
    assert offenders == {}, "ask workflow.lifecycle (or a hybrid on the models) instead"


def test_web_templates_spell_out_no_state_list():
    offenders = {}
    for path in sorted((WEB / "templates").rglob("*.html")):
        found = state_lists_in_template(path.read_text())
        if found:
            offenders[str(path.relative_to(WEB))] = found
    assert offenders == {}, "pass the states from workflow.lifecycle from the view"
