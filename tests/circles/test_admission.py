"""Seats under surge: a waitlist with visible positions, places kept across reconnections, a fair lottery,
and clear refusals (429/503 problem+json) that leave those inside unharmed."""

from __future__ import annotations

import pytest


def test_waitlist_positions_and_reconnection_keep_places(open_session, join):
    open_session(capacity=2)
    iris, lyra, ronan = join("iris"), join("lyra"), join("ronan")
    for person in (iris, lyra, ronan):
        person.wait_type("snapshot")
    evelyn = join("evelyn")
    waiting = evelyn.wait_type("admission")
    assert waiting["state"] == "waiting" and waiting["position"] == 1
    evelyn.close()
    evelyn = join("evelyn")  # a dropped connection keeps its place
    assert evelyn.wait_type("admission")["position"] == 1
    ronan.close()
    ronan = join("ronan")  # and a dropped seat is still one's own
    assert ronan.wait_type("admission")["state"] == "admitted"
    ronan.wait_type("snapshot")
    lyra.send({"type": "leave"})
    lyra.wait_type("admission", state="left")
    evelyn.wait_type("admission", state="admitted")
    evelyn.wait_type("snapshot", timeout=5)


def test_rest_admission_answers_and_full_waitlist(api, people, circle, open_session):
    s = open_session(capacity=1, max_waiting=1)
    url = f"/api/v1/circles/{circle['id']}/sessions/{s['id']}/admission"
    assert api.post(url, headers=people["lyra"]).status_code == 200
    r = api.post(url, headers=people["ronan"])
    assert r.status_code == 202 and r.json()["position"] == 1
    full = api.post(url, headers=people["evelyn"])
    assert full.status_code == 429
    assert full.headers["content-type"] == "application/problem+json"
    assert full.headers["retry-after"] == "60"
    assert "waitlist are full" in full.json()["detail"]
    assert api.post(url, headers=people["lyra"]).status_code == 200  # those inside keep their seat


def test_lottery_pools_during_gathering_then_draws(api, people, circle, open_session, make_user):
    s = open_session(capacity=1, admission="lottery")
    url = f"/api/v1/circles/{circle['id']}/sessions/{s['id']}"
    for name in ("lyra", "ronan", "evelyn"):
        view = api.post(f"{url}/admission", headers=people[name]).json()
        assert view["state"] == "waiting" and "position" not in view and view["first_timer"] is True
    api.patch(url, json={"phase": "sharing"}, headers=people["iris"]).raise_for_status()
    states = [api.get(f"/api/v1/circles/{circle['id']}/sessions/current", headers=people[n]).json()
              for n in ("lyra", "ronan", "evelyn")]
    seated = [s for s in states if s["type"] == "snapshot"]
    assert len(seated) == 1  # exactly one seat was drawn


def test_overload_refuses_new_arrivals_clearly(live_server, app, api, people, open_session, join):
    from dream_mosaic.circles import live

    open_session()
    iris = join("iris")
    iris.wait_type("snapshot")
    hub = live.hub_of(app)
    hub.cfg.max_connections = hub.connections  # this server is now full
    lyra = join("lyra")
    refused = lyra.wait_type("refused")
    assert refused["status"] == 503 and refused["retry_after"] == 60
    hub.cfg.max_connections = 10_000
    hub.arrivals.tokens = 0  # a burst of arrivals has just used up the arrival budget
    hub.arrivals.rate = 0.001
    session = next(e for e in iris.seen if e["type"] == "snapshot")["session"]
    url = f"/api/v1/circles/{session['circle_id']}/sessions/{session['id']}/admission"
    busy = api.post(url, headers=people["ronan"])
    assert busy.status_code == 503 and busy.headers["content-type"] == "application/problem+json"
    assert busy.headers["retry-after"] == "3"
    iris.send({"type": "control", "phase": "sharing"})  # those inside are still served
    iris.wait_type("session", phase="sharing")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_strangers_and_other_sites_are_turned_away(live_server, circle, people, open_session):
    from websockets.sync.client import connect

    open_session()
    url = live_server.replace("http://", "ws://") + f"/api/v1/circles/{circle['id']}/live"
    with connect(url) as ws:
        assert '"status":401' in ws.recv(timeout=5).replace(" ", "")
    with connect(url, additional_headers={"Cookie": "mosaic_session=abc", "Origin": "http://evil.example"}) as ws:
        assert '"status":403' in ws.recv(timeout=5).replace(" ", "")
