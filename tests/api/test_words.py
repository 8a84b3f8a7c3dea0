"""API errors carry the rule and its values, an English ``message``, and the
wording in the language of Accept-Language as ``localized_message``."""

from __future__ import annotations

from .conftest import NL, SEC, etag

API = "/api/v1"


def test_validation_error_has_rule_values_and_the_asked_language(client, auth):
    h = {**auth(SEC), "If-Match": etag(client, "747/2", auth(SEC))}
    url = f"{API}/recommendations/747/2/triggers/transmit"
    plain = client.post(url, json={"transmitted_on": "2999-01-01"}, headers=h)
    assert plain.status_code == 422
    body = plain.json
    assert body["rule"] == "not_in_future" and body["values"] == {"date": "2999-01-01"}
    assert body["message"] == "transmission date 2999-01-01 is in the future"
    assert "localized_message" not in body and "Content-Language" not in plain.headers
    for lang, expected in [("fr-BE,fr;q=0.9", "Cette date se situe dans le futur."),
                           ("nl", "Deze datum ligt in de toekomst."),
                           ("en-GB", "This date is in the future.")]:
        response = client.post(url, json={"transmitted_on": "2999-01-01"},
                               headers={**h, "Accept-Language": lang})
        assert response.status_code == 422
        assert response.json["localized_message"] == expected, lang
        assert response.json["message"] == body["message"]  # stays English
        assert response.headers["Content-Language"] == lang[:2]


def test_refusal_in_the_asked_language(client, auth):
    h = {**auth(SEC), "If-Match": etag(client, "747/2", auth(SEC)), "Accept-Language": "nl"}
    response = client.post(f"{API}/recommendations/747/2/triggers/reopen",
                           json={"reason": "why not"}, headers=h)
    assert response.status_code == 409
    body = response.json
    assert body["rule"] == "state" and body["values"]["state"] == "adopted"
    assert "closed" in body["values"]["allowed"]
    assert body["localized_message"].startswith("Niet mogelijk zolang het dossier")
    assert "aangenomen" in body["localized_message"]
    assert body["message"].startswith("cannot reopen")


def test_not_found_in_the_asked_language(client, auth):
    response = client.get(f"{API}/recommendations/745/1",
                          headers={**auth(NL), "Accept-Language": "fr"})
    assert response.status_code == 404
    body = response.json
    assert body["code"] == "not_found" and body["rule"] == "case_in_scope"
    assert body["values"] == {"doc_number": "745/1"}
    assert body["localized_message"] == ("La recommandation 745/1 ne se trouve pas dans le "
                                         "périmètre de votre organisation.")
    assert body["message"] == "no recommendation 745/1 in your scope"
