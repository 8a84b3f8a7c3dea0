from tests.web.conftest import case_id, login, text


def test_pages_render_for_each_role(app, client):
    rid = case_id(app, "743/5Bis")
    login(client, "secretariaat")
    for url in ["/secretariat/", "/cases/", f"/cases/{rid}", f"/cases/{rid}/diagram",
                "/secretariat/cases/new", "/audit/", f"/audit/cases/{rid}/timeline",
                f"/audit/cases/{rid}/as-of?date=2024-01-01", "/audit/verify", "/admin/users",
                f"/audit/cases/{rid}/history.json", f"/audit/cases/{rid}/history.csv",
                "/audit/history.json"]:
        r = client.get(url)
        assert r.status_code == 200, (url, text(r)[:3000])
