import re

from sqlalchemy import text


def _signin(client, username):
    login = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/signin").text).group(1)
    r = client.post("/signin", data={"username": username, "password": "correct horse battery", "csrf": login},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/journal")
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)


def test_guardian_sees_audit_chain_and_tampering(client, make_user, platform):
    make_user("tomas", role="guardian")
    client.post("/api/v1/auth/signup", json={"username": "newcomer", "password": "a long password"})
    _signin(client, "tomas")
    page = client.get("/governance")
    assert page.status_code == 200
    assert "intact" in page.text and "account.created" in page.text
    with platform.db.transaction() as session:
        session.execute(text("UPDATE audit_log SET action = 'nothing.happened'"))
    page = client.get("/governance")
    assert "broken at entry 1" in page.text


def test_dreamer_cannot_open_console(client, make_user):
    make_user("lyra")
    _signin(client, "lyra")
    r = client.get("/governance", headers={"accept": "text/html"})
    assert r.status_code == 403
    assert "audit" not in r.text.lower()


def test_admin_changes_a_role_with_csrf_only(client, make_user):
    make_user("root", role="admin")
    make_user("iris")
    csrf = _signin(client, "root")
    refused = client.post("/governance/roles", data={"username": "iris", "role": "guide", "csrf": "forged"},
                          follow_redirects=False)
    assert refused.status_code == 403
    ok = client.post("/governance/roles", data={"username": "iris", "role": "guide", "csrf": csrf},
                     follow_redirects=False)
    assert ok.status_code == 303
    people = client.get("/governance").text
    assert re.search(r'value="guide" selected', people)
