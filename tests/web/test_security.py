"""CSRF is enforced, errors never show a stack trace, and `followup serve` starts."""

from __future__ import annotations

import re

from click.testing import CliRunner

from tests.web.conftest import case_id, text, version_of


def _token(page: str) -> str:
    return re.search(r'name="[\w-]*csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_post_without_csrf_token_is_refused_and_writes_nothing(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    assert client.post("/login", data={"username": "secretariaat",
                                       "password": "demo-secretariaat"}).status_code == 400
    token = _token(text(client.get("/login")))
    assert client.post("/login", data={"username": "secretariaat", "password":
                                       "demo-secretariaat", "csrf_token": token}
                       ).status_code == 302
    rid = case_id(app, "747/2")
    version = version_of(app, "747/2")
    refused = client.post(f"/secretariat/cases/{rid}/act/transmit",
                          data={"transmit-version": str(version)})
    assert refused.status_code == 400 and "Traceback" not in text(refused)
    assert version_of(app, "747/2") == version
    page = text(client.get(f"/cases/{rid}"))
    token = _token(page)
    done = client.post(f"/secretariat/cases/{rid}/act/transmit",
                       data={"transmit-version": str(version), "transmit-csrf_token": token})
    assert done.status_code == 302
    assert version_of(app, "747/2") != version


def test_errors_show_advice_not_a_stack_trace(app, client, monkeypatch):
    from tests.web.conftest import login

    login(client, "secretariaat")
    missing = client.get("/cases/999999")
    assert missing.status_code == 404 and 'class="error-page"' in text(missing)
    from web.secretariat import routes

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(routes, "render_template", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/secretariat/")
    assert response.status_code == 500
    assert "secret internals" not in text(response) and "Traceback" not in text(response)


def test_oversized_upload_is_refused(app, client):
    from tests.web.conftest import login

    app.config["MAX_CONTENT_LENGTH"] = 1024
    login(client, "minbuza")
    rid = case_id(app, "743/5Bis")
    import io

    response = client.post(f"/ministry/cases/{rid}", data={
        "kind": "final", "save_draft": "1",
        "attachment": (io.BytesIO(b"%PDF-" + b"x" * 4096), "big.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 413


def test_serve_migrates_loads_the_demo_and_prints_the_logins(db_url, tmp_path, monkeypatch):
    import waitress

    from web.commands import serve
    from workflow import db as wdb

    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.setenv("DATABASE_URL", wdb.database_url(db_url))
    monkeypatch.setenv("FOLLOWUP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("FOLLOWUP_SECRET_KEY", "test")
    result = CliRunner().invoke(serve, ["--demo", "--port", "5099"])
    assert result.exit_code == 0, result.output
    assert "http://localhost:5099/" in result.output
    assert "secretariaat" in result.output and "demo-minbuza" in result.output
    (app, kwargs), = calls
    assert kwargs["port"] == 5099 and kwargs["host"] == "127.0.0.1"
    from web.extensions import db

    with app.app_context():
        db.engine.dispose()
