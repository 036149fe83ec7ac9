"""A dreamer's declared cast: who "Frank" is, said once, used by every analysis of their dreams.

The API tests run on SQLite and PostgreSQL with the job queue in immediate mode (jobs run as queued).
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from dream_mosaic.analysis import tasks  # noqa: F401  (as the app: analysis follows writes)
from dream_mosaic.analysis.cast import CastError, build_cast, code_for, codes, digest, stated_relations
from dream_mosaic.analysis.models import AnalysisRecord, DreamerCast
from dream_mosaic.core.models import User

FRANK = "Frank and I drove to the lake. Frank was angry at me for being late."


def test_relations_in_plain_words_or_hvdc_codes() -> None:
    people = build_cast([("Frank", "husband"), ("Wendy", "Daughter"), ("Rex", "pet"), ("Dr  Lee", "1moa")])
    assert people == {"Frank": "husband", "Wendy": "daughter", "Rex": "pet", "Dr Lee": "1MOA"}  # as said
    assert codes(people) == {"Frank": "1MHA", "Wendy": "1FDA", "Rex": "1ANI", "Dr Lee": "1MOA"}
    assert code_for("  male   friend ") == "1MKA"
    # an aunt stays an aunt, though a grandmother has the same code
    assert build_cast([("Bridget", "aunt")]) == {"Bridget": "aunt"} and code_for("aunt") == code_for("grandmother")
    # HVdC's relatives beyond the nuclear family: grandchildren, nieces and nephews, in-laws
    relatives = build_cast([("Dana", "granddaughter"), ("Lynne", "niece"), ("Joshua", "Son-in-law")])
    assert codes(relatives) == {"Dana": "1FRA", "Lynne": "1FRA", "Joshua": "1MRA"}


@pytest.mark.parametrize(
    ("people", "message"),
    [
        ([("Frank", "hubby")], "'hubby' is not a relation this platform knows"),
        ([("Frank", "1XYZ")], "'1XYZ' is not a relation"),
        ([("Frank", "husband"), ("frank", "friend")], "'frank' is named twice"),
        ([("42", "friend")], "'42' is not a name"),
        ([("", "friend")], "is not a name"),
    ],
)
def test_a_cast_that_cannot_be_used_says_why(people, message) -> None:
    with pytest.raises(CastError, match=message):
        build_cast(people)


def test_the_fingerprint_ignores_order_and_case_of_names() -> None:
    assert digest({"Frank": "1MHA", "Wendy": "1FDA"}) == digest({"wendy": "1FDA", "frank": "1MHA"})
    assert digest({"Frank": "1MHA"}) != digest({"Frank": "1MKA"}) and digest({}) is None


def _post(client, headers, text: str) -> str:
    r = client.post("/api/v1/dreams", json={"text": text}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _frank(client, headers, dream_id: str) -> str:
    body = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=headers).json()
    assert body["status"] == "done", body
    return next(c["code"] for c in body["analysis"]["characters"] if c["text"] == "Frank")


def test_a_declared_cast_codes_the_dreamer_s_dreams_and_a_new_one_re_analyses_them(client, make_user):
    emma = make_user("emma")
    dream_id = _post(client, emma, FRANK)
    assert _frank(client, emma, dream_id) == "1MKA"  # a name alone: someone the dreamer knows

    r = client.put("/api/v1/me/cast", json={"people": [{"name": "Frank", "relation": "husband"}]}, headers=emma)
    assert r.status_code == 200, r.text
    assert r.json() == {"people": [{"name": "Frank", "relation": "husband", "code": "1MHA"}], "reanalysing": 1}
    assert _frank(client, emma, dream_id) == "1MHA"  # analysed again with the cast
    versions = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=emma).json()["versions"]
    assert versions["cast"] == digest({"Frank": "1MHA"})
    assert _frank(client, emma, _post(client, emma, "Frank and I sat at home. " + FRANK)) == "1MHA"  # new dreams too

    # The same list again changes nothing and queues nothing; other words for the same codes neither;
    # another list re-analyses.
    again = client.put("/api/v1/me/cast", json={"people": [{"name": "Frank", "relation": "husband"}]}, headers=emma)
    assert again.json()["reanalysing"] == 0
    coded = client.put("/api/v1/me/cast", json={"people": [{"name": "Frank", "relation": "1MHA"}]}, headers=emma)
    assert coded.json() == {"people": [{"name": "Frank", "relation": "1MHA", "code": "1MHA"}], "reanalysing": 0}
    client.put("/api/v1/me/cast", json={"people": []}, headers=emma)
    assert _frank(client, emma, dream_id) == "1MKA"


def test_a_cast_is_the_dreamer_s_own(client, make_user, platform):
    emma, lyra = make_user("emma"), make_user("lyra")
    client.put("/api/v1/me/cast", json={"people": [{"name": "Frank", "relation": "husband"}]}, headers=emma)
    assert client.get("/api/v1/me/cast", headers=emma).json()["people"][0]["code"] == "1MHA"
    assert client.get("/api/v1/me/cast", headers=lyra).json() == {"people": [], "reanalysing": 0}
    # Lyra's dreams about her own Frank are not coded with Emma's cast.
    assert _frank(client, lyra, _post(client, lyra, FRANK)) == "1MKA"
    assert client.get("/api/v1/me/cast").status_code == 401
    # Deleting the dreamer deletes the cast.
    with platform.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == "emma"))
        emma_id = user.id
        session.delete(user)
    with platform.db.transaction(write=False) as session:
        assert session.get(DreamerCast, emma_id) is None


def test_a_bad_cast_is_a_clear_4xx_and_keeps_the_old_one(client, make_user):
    emma = make_user("emma")
    client.put("/api/v1/me/cast", json={"people": [{"name": "Frank", "relation": "husband"}]}, headers=emma)
    r = client.put("/api/v1/me/cast", json={"people": [{"name": "Frank", "relation": "hubby"}]}, headers=emma)
    assert r.status_code == 422 and "'hubby' is not a relation this platform knows" in r.text
    assert "Traceback" not in r.text
    r = client.put("/api/v1/me/cast", json={"people": [{"name": "Frank"}]}, headers=emma)
    assert r.status_code == 422
    assert client.get("/api/v1/me/cast", headers=emma).json()["people"][0]["relation"] == "husband"


def test_another_reader_never_sees_the_cast_fingerprint(client, make_user, platform):
    emma, lyra = make_user("emma"), make_user("lyra")
    client.put("/api/v1/me/cast", json={"people": [{"name": "Frank", "relation": "husband"}]}, headers=emma)
    r = client.post("/api/v1/dreams", json={"text": FRANK, "visibility": "community"}, headers=emma)
    assert r.status_code == 201, r.text
    dream_id = r.json()["id"]
    mine = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=emma).json()
    assert mine["versions"]["cast"] == digest({"Frank": "1MHA"})
    theirs = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=lyra)
    assert theirs.status_code == 200, theirs.text
    assert "cast" not in theirs.json()["versions"] and theirs.json()["versions"]["characters"]
    with platform.db.transaction(write=False) as session:
        assert session.get(AnalysisRecord, dream_id).versions["cast"] == digest({"Frank": "1MHA"})


def test_the_page_lists_and_saves_the_cast(app, client, make_user):
    from dream_mosaic.analysis.pages import parse_cast_lines

    assert parse_cast_lines("Frank: husband\n\n Wendy : daughter ") == [("Frank", "husband"), (" Wendy ", "daughter")]
    with pytest.raises(CastError, match="line 1, 'Frank husband': write it as name: relation"):
        parse_cast_lines("Frank husband")

    emma = make_user("emma")
    dream_id = _post(client, emma, FRANK)
    browser = TestClient(app, raise_server_exceptions=False)
    assert browser.get("/me/cast", follow_redirects=False).headers["location"].startswith("/signin")
    login = _csrf(browser.get("/signin").text)
    signed = browser.post("/signin", data={"username": "emma", "password": "correct horse battery",
                                           "next": "/me/cast", "csrf": login})
    assert signed.status_code == 200 and "People in my dreams" in signed.text
    assert "Named most often in your dreams" not in signed.text  # Frank is in one dream only
    _post(client, emma, "I met Frank at the station and we took a train.")
    page = browser.get("/me/cast").text
    assert "Frank <span class=\"meta\">(2 dreams)</span>" in page  # who she may want to say who they are
    token = _csrf(page)

    r = browser.post("/me/cast", data={"people": "Frank husband", "csrf": token})
    assert r.status_code == 422 and "write it as name: relation" in r.text and "Frank husband" in r.text
    r = browser.post("/me/cast", data={"people": "Frank: husband\nWendy: daughter", "csrf": token})
    assert r.status_code == 200 and "2 of your dreams are being analysed again" in r.text
    assert "Frank: husband\nWendy: daughter" in r.text and "Named most often" not in r.text  # declared now
    assert _frank(client, emma, dream_id) == "1MHA"
    # Another site cannot post the form: without this session's token nothing changes.
    forged = browser.post("/me/cast", data={"people": "Frank: friend", "csrf": "0" * 64})
    assert forged.status_code == 403
    assert client.get("/api/v1/me/cast", headers=emma).json()["people"][0]["relation"] == "husband"
    browser.close()


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


def test_the_page_suggests_single_names_not_names_listed_together(app, client, make_user):
    bea = make_user("bea")
    for text in ("I took a train with Hannah and Margo. Then Anthony waved.",
                 "Later Hannah and Margo came over. Anthony left."):
        _post(client, bea, text)
    browser = TestClient(app, raise_server_exceptions=False)
    login = _csrf(browser.get("/signin").text)
    page = browser.post("/signin", data={"username": "bea", "password": "correct horse battery",
                                         "next": "/me/cast", "csrf": login}).text
    assert "Anthony <span class=\"meta\">(2 dreams)</span>" in page
    assert "Hannah and Margo" not in page  # one group in each dream, no one name to declare
    browser.close()


def test_the_dreamer_s_own_words_say_who_people_are() -> None:
    texts = [
        "I see our son Reynaldo waving. Later my house for Father Andrew is empty.",
        "Dana (our granddaughter) sleeps. JOSHUA (our son-in-law) builds a stair. Ronald, my brother, calls.",
        "My son, Reynaldo, swims with Pedro (my swimming partner). Rita (my brother's wife) laughs.",
        "My friend Hillary and my sonnet. Frank (my husband) drives.",
    ]
    got = {(s.name, s.relation, s.dreams) for s in stated_relations(texts, declared=["frank"])}
    assert got == {
        ("Reynaldo", "son", 2),
        ("Dana", "granddaughter", 1),
        ("Joshua", "son-in-law", 1),  # a name in capitals is written as a name
        ("Ronald", "brother", 1),
        ("Pedro", "partner", 1),
        ("Hillary", "friend", 1),
    }  # not Father Andrew ("my house for"), not Rita (her brother's wife), not Frank (declared already)
    more = [
        "This is my ex-husband, Howard. Edward (my first husband) waved. Heidi, my brother Dwight's daughter, cried.",
        "Finally, my father came in. We're (my mother and I) late. Sue, My brother, Ian, and Claire were there.",
    ]
    # Heidi is Dwight's daughter, not a brother; "Finally, my father" and "We're (my mother" name no one; in a
    # list ("Sue, My brother, Ian, and Claire") Ian is not the brother
    assert {(s.name, s.relation) for s in stated_relations(more)} == {
        ("Howard", "ex-husband"), ("Edward", "ex-husband"), ("Dwight", "brother")
    }
    assert code_for("ex-husband") == "1MRA"  # as the coders code a former spouse
    pets = {(s.name, s.relation) for s in stated_relations(["I walk my dog Rex. Mitzi (our cat) sleeps."])}
    assert pets == {("Rex", "pet"), ("Mitzi", "pet")}
    first = stated_relations(texts)[0]
    assert (first.name, first.quote) == ("Reynaldo", "our son Reynaldo")  # said in most dreams, first quote


def test_the_page_suggests_what_the_dreamer_s_own_dreams_say(app, client, make_user):
    emma, lyra = make_user("emma"), make_user("lyra")
    _post(client, emma, "I see our son Reynaldo and his girlfriend waving to me from a boat.")
    _post(client, lyra, "My brother Tobias took my bike. Our son Reynaldo laughed.")  # lyra's words, not emma's
    browser = TestClient(app, raise_server_exceptions=False)
    login = _csrf(browser.get("/signin").text)
    page = browser.post("/signin", data={"username": "emma", "password": "correct horse battery",
                                         "next": "/me/cast", "csrf": login}).text
    assert "<code>Reynaldo: son</code>" in page and "you wrote &ldquo;our son Reynaldo&rdquo;" in page
    assert "Tobias" not in page  # another dreamer's dream never shapes this page
    r = browser.post("/me/cast", data={"people": "Reynaldo: son", "csrf": _csrf(page)})
    assert r.status_code == 200 and "Reynaldo: son</code>" not in r.text  # declared now, no longer suggested
    browser.close()
