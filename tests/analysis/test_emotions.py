from dream_mosaic.analysis import analyze


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
    a = analyze(dreams["other_angry"])
    anger = [e for e in a.emotions if e.code == "AN"]
    assert anger, a.emotions
    assert all(e.character != "D" for e in anger)


def test_no_emotion_words_no_emotions() -> None:
    a = analyze("We drove to the store and bought bread. Then we went home.")
    assert a.emotions == []


def test_valence_follows_the_stated_emotions() -> None:
    happy = analyze("I was so happy and delighted; we laughed and enjoyed the beautiful day.")
    scared = analyze("I was terrified and horrified; a monster attacked me and I screamed.")
    assert happy.valence > 0.3
    assert scared.valence < -0.3
