"""The circle's rules, without I/O."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from dream_mosaic.circles import rules

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_default_phases_and_custom_lists():
    names = [p["name"] for p in rules.parse_phases(None)]
    assert names == ["gathering", "sharing", "associating", "weaving", "reflection", "closed"]
    custom = rules.parse_phases([{"name": "sharing", "minutes": 20}, {"name": "matrix", "allows": ["dream"]}])
    assert [p["name"] for p in custom] == ["sharing", "matrix", "closed"]  # closed is always last
    assert custom[0]["allows"] == ["dream", "tap"] and custom[0]["minutes"] == 20
    for bad in ([{"name": "Sharing Time"}], [{"name": "a"}, {"name": "a"}], [{"name": "x", "allows": ["shout"]}]):
        with pytest.raises(ValueError):
            rules.parse_phases(bad)


def test_moving_between_phases():
    phases = rules.parse_phases(None)
    assert rules.can_move(phases, "gathering", "weaving") and rules.can_move(phases, "weaving", "sharing")
    assert not rules.can_move(phases, "closed", "sharing") and not rules.can_move(phases, "sharing", "nowhere")


def test_timer_stands_still_while_paused():
    assert rules.phase_elapsed(T0, 30.0, False, T0 + timedelta(seconds=10)) == 40.0
    assert rules.phase_elapsed(T0, 30.0, True, T0 + timedelta(seconds=10)) == 30.0
    assert rules.remaining_seconds(1, 40.0) == 20.0 and rules.remaining_seconds(None, 40.0) is None
    assert rules.remaining_seconds(1, 90.0) == 0.0


def test_what_may_be_contributed_when():
    phases = {p["name"]: p for p in rules.parse_phases(None)}
    ok = {"paused": False, "locked": False, "admitted": True, "is_guide": False}
    assert rules.may_contribute(phase=phases["sharing"], kind="dream", **ok) is None
    assert rules.may_contribute(phase=phases["sharing"], kind="association", **ok).code == "phase"
    assert rules.may_contribute(phase=phases["associating"], kind="tap", **{**ok, "locked": True}) is None
    assert rules.may_contribute(phase=phases["associating"], kind="association",
                                **{**ok, "locked": True}).code == "locked"
    assert rules.may_contribute(phase=phases["sharing"], kind="dream", **{**ok, "paused": True}).code == "paused"
    assert rules.may_contribute(phase=phases["sharing"], kind="dream", **{**ok, "admitted": False}).code == \
        "not_admitted"
    assert rules.may_contribute(phase=phases["closed"], kind="dream", **{**ok, "is_guide": True}).code == "closed"


def test_status_and_moderation():
    assert rules.initial_status(moderation="permissive", hold_until_reveal=False, distress=False) == "visible"
    assert rules.initial_status(moderation="strict", hold_until_reveal=False, distress=False) == "pending"
    assert rules.initial_status(moderation="permissive", hold_until_reveal=True, distress=False) == "hidden"
    assert rules.initial_status(moderation="permissive", hold_until_reveal=False, distress=True) == "held"
    assert rules.moderate("pending", "approve") == "visible" and rules.moderate("held", "release") == "visible"
    assert rules.moderate("visible", "remove") == "removed"
    with pytest.raises(ValueError):
        rules.moderate("removed", "reveal")
    with pytest.raises(ValueError):
        rules.moderate("visible", "approve")


def test_seats_waitlist_and_refusal():
    assert rules.decide_seat(mode="waitlist", admitted=1, capacity=2, waiting=0, max_waiting=5,
                             pooling=False).state == "admitted"
    assert rules.decide_seat(mode="waitlist", admitted=2, capacity=2, waiting=4, max_waiting=5,
                             pooling=False).state == "waiting"
    assert rules.decide_seat(mode="waitlist", admitted=2, capacity=2, waiting=5, max_waiting=5,
                             pooling=False).state == "refused"
    assert rules.decide_seat(mode="lottery", admitted=0, capacity=2, waiting=0, max_waiting=5,
                             pooling=True).state == "waiting"
    assert rules.waitlist_position([("b", 7), ("a", 3)], "b") == 2
    assert rules.choose_next("waitlist", [("b", 7, True), ("a", 3, False)], 1, 0) == ["a"]


def test_lottery_is_reproducible_and_favours_first_timers():
    pool = [(f"new{i}", i, True) for i in range(10)] + [(f"old{i}", 10 + i, False) for i in range(10)]
    assert rules.choose_next("lottery", pool, 5, 42) == rules.choose_next("lottery", pool, 5, 42)
    wins: Counter[str] = Counter()
    for draw in range(2000):
        for uid in rules.choose_next("lottery", pool, 1, rules.draw_seed("s", draw)):
            wins[uid[:3]] += 1
    share = wins["new"] / 2000
    assert 0.68 < share < 0.82  # 3:1 tickets, so three in four seats go to first-timers
    assert len(set(rules.choose_next("lottery", pool, 20, 1))) == 20  # without replacement


def test_aggregates_need_k_people_and_merge_motifs():
    facts = [rules.Fact("a", "dream", "u1", T0, ["HA"], ["Water", "waters"], "sea"),
             rules.Fact("b", "dream", "u2", T0 + timedelta(minutes=7), ["AP", "HA"], ["ocean", "house"], "home")]
    assert rules.aggregates(facts, {"a": 2}, present=2, k=3, started_at=T0)["shown"] is False
    agg = rules.aggregates(facts, {"a": 2, "b": 1}, present=3, k=3, started_at=T0)
    assert agg["emotions"] == {"AP": 1, "HA": 2}
    assert agg["motifs"][0] == {"motif": "water", "count": 2}
    assert {"motif": "home", "count": 1} in agg["motifs"]
    assert [r["id"] for r in agg["resonance"]] == ["a", "b"] and agg["ranks"] == {"a": 1, "b": 2}
    assert [t["minute"] for t in agg["timeline"]] == [0, 5]


def test_token_bucket():
    bucket = rules.TokenBucket(rate=1.0, burst=2.0, now=0.0)
    assert bucket.take(0.0) and bucket.take(0.0) and not bucket.take(0.0)
    assert bucket.take(1.0)
