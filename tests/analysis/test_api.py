"""GET /api/v1/dreams/{id}/analysis and the dream page, tested like an attacker would.

The dreamer sees everything; anyone else who may read the dream sees the analysis but never a distress
signal; anyone who may not read the dream learns nothing, not even that it exists.
"""

from __future__ import annotations

from sqlalchemy import select

from dream_mosaic.analysis import service
from dream_mosaic.core import auth
from dream_mosaic.core.models import User

DISTRESSED = ("I was very scared and afraid when the bridge collapsed under me. "
              "When I woke up I thought that lately I want to die and nothing will ever get better.")
HOSTILE = 'I was so happy <script>alert("x")</script> & the cat said "hello".'


def _post(client, headers, text: str, visibility: str = "private") -> str:
    r = client.post("/api/v1/dreams", json={"text": text, "visibility": visibility}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _sign_in_page(platform, client, username: str) -> None:
    with platform.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        token = auth.issue_token(session, user, "session")
    client.cookies.set(auth.SESSION_COOKIE, token)


def test_the_dreamer_sees_everything_including_distress(client, make_user):
    lyra = make_user("lyra")
    dream_id = _post(client, lyra, DISTRESSED)
    r = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=lyra)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "done" and body["attempts"] == 1 and body["error"] is None
    assert "AP" in {e["code"] for e in body["analysis"]["emotions"]}
    assert body["versions"]["emotions"]
    assert [d["kind"] for d in body["analysis"]["distress"]] == ["suicidal_ideation"]
    assert "want to die" in body["analysis"]["distress"][0]["sentence"]


def test_other_readers_never_see_distress_signals(client, make_user):
    lyra = make_user("lyra")
    reader = make_user("orion")
    guide = make_user("vega", role="guide")
    admin = make_user("root", role="admin")
    dream_id = _post(client, lyra, DISTRESSED, visibility="community")
    for headers in (reader, guide, admin):
        r = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "done"
        assert "AP" in {e["code"] for e in body["analysis"]["emotions"]}
        assert "distress" not in body["analysis"]
        assert "suicidal" not in r.text and "distress" not in r.text
        assert body["attempts"] is None and body["error"] is None


def test_a_private_dream_analysis_is_not_disclosed(client, make_user):
    lyra = make_user("lyra")
    orion = make_user("orion")
    admin = make_user("root", role="admin")
    dream_id = _post(client, lyra, DISTRESSED)
    missing = client.get("/api/v1/dreams/0123456789abcdef0123456789abcdef/analysis", headers=orion)
    for headers in (orion, admin):
        r = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=headers)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["detail"] == missing.json()["detail"]
    assert client.get(f"/api/v1/dreams/{dream_id}/analysis").status_code == 401


def test_withdrawing_consent_withdraws_the_analysis(client, make_user):
    lyra = make_user("lyra")
    orion = make_user("orion")
    dream_id = _post(client, lyra, DISTRESSED, visibility="community")
    assert client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=orion).status_code == 200
    r = client.put(f"/api/v1/dreams/{dream_id}/consent", json={"visibility": "private"}, headers=lyra)
    assert r.status_code == 200, r.text
    assert client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=orion).status_code == 404


def test_pending_and_failed_are_visible(platform, client, make_user, monkeypatch):
    lyra = make_user("lyra")
    orion = make_user("orion")
    monkeypatch.setattr(platform.settings, "analysis_enabled", False)
    dream_id = _post(client, lyra, "I dreamt of a red door and I was confused.", visibility="community")
    body = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=lyra).json()
    assert body["status"] == "pending" and body["analysis"] is None and body["attempts"] == 0

    def broken(texts, cast=None):
        raise ValueError("the model file is corrupt")

    monkeypatch.setattr(service, "run_full", broken)
    for _ in range(service.MAX_ATTEMPTS):
        service.analyse_dreams(platform.db, [dream_id])
    body = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=lyra).json()
    assert body["status"] == "failed" and body["analysis"] is None
    assert body["attempts"] == service.MAX_ATTEMPTS
    assert body["error"] == "ValueError: the model file is corrupt"
    assert client.get(f"/api/v1/dreams/{dream_id}", headers=lyra).json()["analysis_status"] == "failed"
    other = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=orion).json()
    assert other["status"] == "failed" and other["error"] is None

    # An edit of the text is a fresh request: the tries start again and this time succeed.
    monkeypatch.undo()
    r = client.patch(f"/api/v1/dreams/{dream_id}", json={"text": "I was confused by a red door."}, headers=lyra)
    assert r.status_code == 200
    body = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=lyra).json()
    assert body["status"] == "done" and body["attempts"] == 1 and body["error"] is None


