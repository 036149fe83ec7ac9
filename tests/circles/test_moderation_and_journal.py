"""Moderation (strict, hide until reveal, lock, remove), resends, and offering a journal dream through the
consent gate."""

from __future__ import annotations

from sqlalchemy import func, select

from dream_mosaic.circles.models import Contribution
from dream_mosaic.core.models import Dream, DreamCircle


def _ready(iris, *others, phase="sharing"):
    for person in (iris, *others):
        person.wait_type("snapshot")
    iris.send({"type": "control", "phase": phase})
    iris.wait_type("session", phase=phase)


def test_strict_moderation_waits_for_the_guide(open_session, join):
    open_session(moderation="strict")
    iris, lyra, ronan = join("iris"), join("lyra"), join("ronan")
    _ready(iris, lyra, ronan)
    lyra.send({"type": "contribute", "client_id": "s1", "text": "A white horse in the kitchen."})
    ack = lyra.wait_type("ack", client_id="s1")
    assert ack["status"] == "pending"
    assert iris.wait_type("contribution", id=ack["id"])["status"] == "pending"
    assert not [e for e in ronan.drain(0.6) if e.get("id") == ack["id"]]
    iris.send({"type": "moderate", "id": ack["id"], "action": "approve"})
    ronan.wait_type("contribution", id=ack["id"])
    lyra.wait_type("contribution", id=ack["id"], status="visible")
    iris.send({"type": "moderate", "id": ack["id"], "action": "remove"})
    ronan.wait_type("retract", id=ack["id"])


def test_hold_until_reveal_then_lock(open_session, join):
    open_session(hold_until_reveal=True)
    iris, lyra, ronan = join("iris"), join("lyra"), join("ronan")
    _ready(iris, lyra, ronan)
    lyra.send({"type": "contribute", "client_id": "h1", "text": "The moon was a lantern."})
    ack = lyra.wait_type("ack", client_id="h1")
    assert ack["status"] == "hidden"
    iris.send({"type": "moderate", "id": ack["id"], "action": "reveal"})
    ronan.wait_type("contribution", id=ack["id"])
    iris.send({"type": "control", "locked": True})
    ronan.wait_type("session", locked=True)
    ronan.send({"type": "contribute", "client_id": "r1", "text": "Too late?"})
    refused = ronan.wait_type("error", client_id="r1")
    assert refused["code"] == "locked"
    ronan.send({"type": "tap", "id": ack["id"]})  # taps still welcome while locked
    assert ronan.wait_type("tapped", id=ack["id"])["created"] is True


def test_phase_rules_and_pause(open_session, join):
    open_session()
    iris, lyra = join("iris"), join("lyra")
    _ready(iris, lyra, phase="gathering")
    lyra.send({"type": "contribute", "client_id": "g1", "text": "Early bird."})
    assert lyra.wait_type("error", client_id="g1")["code"] == "phase"
    iris.send({"type": "control", "phase": "sharing", "paused": True})
    lyra.wait_type("session", phase="sharing", paused=True)
    lyra.send({"type": "contribute", "client_id": "g2", "text": "Now?"})
    assert lyra.wait_type("error", client_id="g2")["code"] == "paused"
    iris.send({"type": "control", "paused": False})
    lyra.wait_type("session", phase="sharing", paused=False)
    lyra.send({"type": "contribute", "client_id": "g2", "text": "Now?"})
    lyra.wait_type("ack", client_id="g2")
    iris.send({"type": "control", "phase": "no-such-phase"})
    assert iris.wait_type("error")["status"] == 422
    lyra.send({"type": "control", "phase": "closed"})
    assert lyra.wait_type("error")["status"] == 403


def test_a_resent_contribution_is_stored_once(platform, open_session, join):
    open_session()
    iris, lyra = join("iris"), join("lyra")
    _ready(iris, lyra)
    for _ in range(2):  # e.g. the connection dropped before the ack arrived, and the client resent
        lyra.send({"type": "contribute", "client_id": "same-1", "text": "A door in the sea."})
    first = lyra.wait_type("ack", client_id="same-1")
    second = lyra.wait_type("ack", client_id="same-1")
    assert first["id"] == second["id"] and first["created"] and not second["created"]
    with platform.db.transaction(write=False) as db:
        assert db.scalar(select(func.count()).select_from(Contribution)) == 1


