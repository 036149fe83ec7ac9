"""Statistics (frequency over time and series, comparison, HVdC profile) and themes with stable numbers."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import select


def test_frequency_over_decades_and_series(client, corpus):
    h = corpus.headers["eve"]
    by_decade = client.get("/api/v1/archive/stats/frequency", params={"q": "teeth OR tooth", "by": "decade"},
                           headers=h).json()
    rows = {r["key"]: (r["matches"], r["selection"]) for r in by_decade["rows"]}
    assert rows["1990"] == (3, 8) and rows["2000"] == (1, 1) and rows[""] == (1, 1)
    assert by_decade["total"] == 5 and by_decade["selection_total"] == 10
    by_series = client.get("/api/v1/archive/stats/frequency", params={"q": "teeth", "by": "series"},
                           headers=h).json()
    shares = {r["key"]: r["share"] for r in by_series["rows"]}
    assert shares["moon-f"] == pytest.approx(3 / 5) and shares["moon-m"] == 0
    assert {r["label"] for r in by_series["rows"]} >= {"Moon series (F)", "Moon series (M)"}
    years = client.get("/api/v1/archive/stats/frequency", params={"q": "teeth", "by": "year"}, headers=h).json()
    assert {r["key"] for r in years["rows"] if r["matches"]} == {"1991", "1995", "2003", ""}


def test_compare_two_selections(client, corpus):
    cmp = client.get("/api/v1/archive/stats/compare", params={"q": "teeth OR tooth", "a": "sex:F", "b": "sex:M"},
                     headers=corpus.headers["eve"]).json()
    assert cmp["a"]["share"] == pytest.approx(3 / 5) and cmp["b"]["share"] == pytest.approx(1 / 4)
    assert cmp["cohens_h"] == pytest.approx(0.7250, abs=1e-3)
    assert cmp["effect"] == "medium" and 0 < cmp["p_value"] < 1 and cmp["significant"] is False
    bad = client.get("/api/v1/archive/stats/compare", params={"q": "x", "a": "", "b": "sex:M"},
                     headers=corpus.headers["eve"])
    assert bad.status_code == 422


def test_profile_beside_the_norms(client, corpus):
    profile = client.get("/api/v1/archive/stats/profile", params={"q": "series:moon-f"},
                         headers=corpus.headers["eve"]).json()
    assert profile["dreams"] == 5
    assert profile["analysed"] == 5, profile["notes"]
    names = {r["indicator"] for r in profile["rows"]}
    assert {"male_female_percent", "negative_emotions_percent"} <= names
    assert all(r["male_norm"] is not None for r in profile["rows"] if r["indicator"] == "animal_percent")


TOPICS = {
    "teeth": ["teeth", "dentist", "mouth", "tooth", "gums", "loose", "crumbled", "smile"],
    "water": ["ocean", "waves", "swimming", "boat", "drowning", "beach", "tide", "sea"],
    "flight": ["flying", "sky", "clouds", "wings", "soaring", "airplane", "birds", "above"],
    "exam": ["exam", "classroom", "teacher", "test", "late", "school", "questions", "grades"],
}


def topic_records(topic: str, n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    words = TOPICS[topic]
    out = []
    for i in range(n):
        picked = rng.sample(words, 5)
        out.append({"text": f"In my dream {i} there were {picked[0]} and {picked[1]}. Then {picked[2]}, "
                            f"{picked[3]} and {picked[4]} everywhere around me.",
                    "visibility": "research"})
    return out


def add(platform: Any, owner: str, records: list[dict[str, Any]]) -> None:
    from dream_mosaic.core.models import User
    from dream_mosaic.journal import service as journal

    with platform.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == owner))
        journal.import_records(session, user, records)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_themes_are_labelled_and_keep_their_numbers(platform, client, make_user):
    h = make_user("thea", "archivist")
    for seed, topic in enumerate(("teeth", "water", "flight")):
        add(platform, "thea", topic_records(topic, 20, seed))
    first = client.post("/api/v1/archive/themes", json={"q": "", "k": 3}, headers=h)
    assert first.status_code == 200, first.text
    themes = first.json()["themes"]
    assert sorted(t["number"] for t in themes) == [1, 2, 3]
    label_of = {}
    for t in themes:
        topic = next(name for name, words in TOPICS.items() if set(t["keywords"][:4]) <= set(words))
        label_of[topic] = t["number"]
        assert t["size"] == 20 and t["fragments"] and t["new"]
    assert set(label_of) == {"teeth", "water", "flight"}

    again = client.post("/api/v1/archive/themes", json={"q": "", "k": 3}, headers=h).json()["themes"]
    assert {t["number"]: t["label"] for t in again} == {t["number"]: t["label"] for t in themes}
    assert not any(t["new"] for t in again) and all(t["runs"] == 2 for t in again)

    add(platform, "thea", topic_records("exam", 20, 9))
    grown = client.post("/api/v1/archive/themes", json={"q": "", "k": 4}, headers=h).json()["themes"]
    numbers = {next(n for n, w in TOPICS.items() if set(t["keywords"][:4]) <= set(w)): t["number"] for t in grown}
    assert numbers == {**label_of, "exam": 4}
    assert [t["new"] for t in sorted(grown, key=lambda t: t["number"])] == [False, False, False, True]

    shown = client.get("/api/v1/archive/themes", params={"q": ""}, headers=h).json()
    assert [t["number"] for t in shown["themes"]] == [1, 2, 3, 4]
    # Another person sees none of thea's themes.
    other = make_user("otto", "archivist")
    assert client.get("/api/v1/archive/themes", params={"q": ""}, headers=other).json()["themes"] == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_withdrawn_dreams_leave_themes(platform, client, make_user):
    h = make_user("tess", "archivist")
    made = []
    for i in range(14):
        answer = client.post("/api/v1/dreams", json={"text": f"Dream {i}: the dentist pulled my loose teeth.",
                                                     "visibility": "community"}, headers=h)
        made.append(answer.json()["id"])
    out = client.post("/api/v1/archive/themes", json={"q": "", "k": 2}, headers=h).json()
    assert sum(t["size"] for t in out["themes"]) == 14
    fragment_ids = {f["dream_id"] for t in out["themes"] for f in t["fragments"]}
    for dream_id in fragment_ids:
        assert client.delete(f"/api/v1/dreams/{dream_id}", headers=h).status_code == 204
    shown = client.get("/api/v1/archive/themes", params={"q": ""}, headers=h).json()
    assert sum(t["size"] for t in shown["themes"]) == 14 - len(fragment_ids)
    assert not fragment_ids & {f["dream_id"] for t in shown["themes"] for f in t["fragments"]}


def test_themes_need_enough_dreams(client, corpus):
    answer = client.post("/api/v1/archive/themes", json={"q": "series:moon-m"}, headers=corpus.headers["eve"])
    assert answer.status_code == 422 and "at least" in answer.json()["detail"]
