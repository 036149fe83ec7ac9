from dream_mosaic.analysis import analyze


def test_waking_life_statement_is_flagged_with_its_sentence(dreams: dict[str, str]) -> None:
    text = dreams["waking_distress"]
    a = analyze(text)
    assert a.distress, "a waking-life wish to die must be flagged"
    sig = a.distress[0]
    assert sig.kind == "suicidal_ideation"
    assert "want to die" in sig.sentence
    assert text[sig.span[0] : sig.span[1]] == sig.sentence
    assert sig.confidence >= 0.7


def test_violence_and_death_inside_the_dream_raise_nothing(dreams: dict[str, str]) -> None:
    assert analyze(dreams["dream_violence"]).distress == []
    assert analyze("I dreamed I wanted to kill myself, then I was a bird.").distress == []
    assert analyze("In the dream I was hopeless and a man killed himself.").distress == []


def test_present_tense_self_harm_outside_the_narrative() -> None:
    a = analyze("We were at a party. I keep cutting myself and I don't know how to stop.")
    assert [s.kind for s in a.distress] == ["self_harm"]
