"""One transaction per API request (web/transaction.py): the change and its history
event are saved together or not at all, a lost race at commit is the API's usual 409,
and the token's last use is written in the request's own transaction."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from workflow import db as wdb
from workflow import dispatch
from workflow.cases import transitions
from workflow.models import ApiToken, Event, Recommendation

from .conftest import SEC, _load_demo, dispose, etag

API = "/api/v1"
DOC = "747/2"  # adopted in the demo


def _stored(url: str) -> tuple[str, int, int]:
    """State, version and number of events, over a new connection: what was committed."""
    engine = wdb.make_engine(url)
    try:
        with engine.connect() as conn:
            state, version = conn.execute(
                select(Recommendation.state, Recommendation.version)
                .where(Recommendation.doc_number == DOC)).one()
            return state, version, conn.scalar(select(func.count(Event.id)))
    finally:
        engine.dispose()


def _last_used(url: str):
    engine = wdb.make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(ApiToken.last_used_at))
    finally:
        engine.dispose()


def _transmit(client, headers):
    return client.post(f"{API}/recommendations/{DOC}/triggers/transmit", json={},
                       headers={**headers, "If-Match": etag(client, DOC, headers)})


@pytest.mark.parametrize("failure", [
    StaleDataError("UPDATE statement on table 'recommendation' expected to update 1 row(s)"),
    IntegrityError("INSERT INTO event", {}, Exception("duplicate key value")),
    OperationalError("COMMIT", {}, SimpleNamespace(sqlstate="40001")),
], ids=["stale-version", "integrity", "serialization"])
def test_a_lost_race_at_commit_is_409_with_the_current_case(app, client, auth, demo_url,
                                                            failure):
    from web.extensions import db

    headers = auth(SEC)
    etag(client, DOC, headers)  # the token's first use is committed before the race
    before = _stored(demo_url)
    armed = []

    def refuse(_session):
        if armed:
            armed.clear()
            raise failure

    event.listen(db.session, "before_commit", refuse)
    try:
        old = etag(client, DOC, headers)
        armed.append(True)
        response = client.post(f"{API}/recommendations/{DOC}/triggers/transmit", json={},
                               headers={**headers, "If-Match": old})
    finally:
        event.remove(db.session, "before_commit", refuse)
    assert response.status_code == 409, response.json
    body = response.json
    assert body["code"] == "conflict" and "nothing was saved" in body["message"]
    assert body["current"]["state"] == "adopted"
    assert _stored(demo_url) == before


def test_a_failure_after_the_operation_leaves_neither_change_nor_event(app, client, auth,
                                                                       demo_url, monkeypatch):
    from web.api import routes

    headers = auth(SEC)
    old = etag(client, DOC, headers)
    before = _stored(demo_url)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(routes, "_case_response", broken)  # after transitions.transmit flushed
    response = client.post(f"{API}/recommendations/{DOC}/triggers/transmit", json={},
                           headers={**headers, "If-Match": old})
    assert response.status_code == 500 and response.json["code"] == "internal_error"
    assert _stored(demo_url) == before


def test_a_successful_change_is_committed_once_with_its_event(client, auth, demo_url):
    headers = auth(SEC)
    state, _version, events = _stored(demo_url)
    assert state == "adopted"
    response = _transmit(client, headers)
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{response.json["version"]}"'
    assert _stored(demo_url) == ("transmitted", response.json["version"], events + 1)


def test_the_tokens_last_use_is_part_of_the_request(app, client, make_token, demo_url,
                                                    monkeypatch):
    from web.api import routes

    headers = {"Authorization": f"Bearer {make_token(SEC)}"}
    # a refused call (the case does not exist) saves nothing, not even the token's use
    assert client.get(f"{API}/recommendations/999/9", headers=headers).status_code == 404
    assert _last_used(demo_url) is None

    seen_by_the_view = []
    real = routes.queries.search

    def search(*args, **kwargs):
        seen_by_the_view.append(_last_used(demo_url))
        return real(*args, **kwargs)

    monkeypatch.setattr(routes.queries, "search", search)
    assert client.get(f"{API}/recommendations", headers=headers).status_code == 200
    assert seen_by_the_view == [None]  # not committed before the view ran
    assert _last_used(demo_url) is not None  # committed with the call


@pytest.mark.postgres
def test_a_serialization_failure_on_postgres_is_409(pg_url, tmp_path, monkeypatch, frozen):
    """Under REPEATABLE READ, a rival that changes the case after this request began makes
    PostgreSQL refuse the request's update (SQLSTATE 40001): a 409, nothing saved."""
    from web import create_app
    from workflow.accounts import tokens
    from workflow.models import User

    _load_demo(pg_url)
    monkeypatch.setenv("FOLLOWUP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("FOLLOWUP_SECRET_KEY", "test-secret")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": wdb.database_url(pg_url),
                      "SQLALCHEMY_ENGINE_OPTIONS": {"isolation_level": "REPEATABLE READ"}})
    try:
        from web.extensions import db

        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == SEC))
            secret = tokens.create_token(db.session, user, "race").secret
            headers = {"Authorization": f"Bearer {secret}"}
            db.session.commit()
        client = app.test_client()
        old = etag(client, DOC, headers)
        before = _stored(pg_url)
        real = transitions.transmit

        def transmit_after_a_rival(*args, **kwargs):
            rival = wdb.make_engine(pg_url)
            with rival.begin() as conn:
                conn.execute(text("UPDATE recommendation SET updated_at = updated_at "
                                  "WHERE doc_number = :doc"), {"doc": DOC})
            rival.dispose()
            return real(*args, **kwargs)

        monkeypatch.setitem(dispatch.OPERATIONS, "transmit", transmit_after_a_rival)
        response = client.post(f"{API}/recommendations/{DOC}/triggers/transmit", json={},
                               headers={**headers, "If-Match": old})
        assert response.status_code == 409, response.json
        assert response.json["code"] == "conflict"
        assert response.json["current"]["state"] == "adopted"
        assert _stored(pg_url) == before
    finally:
        dispose(app)
