"""Bad input of every kind: always a 4xx ``application/problem+json`` with a message a person can act on,
never a 500, and nothing stored half-way (rows are counted after each attempt)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from journal_helpers import login_csrf
from sqlalchemy import func, select

from dream_mosaic.core.models import AuditEntry, Circle, Dream, IdempotencyKey, User

PROBLEM = "application/problem+json"


def rows(platform: Any) -> dict[str, int]:
    with platform.db.transaction(write=False) as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Dream, User, Circle, IdempotencyKey, AuditEntry)}


def assert_problem(answer: Any, *statuses: int) -> dict[str, Any]:
    assert 400 <= answer.status_code < 500, f"{answer.status_code}: {answer.text[:300]}"
    if statuses:
        assert answer.status_code in statuses, f"{answer.status_code}: {answer.text[:300]}"
    assert answer.headers["content-type"].startswith(PROBLEM), answer.headers["content-type"]
    body = answer.json()
    assert body["status"] == answer.status_code and body["title"]
    assert isinstance(body["detail"], str) and len(body["detail"]) > 10, body
    assert "Traceback" not in answer.text and "sqlalchemy" not in answer.text.lower()
    return body


@pytest.fixture
def lyra(make_user: Callable[..., dict[str, str]]) -> dict[str, str]:
    return make_user("lyra")


BAD_DREAMS: list[tuple[str, Any]] = [
    ("empty object", {}),
    ("empty text", {"text": ""}),
    ("blank text", {"text": "   \n\t "}),
    ("text too long", {"text": "x" * 20_001}),
    ("text is a number", {"text": 42}),
    ("text is a list", {"text": ["a"]}),
    ("text is null", {"text": None}),
    ("unknown field", {"text": "ok", "owner_id": "someone"}),
    ("unknown field id", {"text": "ok", "id": "0" * 32}),
    ("NUL in text", {"text": "a\x00b"}),
    ("bell in text", {"text": "a\x07b"}),
    ("escape in title", {"text": "ok", "title": "\x1b[31mred"}),
    ("DEL in tag", {"text": "ok", "tags": ["a\x7f"]}),
    ("title too long", {"text": "ok", "title": "t" * 201}),
    ("title is object", {"text": "ok", "title": {"a": 1}}),
    ("bad date", {"text": "ok", "dreamt_on": "2021-02-30"}),
    ("not a date", {"text": "ok", "dreamt_on": "last tuesday"}),
    ("far future", {"text": "ok", "dreamt_on": "2999-01-01"}),
    ("date as number", {"text": "ok", "dreamt_on": 20210101}),
    ("mood too high", {"text": "ok", "mood": 6}),
    ("mood zero", {"text": "ok", "mood": 0}),
    ("mood string", {"text": "ok", "mood": "happy"}),
    ("mood huge", {"text": "ok", "mood": 10**40}),
    ("mood float", {"text": "ok", "mood": 2.5}),
    ("lucid string", {"text": "ok", "lucid": "perhaps"}),
    ("tags not list", {"text": "ok", "tags": "a,b"}),
    ("tags of numbers", {"text": "ok", "tags": [1, 2]}),
    ("tag too long", {"text": "ok", "tags": ["t" * 41]}),
    ("too many tags", {"text": "ok", "tags": [f"t{i}" for i in range(31)]}),
    ("bad visibility", {"text": "ok", "visibility": "public"}),
    ("bad attribution", {"text": "ok", "attribution": "pseudonym"}),
    ("circle without circles", {"text": "ok", "visibility": "circle"}),
    ("unknown circle", {"text": "ok", "visibility": "circle", "circle_ids": ["0" * 32]}),
    ("circle ids not list", {"text": "ok", "visibility": "circle", "circle_ids": "abc"}),
    ("too many circles", {"text": "ok", "visibility": "circle", "circle_ids": [f"{i:032x}" for i in range(51)]}),
    ("array body", [{"text": "ok"}]),
    ("string body", "a dream"),
    ("number body", 12),
    ("null body", None),
]


def test_bad_dreams_are_refused_and_nothing_is_stored(client: Any, platform: Any, lyra: dict[str, str]) -> None:
    before = rows(platform)
    for case, body in BAD_DREAMS:
        answer = client.post("/api/v1/dreams", json=body, headers=lyra)
        assert_problem(answer, 400, 422)
        with_key = client.post("/api/v1/dreams", json=body, headers={**lyra, "Idempotency-Key": f"k-{case}"})
        assert_problem(with_key, 400, 422)
        assert rows(platform) == before, case


def test_bad_edits_are_refused_and_change_nothing(client: Any, lyra: dict[str, str]) -> None:
    made = client.post("/api/v1/dreams", json={"text": "the original", "tags": ["kept"], "mood": 3}, headers=lyra)
    dream = made.json()
    url = f"/api/v1/dreams/{dream['id']}"
    for body in [b for _, b in BAD_DREAMS if isinstance(b, dict) and b and "visibility" not in b
                 and "circle_ids" not in b and "attribution" not in b] + [
        {"text": None}, {"lucid": None}, {"nightmare": None}, {"recurring": None}, {"tags": None},
        {"visibility": "community"},
    ]:
        answer = client.patch(url, json=body, headers=lyra)
        if (body.get("text") == "ok" and len(body) == 2) or body == {"tags": None}:
            # a valid edit alongside the bad field is still refused as a whole; tags=null clears nothing
            assert answer.status_code in (200, 400, 422), answer.text
            if answer.status_code == 200:
                client.patch(url, json={"text": "the original", "tags": ["kept"], "mood": 3}, headers=lyra)
            continue
        assert_problem(answer, 400, 422)
        now = client.get(url, headers=lyra).json()
        assert (now["text"], now["tags"], now["mood"]) == ("the original", ["kept"], 3), body
    for body in ({"visibility": "everyone"}, {"visibility": "circle"}, {"attribution": "x"}, {"extra": 1},
                 {"visibility": "circle", "circle_ids": ["f" * 32]}):
        assert_problem(client.put(url + "/consent", json=body, headers=lyra), 400, 422)
    assert client.get(url, headers=lyra).json()["visibility"] == "private"


def test_tags_null_in_an_edit_is_refused_or_clears_the_tags(client: Any, lyra: dict[str, str]) -> None:
    dream = client.post("/api/v1/dreams", json={"text": "tags", "tags": ["a"]}, headers=lyra).json()
    answer = client.patch(f"/api/v1/dreams/{dream['id']}", json={"tags": None}, headers=lyra)
    assert answer.status_code in (200, 422), answer.text
    tags = client.get(f"/api/v1/dreams/{dream['id']}", headers=lyra).json()["tags"]
    assert tags == (["a"] if answer.status_code == 422 else [])


RAW_BODIES: list[tuple[str, bytes, str]] = [
    ("malformed JSON", b'{"text": "unterminated', "application/json"),
    ("trailing comma", b'{"text": "a",}', "application/json"),
    ("invalid UTF-8", b'{"text": "\xff\xfe bad bytes \xc3\x28"}', "application/json"),
    ("latin-1 bytes", '{"text": "caf\u00e9"}'.encode("latin-1"), "application/json"),
    ("lone surrogate escape", b'{"text": "a\\ud800b"}', "application/json"),
    ("NUL escape", b'{"text": "a\\u0000b"}', "application/json"),
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000, "application/json"),
    ("huge number", b'{"text": "ok", "mood": 1' + b"0" * 5000 + b"}", "application/json"),
    ("NaN", b'{"text": "ok", "mood": NaN}', "application/json"),
    ("form instead of JSON", b"text=hello", "application/x-www-form-urlencoded"),
    ("plain text", b"hello", "text/plain"),
    ("no content type", b'{"text": "ok"}', ""),
    ("empty body", b"", "application/json"),
]


def test_unreadable_bodies_are_refused(client: Any, platform: Any, lyra: dict[str, str]) -> None:
    before = rows(platform)
    for case, raw, ctype in RAW_BODIES:
        headers = {**lyra, **({"Content-Type": ctype} if ctype else {})}
        for url in ("/api/v1/dreams", "/api/v1/auth/token"):
            answer = client.post(url, content=raw, headers=headers)
            if case == "no content type":
                # FastAPI reads a JSON body without a content type; it must work or be refused cleanly
                assert answer.status_code in (200, 201, 400, 401, 415, 422), answer.text
                if answer.status_code == 201:
                    client.delete(f"/api/v1/dreams/{answer.json()['id']}", headers=lyra)
            else:
                assert_problem(answer, 400, 401, 415, 422)
        assert rows(platform) == before, case


def test_ten_megabyte_bodies_are_refused_with_413(client: Any, platform: Any, lyra: dict[str, str]) -> None:
    before = rows(platform)
    big = json.dumps({"text": "x" * 10_000_000}).encode()
    body = assert_problem(client.post("/api/v1/dreams", content=big,
                                      headers={**lyra, "Content-Type": "application/json"}), 413)
    assert "nothing was saved" in body["detail"]

    def chunks() -> Any:  # no Content-Length: the limit must hold while streaming too
        for i in range(0, len(big), 1 << 20):
            yield big[i:i + (1 << 20)]

    streamed = client.post("/api/v1/dreams", content=chunks(), headers={**lyra, "Content-Type": "application/json"})
    assert_problem(streamed, 413)
    assert_problem(client.patch("/api/v1/dreams/" + "0" * 32, content=big,
                                headers={**lyra, "Content-Type": "application/json"}), 413)
    assert_problem(client.post("/api/v1/auth/signup", content=big,
                               headers={"Content-Type": "application/json"}), 413)
    assert rows(platform) == before


BAD_QUERIES = [
    "limit=0", "limit=501", "limit=-1", "limit=abc", "limit=" + "9" * 40, "offset=-1", "offset=" + "9" * 40,
    "offset=10000001", "sort=owner_id", "sort=;drop table dreams", "visibility=public", "since=2021-13-01",
    "until=yesterday", "since=0000-00-00", "lucid=perhaps", "q=" + "q" * 201, "tag=" + "t" * 41,
]


def test_bad_query_parameters_are_refused(client: Any, lyra: dict[str, str]) -> None:
    client.post("/api/v1/dreams", json={"text": "one dream"}, headers=lyra)
    for query in BAD_QUERIES:
        assert_problem(client.get(f"/api/v1/dreams?{query}", headers=lyra), 400, 422)
    for fmt in ("xml", "", "JSON", "csv;drop"):
        assert_problem(client.get(f"/api/v1/journal/export?format={fmt}", headers=lyra), 400, 422)


WEIRD_BUT_HARMLESS = [
    "q=%00", "q=%25%25%25", "q=_", "q=%27%20OR%201%3D1%20--", "tag=%00", "tag=%22", "q=%E2%80%AE",
    "q=%F0%9F%8C%99", "since=1000-01-01&until=9999-12-31", "offset=10000000", "q=%5C",
]


def test_odd_but_valid_queries_never_fail_and_never_widen_results(
    client: Any, lyra: dict[str, str], make_user: Callable[..., dict[str, str]]
) -> None:
    other = make_user("orion")
    client.post("/api/v1/dreams", json={"text": "orion's private 100% _secret_ 'quoted' \\ dream"}, headers=other)
    client.post("/api/v1/dreams", json={"text": "lyra's own"}, headers=lyra)
    for query in WEIRD_BUT_HARMLESS:
        answer = client.get(f"/api/v1/dreams?{query}", headers=lyra)
        assert answer.status_code in (200, 400, 422), f"{query}: {answer.status_code} {answer.text[:200]}"
        if answer.status_code == 200:
            assert "orion" not in answer.text
        else:
            assert_problem(answer)
    # LIKE wildcards in a search are matched literally, not as wildcards
    assert client.get("/api/v1/dreams?q=%25", headers=lyra).json()["total"] == 0
    assert client.get("/api/v1/dreams?q=_", headers=lyra).json()["total"] == 0


ODD_IDS = ["%00", "x" * 5000, "..%2F..%2Fetc%2Fpasswd", "%27%20OR%20%271%27%3D%271", "%FF%FE", "0" * 32,
           "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ", "%E2%80%AE", "-1", "1e309"]


def test_odd_ids_in_paths_are_plain_404s(client: Any, lyra: dict[str, str], world_circle: str) -> None:
    for odd in ODD_IDS:
        for method, path in (("GET", "/api/v1/dreams/{}"), ("DELETE", "/api/v1/dreams/{}"),
                             ("PATCH", "/api/v1/dreams/{}"), ("PUT", "/api/v1/dreams/{}/consent"),
                             ("GET", "/api/v1/circles/{}"), ("GET", "/api/v1/circles/{}/dreams"),
                             ("POST", "/api/v1/circles/{}/join")):
            body = {"text": "x"} if method == "PATCH" else {"visibility": "private"} if method == "PUT" else None
            answer = client.request(method, path.format(odd), headers=lyra, json=body)
            assert_problem(answer, 404, 405, 422)


@pytest.fixture
def world_circle(client: Any, make_user: Callable[..., dict[str, str]]) -> str:
    guide = make_user("gaia", role="guide")
    return str(client.post("/api/v1/circles", json={"name": "c"}, headers=guide).json()["id"])


def test_bad_idempotency_keys(client: Any, platform: Any, lyra: dict[str, str]) -> None:
    before = rows(platform)
    too_long = {**lyra, "Idempotency-Key": "k" * 256}
    assert_problem(client.post("/api/v1/dreams", json={"text": "a"}, headers=too_long), 400, 422)
    assert rows(platform) == before
    first = client.post("/api/v1/dreams", json={"text": "keyed"}, headers={**lyra, "Idempotency-Key": "same"})
    assert first.status_code == 201
    other = client.post("/api/v1/dreams", json={"text": "another"}, headers={**lyra, "Idempotency-Key": "same"})
    body = assert_problem(other, 409)
    assert "Idempotency-Key" in body["detail"]
    assert rows(platform)["Dream"] == before["Dream"] + 1


BAD_AUTH = [
    ("/api/v1/auth/signup", {"username": "a", "password": "long enough pw"}),
    ("/api/v1/auth/signup", {"username": "ok_name", "password": "short"}),
    ("/api/v1/auth/signup", {"username": "bad name!", "password": "long enough pw"}),
    ("/api/v1/auth/signup", {"username": "x\x00y", "password": "long enough pw"}),
    ("/api/v1/auth/signup", {"username": "ok_name", "password": "long enough pw", "role": "admin"}),
    ("/api/v1/auth/signup", {"username": "ok_name", "password": "p" * 257}),
    ("/api/v1/auth/signup", {"username": 12, "password": "long enough pw"}),
    ("/api/v1/auth/signup", {"username": "ok_name", "password": "long enough pw", "display_name": "d" * 121}),
    ("/api/v1/auth/token", {"username": "lyra"}),
    ("/api/v1/auth/token", {"username": "lyra\x00", "password": "whatever pw"}),
    ("/api/v1/auth/token", {"username": "", "password": ""}),
    ("/api/v1/auth/token", {"username": "lyra", "password": "x" * 257}),
]


def test_bad_account_input(client: Any, platform: Any, lyra: dict[str, str]) -> None:
    before = rows(platform)
    for url, body in BAD_AUTH:
        assert_problem(client.post(url, json=body), 400, 401, 422)
    assert rows(platform) == before
    me = client.get("/api/v1/me", headers=lyra).json()
    assert me["role"] == "dreamer"


def test_bad_circle_input(client: Any, platform: Any, make_user: Callable[..., dict[str, str]]) -> None:
    guide = make_user("gaia", role="guide")
    before = rows(platform)
    for body in ({}, {"name": ""}, {"name": "x" * 121}, {"name": "ok", "capacity": 1},
                 {"name": "ok", "capacity": 10**30}, {"name": "ok", "attribution_mode": "loud"},
                 {"name": "ok", "extra": True}, {"name": "a\x00b"}, {"name": "ok", "purpose": "p" * 2001}):
        assert_problem(client.post("/api/v1/circles", json=body, headers=guide), 400, 422)
    assert rows(platform) == before


def test_bad_pages_input_is_answered_as_a_page_not_a_crash(
    client: Any, lyra: dict[str, str], page_client: Callable[..., Any]
) -> None:
    browser = page_client("lyra")
    html = {"Accept": "text/html"}
    for form in ({"text": ""}, {"text": "x" * 20_001}, {"text": "a\x00b"}, {"text": "ok", "mood": "9"},
                 {"text": "ok", "mood": "abc"}, {"text": "ok", "dreamt_on": "2021-02-30"},
                 {"text": "ok", "visibility": "public"}, {"text": "ok", "visibility": "circle"},
                 {"text": "ok", "circle_ids": "f" * 32, "visibility": "circle"},
                 {"text": "ok", "attribution": "loud"}, {"text": "<script>alert(1)</script>", "mood": "7"}):
        answer = browser.post("/journal/new", data={"csrf": browser.csrf, **form}, headers=html)
        assert answer.status_code in (400, 403, 422), (form, answer.status_code)
        assert "<script>alert(1)</script>" not in answer.text
        assert "text/html" in answer.headers["content-type"]
    for url in ("/journal?page=abc", "/journal?page=-5", "/journal?page=" + "9" * 40, "/journal?q=%00",
                "/journal?visibility=%00", "/journal/%00", "/journal/" + "x" * 3000):
        answer = browser.get(url, headers=html)
        assert answer.status_code in (200, 400, 404, 422), (url, answer.status_code)
    assert client.get("/api/v1/dreams", headers=lyra).json()["total"] == 0
    for form in ({"username": "a\x00", "password": "x"}, {"username": "u" * 65, "password": "x"},
                 {"username": "lyra"}, {}):
        visitor = page_client(None)
        answer = visitor.post("/signin", data={**form, "csrf": login_csrf(visitor)}, headers=html)
        assert answer.status_code in (400, 401, 422), (form, answer.status_code)
    for form in ({"username": "a\x00b", "password": "long enough pw"}, {"username": "ok", "password": "x"},
                 {"username": "lyra", "password": "long enough pw"}):
        visitor = page_client(None)
        answer = visitor.post("/signup", data={**form, "csrf": login_csrf(visitor, "/signup")}, headers=html)
        assert answer.status_code in (400, 409, 422), (form, answer.status_code)


def test_bad_import_files_are_refused_whole(client: Any, platform: Any, lyra: dict[str, str]) -> None:
    before = rows(platform)
    good = {"text": "a fine dream"}
    files: list[tuple[str, bytes]] = [
        ("journal.json", b'{"dreams": [{"text": "ok"}, {"text": '),
        ("journal.json", json.dumps({"dreams": [good, {"text": ""}]}).encode()),
        ("journal.json", json.dumps({"dreams": [good, {"text": 5}]}).encode()),
        ("journal.json", json.dumps({"dreams": [good, "a string"]}).encode()),
        ("journal.json", json.dumps([good, {"text": "ok", "mood": "x"}]).encode()),
        ("journal.json", json.dumps([good, {"text": "x" * 20_001}]).encode()),
        ("journal.json", json.dumps([good, {"text": "a\x00b"}]).encode()),
        ("journal.json", b"\xff\xfe\x00garbage"),
        ("journal.jsonl", b'{"text": "ok"}\n{"text": "ok2"\n'),
        ("journal.jsonl", b'{"text": "ok"}\n[1, 2]\n'),
        ("journal.jsonl", b'{"text": "ok"}\n\xff\xfe\n'),
        ("journal.csv", b"title,body\nnope,nope\n"),
        ("journal.csv", b"text,mood\nfine,3\nbad,99\n"),
        ("journal.csv", b"text,dreamt_on\nfine,2021-01-01\n" + b"x" * 20_001 + b",\n"),
        ("journal.csv", b"\xff\xfe\xfd"),
    ]
    for name, content in files:
        answer = client.post("/api/v1/journal/import", files={"file": (name, content)}, headers=lyra)
        assert_problem(answer, 400, 413, 422)
        assert rows(platform) == before, name
    assert_problem(client.post("/api/v1/journal/import", headers=lyra), 400, 422)
    assert_problem(client.post("/api/v1/journal/import", json={"dreams": []}, headers=lyra), 400, 422)


def test_import_ignores_fields_it_does_not_own(client: Any, platform: Any, lyra: dict[str, str]) -> None:
    """Fields that are not a dream's own (owners, collections, internal columns) are never taken from a
    file: an import cannot attach dreams to other people's collections or overflow a column."""
    records = [
        {"text": "one", "owner_id": "f" * 32, "collection_id": "e" * 32, "language": "x" * 500,
         "dreamer_sex": "y" * 500, "dreamer_age": ["list"], "source_ref": {"a": 1}, "content_hash": "0",
         "analysis_status": "done", "id": ["not", "a", "string"]},
        {"text": "two", "id": {"an": "object"}, "collection": "someone-elses-series"},
        {"text": "three", "id": 12345},
    ]
    answer = client.post("/api/v1/journal/import", headers=lyra,
                         files={"file": ("j.json", json.dumps({"dreams": records}).encode())})
    assert answer.status_code == 200, answer.text
    assert answer.json()["imported"] == 3
    mine = client.get("/api/v1/dreams?limit=10", headers=lyra).json()
    assert {d["text"] for d in mine["items"]} == {"one", "two", "three"}
    assert all(d["collection"] is None for d in mine["items"])
    with platform.db.transaction(write=False) as session:
        for dream in session.scalars(select(Dream)):
            assert dream.collection_id is None and dream.language is None and dream.source_ref is None
