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
