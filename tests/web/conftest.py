"""Fixtures of the web tests: an app on a fresh database with the demo loaded,
a test client, and ``login(client, username)`` with the demo passwords."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import func, select

from tests.conftest import _main_url
from workflow import db as wdb
from workflow.cases import scope
from workflow.demo import DEMO_USERS, load_demo
from workflow.history.models import Event

PASSWORDS = {username: password for username, password, *_ in DEMO_USERS}
MINISTRIES = {org: username for username, _pw, role, org, *_ in DEMO_USERS if role == "ministry"}


def _load_demo(url: str) -> None:
    engine = wdb.make_engine(url)
    session = wdb.make_session(engine)
    load_demo(session)
    session.commit()
    session.close()
    engine.dispose()


@pytest.fixture(scope="session")
def demo_sqlite(databases, tmp_path_factory):
    """A migrated SQLite file with the demo loaded once per run (copied for each test)."""
    folder = tmp_path_factory.mktemp("demo")
    _load_demo(databases.sqlite(folder))
    return folder / "test.db"


@pytest.fixture
def db_url(databases, tmp_path, request):
    """A fresh database with the demo loaded (PostgreSQL when DATABASE_URL names one:
    loaded once per run there too, and copied back for each test)."""
    main = _main_url()
    if main:
        return databases.postgres_with(main, "web demo", _load_demo)
    template = request.getfixturevalue("demo_sqlite")
    target = tmp_path / "test.db"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


def make_app(db_url: str, tmp_path, monkeypatch, **config):
    monkeypatch.setenv("FOLLOWUP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("FOLLOWUP_SECRET_KEY", "test-secret")
    from web import create_app

    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": wdb.database_url(db_url),
                "WTF_CSRF_ENABLED": False}
    settings.update(config)
    app = create_app(settings)
    from web.extensions import db

    with app.app_context():
        load_demo(db.session)
        db.session.commit()
        # the demo records events of its own: tests read those they caused after it
        app.config["TEST_DEMO_HEAD"] = db.session.scalar(select(func.max(Event.seq))) or 0
    return app


def events_after_demo(app, action: str) -> list[Event]:
    """The events ``action`` recorded after the demo was loaded, oldest first (detached)."""
    from web.extensions import db

    with app.app_context():
        found = list(db.session.scalars(
            select(Event).where(Event.action == action,
                                Event.seq > app.config["TEST_DEMO_HEAD"]).order_by(Event.seq)))
        db.session.expunge_all()
        return found


def close_app(app) -> None:
    from web.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_factory(db_url, tmp_path, monkeypatch):
    """Makes apps on the test's database (e.g. with other settings); closes them after."""
    made = []

    def factory(**config):
        made.append(make_app(db_url, tmp_path, monkeypatch, **config))
        return made[-1]

    yield factory
    for app in made:
        close_app(app)


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username: str, password: str | None = None):
    response = client.post("/login", data={"username": username,
                                           "password": password or PASSWORDS[username]})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def logout(client):
    return client.post("/logout")


def case_id(app, doc_number: str) -> int:
    from web.extensions import db

    with app.app_context():
        return scope.find_recommendation(db.session, doc_number).id


def version_of(app, doc_number: str) -> int:
    from web.extensions import db

    with app.app_context():
        db.session.expire_all()
        return scope.find_recommendation(db.session, doc_number).version


def text(response) -> str:
    return response.get_data(as_text=True)


def flashes(response) -> list[str]:
    return re.findall(r'<p class="flash[^"]*">(.*?)</p>', text(response))
