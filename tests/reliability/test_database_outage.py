"""The database becomes unreachable (a loopback proxy between the app and PostgreSQL is
cut): pages answer 503 with a clear page, the API and JSON downloads a JSON error, nothing
answers 500; when the connection is restored the app recovers by itself."""

from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner

from tests.reliability.tcp_proxy import TcpProxy
from tests.web.conftest import close_app, login, make_app, text
from workflow import db as wdb
from workflow.demo import load_demo


def _through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2
                                     else host))


@pytest.fixture
def proxied(pg_url):
    engine = wdb.make_engine(pg_url)
    session = wdb.make_session(engine)
    load_demo(session)
    session.commit()
    session.close()
    engine.dispose()
    parts = urlsplit(wdb.database_url(pg_url))
    with TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432) as proxy:
        yield proxy, _through(proxy, wdb.database_url(pg_url))


@pytest.mark.postgres
def test_pages_and_api_answer_503_while_the_database_is_away(proxied, tmp_path, monkeypatch):
    proxy, url = proxied
    app = make_app(url, tmp_path, monkeypatch)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        client = app.test_client()
        login(client, "secretariaat")
        assert client.get("/secretariat/").status_code == 200

        proxy.cut()
        page = client.get("/secretariat/")
        assert page.status_code == 503, text(page)[:300]
        assert "Traceback" not in text(page) and 'class="error-page"' in text(page)
        assert page.headers["Retry-After"]
        for path in ("/api/v1/recommendations", "/public/scoreboard.json"):
            response = client.get(path)
            assert response.status_code == 503
            body = json.loads(response.get_data(as_text=True))
            assert body["code"] == "database_unavailable"
        assert client.get("/public/").status_code == 503
        assert client.post("/login", data={"username": "minbuza", "password": "x" * 9}
                           ).status_code == 503

        proxy.restore()
        assert client.get("/secretariat/").status_code == 200  # recovered by itself
        assert client.get("/public/scoreboard.json").status_code == 200
    finally:
        close_app(app)


@pytest.mark.postgres
def test_serve_says_the_database_cannot_be_reached(proxied, tmp_path, monkeypatch):
    proxy, url = proxied
    proxy.cut()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("FOLLOWUP_SECRET_KEY", "test-secret")
    monkeypatch.setenv("FOLLOWUP_INSTANCE", str(tmp_path / "instance"))
    from followup.cli import cli

    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code != 0
    assert "cannot reach the database" in result.output
    assert "Traceback" not in result.output
