"""One transaction per request, owned by web/transaction.py: a page's change and its
history event are saved together or not at all, a lost race at commit is a 409 that
shows the case as it is, and a redirect after a POST leads to the committed data."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from tests.web.conftest import case_id, login, text, version_of
from workflow import db as wdb
from workflow.models import Event, Recommendation, User

DOC = "747/2"  # adopted in the demo: the secretariat may transmit it


def _stored(db_url: str) -> tuple[str, int]:
    """The case's state and the number of history events, read over a new connection
    (so only what was committed)."""
    engine = wdb.make_engine(db_url)
    try:
        with engine.connect() as conn:
            state = conn.scalar(select(Recommendation.state)
                                .where(Recommendation.doc_number == DOC))
            events = conn.scalar(select(func.count(Event.id)))
        return state, events
    finally:
        engine.dispose()


def _transmit(client, app):
    rid = case_id(app, DOC)
    return client.post(f"/secretariat/cases/{rid}/act/transmit",
                       data={"transmit-version": str(version_of(app, DOC))})


@pytest.fixture
def failing_commit(app):
    """``failing_commit(exc)``: the request's next commit fails with ``exc``, as when
    another writer won the race between the view's flush and its commit."""
    from web.extensions import db

    installed = []

    def install(exc: Exception) -> None:
        def refuse(_session):
            if installed:
                event.remove(db.session, "before_commit", refuse)
                installed.clear()
                raise exc

        event.listen(db.session, "before_commit", refuse)
        installed.append(refuse)

    yield install
    for refuse in installed:
        event.remove(db.session, "before_commit", refuse)


def _serialization_failure() -> OperationalError:
    return OperationalError("COMMIT", {}, SimpleNamespace(sqlstate="40001"))


def test_the_redirect_after_a_post_leads_to_committed_data(app, client, db_url):
    login(client, "secretariaat")
    state, events = _stored(db_url)
    assert state == "adopted"
    response = _transmit(client, app)
    assert response.status_code == 302
    # committed before the redirect left: another connection sees the change already
    assert _stored(db_url) == ("transmitted", events + 1)
    page = client.get(response.headers["Location"])
    assert 'data-state="transmitted"' in text(page)


def test_a_failure_after_the_operation_leaves_neither_change_nor_event(app, client, db_url,
                                                                       monkeypatch):
    from web.secretariat import routes

    login(client, "secretariaat")
    before = _stored(db_url)

    def broken_flash(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(routes, "flash", broken_flash)  # after ops.transmit flushed
    response = _transmit(client, app)
    assert response.status_code == 500
    assert _stored(db_url) == before


@pytest.mark.parametrize("failure", [
    StaleDataError("UPDATE statement on table 'recommendation' expected to update 1 row(s)"),
    IntegrityError("INSERT INTO event", {}, Exception("UNIQUE constraint failed: event.seq")),
    _serialization_failure(),
], ids=["stale-version", "integrity", "serialization"])
def test_a_lost_race_at_commit_is_409_with_the_case_as_it_is(app, client, db_url,
                                                             failing_commit, failure):
    login(client, "secretariaat")
    client.get("/secretariat/")  # shows (and so clears) the welcome message
    before = _stored(db_url)
    failing_commit(failure)
    response = _transmit(client, app)
    assert response.status_code == 409
    page = text(response)
    assert 'id="conflict"' in page
    assert 'data-state="adopted"' in page  # rendered after the rollback
    assert _stored(db_url) == before
    # the success message the view flashed before the commit failed is shown neither
    # with the conflict nor later
    later = client.get(f"/secretariat/cases/{case_id(app, DOC)}")
    assert 'flash-success' not in page + text(later)


def test_a_lost_race_on_a_page_without_its_own_refusal_view_is_the_409_error_page(
        app, client, db_url, failing_commit):
    login(client, "secretariaat")
    failing_commit(StaleDataError("stale"))
    response = client.post("/language", data={"lang": "fr", "next": "/secretariat/"})
    assert response.status_code == 409 and 'class="error-page"' in text(response)
    engine = wdb.make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(User.locale).where(User.username == "secretariaat")) == "nl"
    finally:
        engine.dispose()


def test_a_stale_form_is_409_on_the_page_and_writes_nothing(app, client, db_url):
    login(client, "secretariaat")
    before = _stored(db_url)
    rid = case_id(app, DOC)
    response = client.post(f"/secretariat/cases/{rid}/act/transmit",
                           data={"transmit-version": str(version_of(app, DOC) - 1)})
    assert response.status_code == 409 and 'id="conflict"' in text(response)
    assert _stored(db_url) == before


def test_an_error_response_rolls_back_what_the_view_wrote(app, client, db_url, monkeypatch):
    """A view that wrote and then answers with an error status saves nothing."""
    from web.secretariat import routes

    login(client, "secretariaat")
    before = _stored(db_url)
    # the transmission and its event are flushed; then the view answers 400
    monkeypatch.setattr(routes, "redirect", lambda _location: ("refused", 400))
    assert _transmit(client, app).status_code == 400
    assert _stored(db_url) == before
