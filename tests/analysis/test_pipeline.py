from typing import Any

import pytest

from dream_mosaic.analysis import DEFAULT_CONFIG, Pipeline, analyze, register_component
from dream_mosaic.analysis.pipeline import DreamDoc, registered_components


def test_result_records_every_component_version() -> None:
    a = analyze("I was happy.")
    assert list(a.versions) == list(DEFAULT_CONFIG)
    assert a.versions == {name: registered_components()[name] for name in DEFAULT_CONFIG}


def test_config_order_and_requirements_are_checked() -> None:
    with pytest.raises(ValueError, match="needs"):
        Pipeline(["interactions"])
    with pytest.raises(KeyError):
        Pipeline(["characters", "no-such-component"])
    nlp = Pipeline(["characters", "emotions"])
    a = nlp("My sister was angry.")
    assert a.characters and a.emotions and a.interactions == []


def test_new_version_reruns_only_what_changed() -> None:
    calls: list[str] = []

    @register_component("test_counter", version="1")
    def make_counter() -> Any:
        def counter(doc: DreamDoc) -> None:
            calls.append(doc.text)
            doc.analysis.motifs = [*doc.analysis.motifs, f"tokens:{len(doc.tokens)}"]

        return counter

    old = Pipeline([*DEFAULT_CONFIG, "test_counter"])("A dog barked at me.")
    assert Pipeline([*DEFAULT_CONFIG, "test_counter"]).stale_components(old.versions) == []

    register_component("test_counter", version="2")(make_counter)
    nlp = Pipeline([*DEFAULT_CONFIG, "test_counter"])
    assert nlp.stale_components(old.versions) == ["test_counter"]
    stale_chars = {**old.versions, "characters": "0.9"}
    assert nlp.stale_components(stale_chars) == [
        "characters",
        "emotions",
        "valence",
        "interactions",
        "fortunes",
        "test_counter",
    ]
    calls.clear()
    updated = nlp.update("A dog barked at me.", old)
    assert updated.versions["test_counter"] == "2"
    assert calls == ["A dog barked at me."]
    assert updated.characters == old.characters
