"""The workflow library stays framework-free and the schema stays migrated."""

import ast
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
