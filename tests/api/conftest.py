"""Fixtures of the API and public-side tests: the web app on a fresh database with the
demo data, the clock frozen, API tokens for the demo users, and small helpers."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from functools import partial

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from tests.conftest import _main_url
from tests.pdfs import pdf
from workflow import accounts, clock
from workflow import db as wdb
from workflow.accounts import tokens
from workflow.demo import DEMO_USERS, load_demo
from workflow.models import Event, Recommendation, User

NOW = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)  # a Thursday
PASSWORDS = {username: password for username, password, *_ in DEMO_USERS}
SEC, NL, BE, AUDITOR = "secretariaat", "minbuza", "spf-affaires-etrangeres", "auditor"
PDF = pdf("api")


@pytest.fixture
def frozen():
    with clock.frozen(NOW) as now:
        yield now


def _load_demo(url: str) -> None:
    engine = wdb.make_engine(url)
    session = wdb.make_session(engine)
    # Cheap password hashes for the demo users, only while loading them (seven scrypt
    # hashes would cost more than the rest of a test).
    with clock.frozen(NOW), pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts.users, "generate_password_hash",
                      partial(generate_password_hash, method="pbkdf2:sha256:1000"))
        load_demo(session)
    session.commit()
    session.close()
    engine.dispose()


@pytest.fixture(scope="session")
def api_demo_sqlite(databases, tmp_path_factory):
    """A migrated SQLite file with the demo loaded at NOW, once per run."""
    folder = tmp_path_factory.mktemp("api-demo")
    _load_demo(databases.sqlite(folder))
    return folder / "test.db"


@pytest.fixture
def demo_url(databases, tmp_path, request) -> str:
    """A fresh database with the demo (PostgreSQL when DATABASE_URL names one)."""
    main = _main_url()
    if main:
        return databases.postgres_with(main, "api demo", _load_demo)
    target = tmp_path / "test.db"
    shutil.copy(request.getfixturevalue("api_demo_sqlite"), target)
    return f"sqlite:///{target}"


def make_app(url: str, tmp_path, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("FOLLOWUP_SECRET_KEY", "test-secret")
    from web import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": wdb.database_url(url)})


def dispose(app) -> None:
    from web.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(demo_url, tmp_path, monkeypatch, frozen):
    """The web app (CSRF on, as in production) on the demo data, the clock at NOW."""
    app = make_app(demo_url, tmp_path, monkeypatch)
    yield app
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_token(app):
    def make(username: str, name: str = "tests") -> str:
        from web.extensions import db

        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == username))
            secret = tokens.create_token(db.session, user, name).secret
            db.session.commit()
        return secret

    return make


@pytest.fixture
def auth(make_token):
    """``auth(username)`` -> headers with a fresh token of that demo user."""
    cache: dict[str, dict] = {}

    def headers(username: str = SEC) -> dict:
        if username not in cache:
            cache[username] = {"Authorization": f"Bearer {make_token(username)}"}
        return dict(cache[username])

    return headers


def login(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": username,
                                           "password": PASSWORDS[username],
                                           "csrf_token": csrf_of(page)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def counts(app) -> tuple[int, int]:
    """(recommendations, events) in the database."""
    from web.extensions import db

    with app.app_context():
        return (db.session.scalar(select(func.count(Recommendation.id))),
                db.session.scalar(select(func.count(Event.id))))


def etag(client, doc: str, headers: dict) -> str:
    response = client.get(f"/api/v1/recommendations/{doc}", headers=headers)
    assert response.status_code == 200, response.json
    return response.headers["ETag"]
