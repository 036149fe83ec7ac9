from dream_mosaic.analysis import Pipeline, analyze
from dream_mosaic.analysis.components.emotions import find_emotion_hits
from dream_mosaic.analysis.pipeline import DreamDoc


def test_dreamer_fear_and_relief_with_word_offsets(dreams: dict[str, str]) -> None:
    text = dreams["chase"]
    a = analyze(text)
    by_code = {e.code: e for e in a.emotions}
    assert {"AP", "HA"} <= set(by_code)
    ap = by_code["AP"]
    assert ap.character == "D"
    assert [text[s:e] for s, e in ap.spans] == ["terrified"]
    assert 0.5 <= ap.confidence <= 1.0
    assert "relieved" in by_code["HA"].words


def test_negated_emotion_is_not_coded(dreams: dict[str, str]) -> None:
    a = analyze(dreams["negated"])
    assert "AP" not in a.emotion_codes()


def test_another_characters_anger_is_attributed_to_them(dreams: dict[str, str]) -> None:
    doc = DreamDoc.from_text(dreams["other_angry"])
    Pipeline(["characters"])._components[0].fn(doc)
    hits = find_emotion_hits(doc)
    assert [(h.words, h.experiencer) for h in hits] == [("furious", "1MKA")]  # "my boss", not the dreamer
    a = analyze("My boss was really furious with me. He yelled at me.")
    assert [(e.code, e.character) for e in a.emotions] == [("AN", "1MKA")]


def test_no_emotion_words_no_emotions() -> None:
    a = analyze("We drove to the store and bought bread. Then we went home.")
    assert a.emotions == []


def test_valence_follows_the_stated_emotions() -> None:
    happy = analyze("I was so happy and delighted; we laughed and enjoyed the beautiful day.")
    scared = analyze("I was terrified and horrified; a monster attacked me and I screamed.")
    assert happy.valence > 0.3
    assert scared.valence < -0.3


def test_short_reports_stating_an_emotion_get_it() -> None:
    cases = {
        "I was terrified.": "AP",
        "I was happy.": "HA",
        "She was angry.": "AN",
        "I felt sad.": "SD",
        "I was confused.": "CO",
    }
    for text, code in cases.items():
        assert analyze(text).emotion_codes() == {code}, text


def test_at_least_one_rule_only_fills_reports_with_no_class() -> None:
    import numpy as np

    from dream_mosaic.analysis.evaluate import decide

    # Order of EMOTION_CODES: AN AP SD CO HA.
    probs = np.array([[0.1, 0.3, 0.2, 0.0, 0.05], [0.9, 0.1, 0.1, 0.1, 0.8], [0.0, 0.0, 0.0, 0.0, 0.0]])
    thresholds = np.full_like(probs, 0.5)
    assert decide(probs, thresholds) == [set(), {"AN", "HA"}, set()]
    assert decide(probs, thresholds, at_least_one=True) == [{"AP"}, {"AN", "HA"}, {"AN"}]
