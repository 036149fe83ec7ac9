"""A whole session over real WebSockets: contributions are stored before they are acknowledged, each
person sees what they may, distress reaches the guide alone, aggregates wait for enough people."""

from __future__ import annotations

from sqlalchemy import select

from dream_mosaic.circles.models import Contribution


def _phase(iris, phase):
    iris.send({"type": "control", "phase": phase})
    return iris.wait_type("session", phase=phase)


def test_contribution_is_durable_before_ack_and_reaches_everyone(platform, open_session, join):
    open_session()
    iris, lyra, ronan = join("iris"), join("lyra"), join("ronan")
    for person in (iris, lyra, ronan):
        person.wait_type("snapshot")
    _phase(iris, "sharing")
    lyra.send({"type": "contribute", "client_id": "lyra-1", "text": "I swam through a flooded library, happy."})
    ack = lyra.wait_type("ack", client_id="lyra-1")
    with platform.db.transaction(write=False) as db:  # acknowledged means stored
        stored = db.scalar(select(Contribution).where(Contribution.id == ack["id"]))
        assert stored is not None and stored.status == "visible"
    seen = ronan.wait_type("contribution", id=ack["id"])
    assert seen["author"]["attribution"] == "alias" and seen["author"]["name"] != "Lyra Post"
    assert "status" not in seen and "distress" not in seen and "mine" not in seen
    console = iris.wait_type("contribution", id=ack["id"])
    assert console["status"] == "visible" and "emotions" in console
    own = lyra.wait_type("contribution", id=ack["id"])
    assert own["mine"] is True and own["author"]["attribution"] == "self"


def test_distress_goes_to_the_guide_alone_until_released(open_session, join):
    open_session()
    iris, lyra, ronan = join("iris"), join("lyra"), join("ronan")
    for person in (iris, lyra, ronan):
        person.wait_type("snapshot")
    _phase(iris, "sharing")
    text = "I was on a bridge in the fog. Honestly I want to die some days."
    lyra.send({"type": "contribute", "client_id": "d1", "text": text})
    ack = lyra.wait_type("ack", client_id="d1", timeout=2)
    assert ack["status"] == "held"
    alert = iris.wait_type("alert", contribution_id=ack["id"], timeout=2)
    assert alert["signals"][0]["sentence"].startswith("Honestly I want to die")
    assert "checkin" in alert["actions"]
    assert not [e for e in ronan.drain(1.0) if e.get("id") == ack["id"] or e.get("type") == "alert"]
    iris.send({"type": "checkin", "id": ack["id"], "message": "I'm here if you want to talk."})
    assert lyra.wait_type("checkin")["message"] == "I'm here if you want to talk."
    iris.send({"type": "moderate", "id": ack["id"], "action": "release"})
    shown = ronan.wait_type("contribution", id=ack["id"])
    assert "distress" not in shown


def test_aggregates_wait_for_k_people_and_count_visible_only(open_session, join):
    open_session(min_group=3)
    iris, lyra = join("iris"), join("lyra")
    iris.wait_type("snapshot")
    lyra.wait_type("snapshot")
    hidden = lyra.wait_for(lambda e: e.get("type") == "aggregates" and e.get("present") == 2, timeout=4)
    assert hidden["shown"] is False
    ronan = join("ronan")
    ronan.wait_type("snapshot")
    _phase(iris, "sharing")
    lyra.send({"type": "contribute", "client_id": "a", "text": "The sea was calm and I felt happy."})
    first = lyra.wait_type("ack", client_id="a")
    ronan.send({"type": "contribute", "client_id": "b", "text": "I want to die, the water was black."})
    ronan.wait_type("ack", client_id="b")
    ronan.wait_type("contribution", id=first["id"])
    ronan.send({"type": "tap", "id": first["id"]})
    ronan.wait_type("tapped", id=first["id"])
    agg = lyra.wait_for(lambda e: e.get("type") == "aggregates" and e.get("shown") and e.get("resonance"),
                        timeout=5)
    assert agg["present"] == 3 and agg["contributions"] == 1  # the held one is not counted
    assert agg["resonance"][0] == {"id": first["id"], "taps": 1, "excerpt": "The sea was calm and I felt happy."}
    assert "HA" in agg["emotions"]


def test_a_bug_answers_plainly_and_keeps_the_connection(open_session, join, monkeypatch):
    from dream_mosaic.circles import live

    def broken(*_args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setitem(live.HANDLERS, "tap", (None, broken, None))
    open_session()
    lyra = join("lyra")
    lyra.wait_type("snapshot")
    lyra.send({"type": "tap", "id": "x"})
    error = lyra.wait_type("error")
    assert error["code"] == "server_error" and "a bug" not in error["message"]
    lyra.send({"type": "ping", "t": 1})
    assert lyra.wait_type("pong")["t"] == 1
