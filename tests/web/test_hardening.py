"""Security headers, the production settings, login lock-out (memory and Redis storage) and
no user-name discovery by timing."""

from __future__ import annotations

import socket
import uuid

import pytest
from click.testing import CliRunner

from tests.conftest import IN_CI
from tests.web.conftest import PASSWORDS, login, text
from workflow import accounts
from workflow.accounts import users

REDIS = ("127.0.0.1", 6379)


def test_every_response_has_the_security_headers(app, client):
    for response in (client.get("/login"), client.get("/public/"),
                     client.get("/api/v1/recommendations"), client.get("/no-such-page")):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_the_stylesheets_come_from_this_site(client):
    """Bootstrap's stylesheet is served by the app itself from the installed package (no
    CDN: the policy allows only this site), before the product's own app.css."""
    import re

    page = text(client.get("/login"))
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"[^>]*>', page)
    assert links == ["/bootstrap/static/css/bootstrap.min.css", "/static/app.css"]
    response = client.get(links[0])
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert b"Bootstrap  v5." in response.data[:200]
    response.close()
    assert "<script" not in page  # no Bootstrap JavaScript: every page works without it


def test_production_sends_hsts_and_secure_cookies(app, client):
    assert app.config["FOLLOWUP_ENV"] == "production"
    response = client.get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    login(client, "secretariaat")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.secure and cookie.http_only


def test_development_allows_plain_http_cookies(app_factory, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_ENV", "development")
    app = app_factory()
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    from web import create_app
    from web.config import ConfigurationError

    monkeypatch.setenv("FOLLOWUP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("FOLLOWUP_SECRET_KEY", raising=False)
    monkeypatch.delenv("FOLLOWUP_ENV", raising=False)
    with pytest.raises(ConfigurationError) as refused:
        create_app({"TESTING": True})
    assert refused.value.field == "FOLLOWUP_SECRET_KEY"
    assert not (tmp_path / "instance" / "secret_key").exists()

    from followup.cli import cli

    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code != 0
    assert "cannot start: FOLLOWUP_SECRET_KEY is not set" in result.output
    assert "Traceback" not in result.output

    monkeypatch.setenv("FOLLOWUP_ENV", "staging")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code != 0 and "FOLLOWUP_ENV='staging' is invalid" in result.output


def _fail(client, username: str, times: int) -> list[int]:
    return [client.post("/login", data={"username": username, "password": "wrong-guess"}
                        ).status_code for _ in range(times)]


def test_repeated_wrong_passwords_lock_the_name_out(app, client):
    assert _fail(client, "minbuza", 5) == [400] * 5
    locked = client.post("/login", data={"username": "minbuza",
                                         "password": PASSWORDS["minbuza"]})
    assert locked.status_code == 429  # even the right password, until the window passes
    assert "15" in text(locked) and 'name="username"' in text(locked)
    assert "Retry-After" in locked.headers
    # another user name from the same address is not locked by these five
    login(client, "auditor")


def test_successful_logins_do_not_count(app):
    for _ in range(8):
        client = app.test_client()
        login(client, "secretariaat")
    client = app.test_client()
    assert _fail(client, "secretariaat", 1) == [400]


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
        return True
    except OSError:
        return False


def test_lock_out_is_shared_by_servers_through_redis(app_factory, monkeypatch):
    if not _redis_up():
        message = "Redis is not reachable on 127.0.0.1:6379"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: the Redis test must run)")
        pytest.skip(message)
    monkeypatch.setenv("FOLLOWUP_RATELIMIT_STORAGE", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("FOLLOWUP_RATELIMIT_PREFIX", f"test-{uuid.uuid4().hex}")
    first = app_factory()
    assert _fail(first.test_client(), "maee-lu", 3) == [400] * 3
    second = app_factory()  # another server, same Redis
    client = second.test_client()
    assert _fail(client, "maee-lu", 2) == [400, 400]
    assert client.post("/login", data={"username": "maee-lu", "password":
                                       PASSWORDS["maee-lu"]}).status_code == 429


def test_an_unknown_name_costs_a_password_check_too(app, monkeypatch):
    """The answer for an unknown user name does the same work as for a wrong password,
    so its timing does not reveal which names exist."""
    checked = []
    real = users.check_password_hash

    def spy(stored, password):
        checked.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(users, "check_password_hash", spy)
    from web.extensions import db

    with app.app_context():
        assert accounts.authenticate(db.session, "no-such-user", "whatever-1") is None
        assert accounts.authenticate(db.session, "secretariaat", "whatever-1") is None
    assert len(checked) == 2
    assert checked[0] == users.generate_password_hash("x").split("$", 1)[0]


def test_no_page_allows_inline_styles_or_scripts(app):
    """One policy for every page: each route of the web pages as the secretariat, a
    ministry and the auditor (the lifecycle diagram included, now drawn on the server),
    and every page without arguments as an anonymous visitor (public pages, API)."""
    from tests.web.test_permissions import MATRIX, _fixture_data, _url

    values = _fixture_data(app)
    seen = []
    for username in (None, "secretariaat", "minbuza", "auditor"):
        client = app.test_client()
        if username:
            login(client, username)
        urls = {_url(app, endpoint, values) for method, endpoint in MATRIX if method == "GET"}
        urls |= {rule.rule for rule in app.url_map.iter_rules()
                 if "GET" in rule.methods and not rule.arguments}
        for url in sorted(urls):
            response = client.get(url)
            csp = response.headers["Content-Security-Policy"]
            directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
            assert directives["style-src"] == "'self'" and directives["script-src"] == "'self'"
            seen.append((username, url, response.status_code))
            response.close()
    diagram = _url(app, "cases.diagram", values)
    assert ("secretariaat", diagram, 200) in seen and ("auditor", diagram, 200) in seen


def test_behind_a_proxy_each_client_address_is_counted_apart(app_factory, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_TRUSTED_PROXIES", "1")
    app = app_factory()
    client = app.test_client()

    def fail_from(address: str) -> int:
        return client.post("/login", data={"username": f"guess-{uuid.uuid4().hex[:8]}",
                                           "password": "wrong-guess"},
                           headers={"X-Forwarded-For": address}).status_code

    assert [fail_from("192.0.2.1") for _ in range(30)] == [400] * 30
    assert fail_from("192.0.2.1") == 429  # thirty failures from one address
    assert fail_from("192.0.2.2") == 400  # another client behind the same proxy


def test_a_page_answers_an_undeclared_method_with_405_and_allow(client):
    response = client.delete("/public/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "Traceback" not in text(response)
