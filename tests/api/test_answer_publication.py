"""Withdrawing a published answer through the API needs a reason, as on the pages."""

from __future__ import annotations

from .conftest import SEC, etag

API = "/api/v1"


def test_withdrawing_an_answer_needs_a_reason_kept_in_the_history(client, auth):
    sec = auth(SEC)
    body = client.get(f"{API}/recommendations/731/3", headers=sec).json
    answer = next(a for a in body["answers"] if a["addressee"] == "NL")
    url = f"{API}/answers/{answer['id']}/published"
    response = client.put(url, json={"published": True},
                          headers={**sec, "If-Match": etag(client, "731/3", sec)})
    assert response.status_code == 200 and response.json["is_published"] is True
    response = client.put(url, json={"published": False},
                          headers={**sec, "If-Match": etag(client, "731/3", sec)})
    assert response.status_code == 422, response.json
    assert response.json["field"] == "reason"
    response = client.put(url, json={"published": False, "reason": "Op verzoek"},
                          headers={**sec, "If-Match": etag(client, "731/3", sec)})
    assert response.status_code == 200 and response.json["is_published"] is False
    events = client.get(f"{API}/recommendations/731/3/history", headers=sec).json["events"]
    assert [(e["action"], e["reason"]) for e in events if "publish_answer" in e["action"]] == \
        [("publish_answer", ""), ("unpublish_answer", "Op verzoek")]