def test_offering_a_journal_dream_goes_through_the_consent_gate(platform, api, people, circle, open_session,
                                                                 join):
    r = api.post("/api/v1/dreams", headers=people["lyra"], json={
        "title": "The flooded library", "text": "Water rose between the shelves.", "visibility": "private",
        "attribution": "anonymous"})
    dream_id = r.json()["id"]
    open_session()
    iris, lyra, ronan = join("iris"), join("lyra"), join("ronan")
    _ready(iris, lyra, ronan)
    ronan.send({"type": "contribute", "client_id": "steal", "dream_id": dream_id})
    assert ronan.wait_type("error", client_id="steal")["status"] == 404  # not his dream
    lyra.send({"type": "contribute", "client_id": "mine", "dream_id": dream_id, "attribution": "named"})
    ack = lyra.wait_type("ack", client_id="mine")
    seen = ronan.wait_type("contribution", id=ack["id"])
    assert seen["author"] == {"attribution": "anonymous", "name": None}  # her stricter journal choice holds
    assert seen["text"].startswith("The flooded library")
    with platform.db.transaction(write=False) as db:
        dream = db.get(Dream, dream_id)
        assert dream.visibility == "circle"
        assert db.get(DreamCircle, (dream_id, circle["id"])) is not None
    got = api.get(f"/api/v1/circles/{circle['id']}/dreams", headers=people["ronan"]).json()
    assert [d["id"] for d in got["items"]] == [dream_id]


def test_written_contribution_takes_the_stricter_attribution(open_session, join):
    open_session()
    iris, lyra, ronan = join("iris"), join("lyra"), join("ronan")
    _ready(iris, lyra, ronan)
    lyra.send({"type": "contribute", "client_id": "n1", "text": "A fox.", "attribution": "named"})
    ack = lyra.wait_type("ack", client_id="n1")
    assert ronan.wait_type("contribution", id=ack["id"])["author"]["attribution"] == "alias"  # circle mode
    lyra.send({"type": "contribute", "client_id": "n2", "text": "A hare.", "attribution": "anonymous"})
    ack = lyra.wait_type("ack", client_id="n2")
    assert ronan.wait_type("contribution", id=ack["id"])["author"] == {"attribution": "anonymous", "name": None}


def test_rest_api_contribute_tap_and_moderate(api, people, circle, open_session):
    s = open_session(moderation="strict")
    base = f"/api/v1/circles/{circle['id']}/sessions/{s['id']}"
    api.patch(base, json={"phase": "sharing"}, headers=people["iris"]).raise_for_status()
    assert api.post(f"{base}/admission", headers=people["lyra"]).status_code == 200
    r = api.post(f"{base}/contributions", json={"client_id": "x", "text": "Glass birds."}, headers=people["lyra"])
    assert r.status_code == 201 and r.json()["status"] == "pending"
    again = api.post(f"{base}/contributions", json={"client_id": "x", "text": "Glass birds."},
                     headers=people["lyra"])
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    cid = r.json()["id"]
    assert api.post(f"{base}/contributions/{cid}/moderation", json={"action": "approve"},
                    headers=people["lyra"]).status_code == 403
    ok = api.post(f"{base}/contributions/{cid}/moderation", json={"action": "approve"}, headers=people["iris"])
    assert ok.json() == {"id": cid, "status": "visible"}
    api.post(f"{base}/admission", headers=people["ronan"]).raise_for_status()
    assert api.post(f"{base}/contributions/{cid}/taps", headers=people["ronan"]).status_code == 201
    assert api.post(f"{base}/contributions/{cid}/taps", headers=people["ronan"]).status_code == 200
    bad = api.post(f"{base}/contributions", json={"client_id": "y", "kind": "association", "text": "hm"},
                   headers=people["ronan"])
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    snap = api.get(f"/api/v1/circles/{circle['id']}/sessions/current", headers=people["ronan"]).json()
    assert [c["id"] for c in snap["contributions"]] == [cid] and snap["tapped"] == [cid]


def test_taking_a_dream_back_in_the_journal_withdraws_its_offering(api, people, circle, open_session, join):
    dream_id = api.post("/api/v1/dreams", headers=people["lyra"], json={
        "text": "A lantern under the sea.", "visibility": "private"}).json()["id"]
    s = open_session()
    iris, lyra, ronan = join("iris"), join("lyra"), join("ronan")
    _ready(iris, lyra, ronan)
    lyra.send({"type": "contribute", "client_id": "lantern", "dream_id": dream_id})
    ack = lyra.wait_type("ack", client_id="lantern")
    ronan.wait_type("contribution", id=ack["id"])
    r = api.put(f"/api/v1/dreams/{dream_id}/consent", headers=people["lyra"], json={"visibility": "private"})
    assert r.status_code == 200, r.text
    snap = api.get(f"/api/v1/circles/{circle['id']}/sessions/current", headers=people["ronan"]).json()
    assert ack["id"] not in [c["id"] for c in snap["contributions"]]
    console = api.get(f"/api/v1/circles/{circle['id']}/sessions/current", headers=people["iris"]).json()
    assert ack["id"] not in [c["id"] for c in console["contributions"]]
    assert s["id"]
