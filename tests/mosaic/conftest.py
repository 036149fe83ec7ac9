"""A small circle for mosaic tests: a guide, three dreamers with every kind of consent, one outsider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

GUIDE_PW = "correct horse battery"

DREAMS = {
    # dreamer: [(title, text, visibility, attribution)]
    "lyra": [
        ("The flooded library", "I was in a library where the water kept rising between the shelves. I was "
         "afraid the books would be ruined, so I carried them up a spiral staircase.", "circle", "named"),
        ("Teeth", "My teeth were loose and falling out one by one. I was so embarrassed.", "private", "named"),
    ],
    "ronan": [
        ("Storm at sea", "A storm hit our small boat and the water came over the side. I was frightened, "
         "but my friend kept singing and slowly the waves calmed.", "circle", "anonymous"),
    ],
    "evelyn": [
        ("Grandmother's kitchen", "I was back in my grandmother's kitchen. She was baking bread and I felt "
         "happy and safe, and the window looked out on a calm lake of water.", "community", "alias"),
    ],
}


@dataclass
class Circle:
    id: str
    headers: dict[str, dict[str, str]]
    dream_ids: dict[str, str]  # title -> id
    texts: dict[str, str]  # title -> text


@pytest.fixture
def circle(client: Any, make_user: Any) -> Circle:
    headers = {
        "iris": make_user("iris", role="guide", display_name="Iris Vale"),
        "lyra": make_user("lyra", display_name="Lyra Post"),
        "ronan": make_user("ronan", display_name="Ronan Kestra"),
        "evelyn": make_user("evelyn", display_name="Evelyn Huxley"),
        "mallory": make_user("mallory", display_name="Mallory Outsider"),
    }
    r = client.post("/api/v1/circles", json={"name": "New Moon Circle", "attribution_mode": "alias"},
                    headers=headers["iris"])
    assert r.status_code == 201, r.text
    circle_id = r.json()["id"]
    for name in ("lyra", "ronan", "evelyn"):
        assert client.post(f"/api/v1/circles/{circle_id}/join", headers=headers[name]).status_code == 200
    ids, texts = {}, {}
    for name, dreams in DREAMS.items():
        for title, text, visibility, attribution in dreams:
            body = {"title": title, "text": text, "visibility": visibility, "attribution": attribution,
                    "circle_ids": [circle_id] if visibility in {"circle", "community"} else []}
            r = client.post("/api/v1/dreams", json=body, headers=headers[name])
            assert r.status_code == 201, r.text
            ids[title] = r.json()["id"]
            texts[title] = text
    return Circle(circle_id, headers, ids, texts)