def test_the_dream_page_highlights_emotion_words_and_escapes_everything(platform, client, make_user):
    lyra = make_user("lyra")
    dream_id = _post(client, lyra, HOSTILE)
    _sign_in_page(platform, client, "lyra")
    r = client.get(f"/journal/{dream_id}")
    assert r.status_code == 200, r.text
    assert '<mark class="emo-ha" title="happiness" data-codes="HA">happy</mark>' in r.text
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; the cat said &#34;hello&#34;." in r.text
    # The same section on the analysis page of its own.
    page = client.get(f"/journal/{dream_id}/analysis")
    assert page.status_code == 200 and '<mark class="emo-ha"' in page.text


def test_the_page_shows_distress_only_to_the_dreamer(platform, client, make_user):
    lyra = make_user("lyra")
    make_user("orion")
    dream_id = _post(client, lyra, DISTRESSED, visibility="community")
    _sign_in_page(platform, client, "lyra")
    mine = client.get(f"/journal/{dream_id}").text
    assert "Only you see this note" in mine and '<mark class="emo-ap"' in mine
    _sign_in_page(platform, client, "orion")
    theirs = client.get(f"/journal/{dream_id}")
    assert theirs.status_code == 200
    assert '<mark class="emo-ap"' in theirs.text
    assert "Only you see this note" not in theirs.text and 'class="card distress"' not in theirs.text


def test_the_page_works_without_an_analysis(platform, client, make_user, monkeypatch):
    lyra = make_user("lyra")
    monkeypatch.setattr(platform.settings, "analysis_enabled", False)
    dream_id = _post(client, lyra, "A <quiet> night.")
    _sign_in_page(platform, client, "lyra")
    r = client.get(f"/journal/{dream_id}")
    assert r.status_code == 200
    assert "A &lt;quiet&gt; night." in r.text and "waiting to be analysed" in r.text
    assert "<mark" not in r.text


def test_my_indicators_count_only_my_own_analysed_dreams(client, make_user):
    lyra = make_user("lyra")
    orion = make_user("orion")
    for text in ("I was very scared and afraid of the dark.", "I was very scared and afraid of the sea.",
                 "I was very scared and afraid of the exam.", "I was so happy at the beach."):
        _post(client, lyra, text)
    _post(client, orion, "I was so happy in the garden.", visibility="community")  # not hers
    r = client.get("/api/v1/me/indicators", headers=lyra)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dreams"] == 4 and body["analysed"] == 4 and body["sampled"] is False
    rows = {row["indicator"]: row for row in body["rows"]}
    assert rows["negative_emotions_percent"]["value"] == 75.0
    assert rows["negative_emotions_percent"]["male_norm"] == 80 and rows["negative_emotions_percent"]["h_vs_male"]
    assert rows["dreams_with_emotion_percent"]["value"] == 100.0
    theirs = client.get("/api/v1/me/indicators", headers=orion).json()
    assert theirs["dreams"] == 1 and {r["indicator"]: r for r in theirs["rows"]}[
        "negative_emotions_percent"]["value"] == 0.0
    assert client.get("/api/v1/me/indicators").status_code == 401


def test_the_page_says_who_did_what_to_whom_where() -> None:
    from dream_mosaic.analysis import analyze
    from dream_mosaic.analysis.pages import describe

    shown = analyze("I was in a large old house. A man chased me. Finally I was able to escape.").model_dump()
    got = describe(shown)
    assert [(i["who"], i["whom"], i["words"], i["physical"]) for i in got["interactions"]] == [
        ("man", "you", "chased", True)
    ]
    assert got["settings"] == [{"where": "indoor, unfamiliar", "words": "house"}]
    assert {"kind": "success", "who": "you", "words": "was able to"} in got["events"]
