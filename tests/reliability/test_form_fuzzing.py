"""Every HTML form, found on the pages themselves, posted with generated values for its
fields (hypothesis): whatever arrives, the answer is a page or a redirect, never a 5xx."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import case_id, login

WEIRD = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "abc", "2026-02-30",
                     "1e309", "NaN", "<script>x</script>", "'; DROP TABLE event; --",
                     "\u202e", "\ufeff", "é" * 300, "x" * 5000, "../../etc/passwd"]),
    st.integers(-10**12, 10**12).map(str),
    st.dates().map(lambda d: d.isoformat()),
)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._current = {"action": a.get("action", ""), "fields": {}}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select", "button"):
            name = a.get("name")
            if name and a.get("type") != "file":
                self._current["fields"].setdefault(name, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _forms(client, path: str) -> list[dict]:
    parser = _Forms()
    parser.feed(client.get(path).get_data(as_text=True))
    for form in parser.forms:
        form["action"] = form["action"] or path  # a form without action posts to its page
    return [f for f in parser.forms if f["action"] not in ("/logout",)]


def _fuzz_form(client, action: str, fields: dict, examples: int) -> None:
    @given(values=st.fixed_dictionaries({name: WEIRD for name in fields}),
           keep=st.lists(st.sampled_from(sorted(fields) or ["x"]), unique=True))
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def post(values, keep):
        data = {**values, **{name: fields[name] for name in keep if name in fields}}
        response = client.post(action, data=data)
        assert response.status_code < 500, (action, data, response.status_code)

    post()


def _fuzz(client, forms: list[dict], examples: int) -> list[str]:
    failures = []
    for form in forms:
        try:
            _fuzz_form(client, form["action"], form["fields"], examples)
        except AssertionError as exc:
            failures.append(str(exc)[:500])
    return failures


def test_every_secretariat_form_survives_generated_input(app, client):
    login(client, "secretariaat")
    rid = case_id(app, "743/5Bis")
    forms = []
    for path in ("/secretariat/cases/new", f"/cases/{rid}", "/admin/users",
                 "/secretariat/", "/account/tokens"):
        forms += _forms(client, path)
    actions = {f["action"] for f in forms}
    assert len(actions) >= 6, actions  # the case page's actions, registration, users...
    failures = _fuzz(client, forms, 12)
    assert failures == [], "\n".join(failures)


def test_every_ministry_and_login_form_survives_generated_input(app, client):
    login(client, "minbuza")
    rid = case_id(app, "743/5Bis")
    forms = _forms(client, f"/ministry/cases/{rid}") + _forms(client, "/account/tokens")
    assert any(re.search(r"/ministry/cases/\d+", f["action"]) for f in forms)
    failures = _fuzz(client, forms, 15)
    client.post("/logout")
    failures += _fuzz(client, _forms(client, "/login") or [
        {"action": "/login", "fields": {"username": "", "password": ""}}], 25)
    assert failures == [], "\n".join(failures)
