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


def test_lifecycle_doc_is_generated_from_the_code():
    from workflow.lifecycle_doc import lifecycle_markdown

    doc = (WORKFLOW.parent / "docs" / "lifecycle.md").read_text()
    assert doc == lifecycle_markdown(), "run: followup lifecycle-doc > docs/lifecycle.md"
