"""The journal end to end through the API: write, read, edit, delete, filter, sort, export, re-import."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def lyra(make_user: Callable[..., dict[str, str]]) -> dict[str, str]:
    return make_user("lyra", display_name="Lyra Belacqua")


DREAMS = [
    {"text": "Flying over a frozen sea", "title": "Ice", "dreamt_on": "2024-01-03", "tags": ["flying", "Sea"],
     "lucid": True, "mood": 5},
    {"text": "Chased through a station", "title": "Trains", "dreamt_on": "2024-02-10", "tags": ["chase"],
     "nightmare": True, "mood": 1},
    {"text": "The same house again, 100% the same", "title": "House", "dreamt_on": "2023-12-24",
     "tags": ["été", 'quote"d'], "recurring": True},
    {"text": "No night given, under_score", "title": "Adrift"},
]


def create_all(client: Any, h: dict[str, str]) -> dict[str, str]:
    ids = {}
    for dream in DREAMS:
        answer = client.post("/api/v1/dreams", json=dream, headers=h)
        assert answer.status_code == 201, answer.text
        assert answer.headers["location"] == f"/api/v1/dreams/{answer.json()['id']}"
        ids[dream["title"]] = answer.json()["id"]
    return ids


def titles(client: Any, h: dict[str, str], query: str) -> list[str]:
    answer = client.get(f"/api/v1/dreams?{query}", headers=h)
    assert answer.status_code == 200, answer.text
    return [d["title"] for d in answer.json()["items"]]


def test_write_read_edit_delete(client: Any, lyra: dict[str, str]) -> None:
    made = client.post("/api/v1/dreams", json=DREAMS[0], headers=lyra).json()
    assert made["tags"] == ["flying", "sea"]  # tags are kept lower-case
    assert (made["visibility"], made["attribution"], made["author"]["attribution"]) == ("private", "anonymous", "self")
    url = f"/api/v1/dreams/{made['id']}"
    got = client.get(url, headers=lyra).json()
    assert got["text"] == DREAMS[0]["text"] and got["dreamt_on"] == "2024-01-03" and got["lucid"] is True
    edited = client.patch(url, json={"text": "Flying over a warm sea", "mood": None, "dreamt_on": None},
                          headers=lyra)
    assert edited.status_code == 200
    got = client.get(url, headers=lyra).json()
    assert (got["text"], got["mood"], got["dreamt_on"], got["title"]) == ("Flying over a warm sea", None, None, "Ice")
    assert got["updated_at"] >= made["updated_at"]
    assert client.patch(url, json={}, headers=lyra).status_code == 200  # an empty edit changes nothing
    assert client.get(url, headers=lyra).json()["text"] == "Flying over a warm sea"
    assert client.delete(url, headers=lyra).status_code == 204
    assert client.get(url, headers=lyra).status_code == 404
    assert client.get("/api/v1/dreams", headers=lyra).json()["total"] == 0


def test_the_same_words_typed_twice_are_two_dreams(client: Any, lyra: dict[str, str]) -> None:
    for _ in range(2):
        assert client.post("/api/v1/dreams", json={"text": "again"}, headers=lyra).status_code == 201
    assert client.get("/api/v1/dreams", headers=lyra).json()["total"] == 2


def test_filters_and_sorts(client: Any, lyra: dict[str, str]) -> None:
    create_all(client, lyra)
    assert titles(client, lyra, "sort=title") == ["Adrift", "House", "Ice", "Trains"]
    assert titles(client, lyra, "sort=-title") == ["Trains", "Ice", "House", "Adrift"]
    by_night = titles(client, lyra, "sort=dreamt_on")
    assert by_night[-3:] == ["House", "Ice", "Trains"] or by_night[:3] == ["House", "Ice", "Trains"]
    assert titles(client, lyra, "sort=created_at") == ["Ice", "Trains", "House", "Adrift"]
    assert titles(client, lyra, "sort=-created_at") == ["Adrift", "House", "Trains", "Ice"]
    assert titles(client, lyra, "lucid=true") == ["Ice"]
    assert titles(client, lyra, "nightmare=true") == ["Trains"]
    assert set(titles(client, lyra, "nightmare=false")) == {"Ice", "House", "Adrift"}
    assert titles(client, lyra, "recurring=true") == ["House"]
    assert titles(client, lyra, "tag=sea") == ["Ice"]
    assert titles(client, lyra, "tag=SEA") == ["Ice"]
    assert titles(client, lyra, "tag=été") == ["House"]  # non-ASCII tags are found too
    assert titles(client, lyra, "tag=quote%22d") == ["House"]
    assert titles(client, lyra, "tag=se") == []  # whole tags, not parts of them
    assert titles(client, lyra, "q=STATION") == ["Trains"]
    assert titles(client, lyra, "q=ice") == ["Ice"]  # titles are searched too
    assert titles(client, lyra, "q=100%25") == ["House"]  # % is a character, not a wildcard
    assert titles(client, lyra, "q=under_score") == ["Adrift"]
    assert titles(client, lyra, "q=under%25score") == []
    assert titles(client, lyra, "since=2024-01-01&sort=dreamt_on") == ["Ice", "Trains"]
    assert titles(client, lyra, "until=2024-01-03&sort=dreamt_on") == ["House", "Ice"]
    assert titles(client, lyra, "visibility=private&sort=title") == ["Adrift", "House", "Ice", "Trains"]
    page = client.get("/api/v1/dreams?sort=title&limit=2&offset=1", headers=lyra).json()
    assert [d["title"] for d in page["items"]] == ["House", "Ice"] and page["total"] == 4
    assert client.get("/api/v1/dreams?offset=100", headers=lyra).json() == {
        "items": [], "total": 4, "limit": 50, "offset": 100}


def test_export_json_csv_jsonl_and_reimport_without_duplicates(client: Any, lyra: dict[str, str],
                                                               make_user: Callable[..., dict[str, str]]) -> None:
    ids = create_all(client, lyra)
    client.put(f"/api/v1/dreams/{ids['Ice']}/consent", json={"visibility": "community", "attribution": "alias"},
               headers=lyra)
    exports = {}
    for fmt, media in (("json", "application/json"), ("csv", "text/csv"), ("jsonl", "application/x-ndjson")):
        answer = client.get(f"/api/v1/journal/export?format={fmt}", headers=lyra)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
        assert f'filename="dream-journal.{fmt}"' in answer.headers["content-disposition"]
        exports[fmt] = answer.content
    parsed = json.loads(exports["json"])
    assert parsed["format"] == "dream-mosaic-journal" and len(parsed["dreams"]) == 4
    assert {d["id"] for d in parsed["dreams"]} == set(ids.values())
    rows = list(csv.DictReader(io.StringIO(exports["csv"].decode())))
    assert len(rows) == 4 and {r["title"] for r in rows} == {"Ice", "Trains", "House", "Adrift"}
    assert next(r for r in rows if r["title"] == "House")["tags"] == 'été;quote"d'
    assert len(exports["jsonl"].decode().strip().splitlines()) == 4

    for fmt, content in exports.items():  # re-importing into the same journal adds nothing
        answer = client.post("/api/v1/journal/import", files={"file": (f"mine.{fmt}", content)}, headers=lyra)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"imported": 0, "skipped_duplicates": 4, "errors": []}, fmt
    assert client.get("/api/v1/dreams", headers=lyra).json()["total"] == 4

    # into another person's journal: each format brings the four dreams, once
    for fmt, content in exports.items():
        other = make_user(f"mover_{fmt}")
        first = client.post("/api/v1/journal/import", files={"file": (f"j.{fmt}", content)}, headers=other)
        assert first.json()["imported"] == 4, (fmt, first.text)
        again = client.post("/api/v1/journal/import", files={"file": (f"j.{fmt}", content)}, headers=other)
        assert again.json()["imported"] == 0
        mine = client.get("/api/v1/dreams?sort=title&limit=10", headers=other).json()
        assert [d["title"] for d in mine["items"]] == ["Adrift", "House", "Ice", "Trains"]
        house = next(d for d in mine["items"] if d["title"] == "House")
        assert house["tags"] == ["été", 'quote"d'] and house["recurring"] is True
        assert house["dreamt_on"] == "2023-12-24"
        ice = next(d for d in mine["items"] if d["title"] == "Ice")
        assert (ice["visibility"], ice["attribution"], ice["mood"]) == ("community", "alias", 5)
        assert not set(d["id"] for d in mine["items"]) & set(ids.values())  # new ids in a new journal
    # an edited dream that was exported before is recognised by its id and not doubled
    client.patch(f"/api/v1/dreams/{ids['Trains']}", json={"text": "Chased, then I woke"}, headers=lyra)
    answer = client.post("/api/v1/journal/import", files={"file": ("old.json", exports["json"])}, headers=lyra)
    assert answer.json()["imported"] == 0
    assert client.get("/api/v1/dreams", headers=lyra).json()["total"] == 4
