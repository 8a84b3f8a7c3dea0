"""The workflow library stays framework-free and the schema stays migrated."""

import ast
import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, MetaData, inspect

from workflow import dispatch
from workflow.lifecycle import RECOMMENDATION
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


# The owners of the transactions: the web request's and the CLI command's. Everything
# else (routes, API views, auth, error handlers, workflow operations) only flushes.
TRANSACTION_OWNERS = {"web/transaction.py", "followup/transaction.py"}


def _transaction_calls(path: Path) -> list[str]:
    """``x.commit()`` / ``x.rollback()`` calls in a module, as "line: name"."""
    return [f"{node.lineno}: {node.func.attr}()" for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")]


def test_only_the_owners_commit_or_roll_back():
    root = WORKFLOW.parent
    found = {}
    for package in ("web", "workflow", "followup"):
        for path in sorted((root / package).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            calls = _transaction_calls(path)
            if calls and name not in TRANSACTION_OWNERS:
                found[name] = calls
    assert found == {}
    for owner in TRANSACTION_OWNERS:  # the rule is not vacuous: the owners do it
        assert any(c.endswith("commit()") for c in _transaction_calls(root / owner)), owner


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []


def _literals(sql: str) -> tuple[str, ...]:
    """The quoted values a CHECK constraint names (e.g. the allowed states). The database
    gives back its own spelling of the expression (PostgreSQL writes ``IN`` as
    ``= ANY (ARRAY[...])`` with casts), so what is compared is the values, not the text."""
    return tuple(sorted(set(re.findall(r"'((?:[^']|'')*)'", sql))))


def _model_checks(metadata: MetaData, dialect) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(table.name, str(c.name)): _literals(str(c.sqltext.compile(
                dialect=dialect, compile_kwargs={"literal_binds": True})))
            for table in metadata.sorted_tables for c in table.constraints
            if isinstance(c, CheckConstraint)}


def _database_checks(conn, tables) -> dict[tuple[str, str], tuple[str, ...]]:
    found = {}
    inspector = inspect(conn)
    for table in tables:
        for c in inspector.get_check_constraints(table):
            found[(table, c["name"])] = _literals(c["sqltext"])
    return found


def check_constraint_diff(conn, metadata: MetaData) -> list[str]:
    """How the CHECK constraints of the models differ from those of the migrated
    database (alembic's comparison does not look at them)."""
    model = _model_checks(metadata, conn.dialect)
    database = _database_checks(conn, [t.name for t in metadata.sorted_tables])
    diff = [f"{t}.{n}: in the models, not in the database" for t, n in model.keys() - database]
    diff += [f"{t}.{n}: in the database, not in the models" for t, n in database.keys() - model]
    diff += [f"{t}.{n}: the models allow {model[(t, n)]}, the database {database[(t, n)]}"
             for t, n in model.keys() & database.keys() if model[(t, n)] != database[(t, n)]]
    return sorted(diff)


def test_models_and_migrations_agree_on_check_constraints(engine):
    with engine.connect() as conn:
        checks = _database_checks(conn, ["recommendation", "case_addressee"])
        assert checks[("recommendation", "ck_recommendation_recommendation_state")] == \
            tuple(sorted(RECOMMENDATION.state_names))
        assert check_constraint_diff(conn, Base.metadata) == []


def _with_extra_state(state: str) -> MetaData:
    """The models' metadata as it would be if the lifecycle had one more state and no
    migration had followed."""
    metadata = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    rec = metadata.tables["recommendation"]
    old = next(c for c in rec.constraints if isinstance(c, CheckConstraint)
               and str(c.name).endswith("recommendation_state"))
    rec.constraints.discard(old)
    rec.append_constraint(CheckConstraint(
        rec.c.state.in_([*RECOMMENDATION.state_names, state]), name=old.name))
    return metadata


def test_a_state_added_without_a_migration_fails_the_comparison(engine):
    with engine.connect() as conn:
        diff = check_constraint_diff(conn, _with_extra_state("dormant"))
    assert len(diff) == 1
    assert diff[0].startswith("recommendation.ck_recommendation_recommendation_state: the "
                              "models allow (") and "'dormant'" in diff[0]


def test_lifecycle_doc_is_generated_from_the_code():
    from workflow.lifecycle_doc import lifecycle_markdown

    doc = (WORKFLOW.parent / "docs" / "lifecycle.md").read_text()
    assert doc == lifecycle_markdown(), "run: followup lifecycle-doc > docs/lifecycle.md"


def test_every_trigger_a_person_fires_has_one_operation_and_typed_parameters():
    """The dispatcher's table covers exactly the declared triggers people fire; the
    system's triggers are fired by those operations, never by name."""
    from workflow.lifecycle import LIFECYCLES, PARAM_KINDS, SYSTEM

    people = {t.name for lc in LIFECYCLES.values() for t in lc.triggers
              if t.roles - {SYSTEM}}
    assert set(dispatch.OPERATIONS) == people
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


def test_deadlines_stay_pure():
    """workflow/deadlines/ computes; it never touches the database nor other features."""
    allowed = ("workflow.deadlines", "workflow.errors")
    offenders = []
    for path in sorted((WORKFLOW / "deadlines").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "workflow":
                modules = [f"workflow.{a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            else:
                continue
            for module in modules:
                if module.startswith(("sqlalchemy", "flask")) or (
                        module.startswith("workflow") and not module.startswith(allowed)):
                    offenders.append(f"{path.name}: {module}")
    assert offenders == []


def test_every_feature_package_is_documented_in_the_readme():
    readme = (WORKFLOW.parent / "README.md").read_text()
    packages = sorted(p.name for p in WORKFLOW.iterdir()
                      if p.is_dir() and (p / "__init__.py").exists())
    assert packages and [p for p in packages if f"`{p}/`" not in readme] == []
