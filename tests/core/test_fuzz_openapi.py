"""A seeded fuzzer over the OpenAPI spec: every operation of every feature, called by a signed-in person
with random ids, random query values and bodies that are almost right (wrong types, control
characters, huge numbers, unknown fields, script and SQL). Nothing may answer 500.

Marked slow (it walks every endpoint of every feature): ``pytest -m slow tests/core/test_fuzz_openapi.py``.
Set MOSAIC_FUZZ_CASES to change the number of calls per operation."""

from __future__ import annotations

import json
import os
import random
import secrets
from collections.abc import Callable
from typing import Any

import pytest

CASES = int(os.environ.get("MOSAIC_FUZZ_CASES", "12"))
NASTY_STRINGS = ["", " ", "a\x00b", "\x1b[2J", "<script>alert(1)</script>", "' OR 1=1 --", "%", "_", "\\",
                 "😴" * 50, "\u202e", "x" * 5000, "null", "-1", "9" * 40, "2021-02-30", "../../etc/passwd"]
NASTY_VALUES: list[Any] = [None, True, -1, 0, 2**63, -(2**63) - 1, 10**40, 1.5, float("1e308"), [], {}, [None],
                           {"$gt": ""}, *NASTY_STRINGS]


def nasty(rng: random.Random) -> Any:
    return rng.choice(NASTY_VALUES)


def value_for(schema: dict[str, Any], spec: dict[str, Any], rng: random.Random, depth: int = 0) -> Any:
    """Something close to what the schema asks for, or (often) something nasty instead."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if rng.random() < 0.3 or depth > 3:
        return nasty(rng)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return value_for(rng.choice(schema[key]), spec, rng, depth + 1)
    kind = schema.get("type")
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if kind == "object" or "properties" in schema:
        body = {name: value_for(sub, spec, rng, depth + 1) for name, sub in schema.get("properties", {}).items()
                if name in schema.get("required", []) or rng.random() < 0.6}
        if rng.random() < 0.2:
            body["unexpected_field"] = nasty(rng)
        return body
    if kind == "array":
        return [value_for(schema.get("items", {}), spec, rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "integer":
        return rng.choice([0, 1, 5, -3, 2**40, schema.get("maximum", 10)])
    if kind == "number":
        return rng.choice([0.5, -1.0, 1e9])
    if kind == "boolean":
        return rng.random() < 0.5
    if schema.get("format") == "date":
        return rng.choice(["2024-01-01", "1900-01-01", "2999-12-31", "not a date"])
    return rng.choice(["a dream", *NASTY_STRINGS])


@pytest.mark.slow
def test_no_endpoint_answers_500_to_fuzzed_input(client: Any, make_user: Callable[..., dict[str, str]]) -> None:
    spec = client.get("/openapi.json").json()
    roles = [make_user(f"fuzz_{role}", role=role) for role in ("dreamer", "guide", "guardian", "archivist", "admin")]
    own = client.post("/api/v1/dreams", json={"text": "a real dream to aim at"}, headers=roles[0]).json()["id"]
    circle = client.post("/api/v1/circles", json={"name": "fuzzed"}, headers=roles[1]).json()["id"]
    rng = random.Random(20261122)
    failures: list[str] = []
    calls = 0
    for path, operations in sorted(spec["paths"].items()):
        for method, op in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for _ in range(CASES):
                url = path
                for param in op.get("parameters", []):
                    if param["in"] == "path":
                        choice = rng.choice([own, circle, secrets.token_hex(16), "x" * 300, "%00", "..", "lyra",
                                             "fuzz_dreamer"])
                        url = url.replace("{" + param["name"] + "}", str(choice))
                query = {p["name"]: value_for(p.get("schema", {}), spec, rng)
                         for p in op.get("parameters", []) if p["in"] == "query" and rng.random() < 0.7}
                query = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in query.items()
                         if v is not None}
                kwargs: dict[str, Any] = {"params": query, "headers": rng.choice(roles)}
                content = op.get("requestBody", {}).get("content", {})
                if "application/json" in content:
                    body = value_for(content["application/json"].get("schema", {}), spec, rng)
                    try:
                        kwargs["content"] = json.dumps(body, allow_nan=True).encode()
                    except (TypeError, ValueError):
                        kwargs["content"] = b"{"
                    kwargs["headers"] = {**kwargs["headers"], "Content-Type": "application/json"}
                elif "multipart/form-data" in content:
                    kwargs["files"] = {"file": ("f.json", rng.choice([b"{", b"[]", b'{"dreams": [{"text": 1}]}',
                                                                       b"\xff\xfe", b"text\nhello\n"]))}
                answer = client.request(method.upper(), url, **kwargs)
                calls += 1
                if answer.status_code >= 500:
                    failures.append(f"{method.upper()} {url} {query} -> {answer.status_code}")
    assert calls > 50
    assert not failures, f"{len(failures)} of {calls} calls answered 5xx:\n" + "\n".join(failures[:30])
