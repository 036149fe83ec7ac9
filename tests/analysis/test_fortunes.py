from dream_mosaic.analysis import analyze


def test_more_misfortunes_are_found_with_who_suffers_them() -> None:
    a = analyze("My car broke down on the highway. Then my sister slipped on the ice.")
    assert [(m.words[0], m.character) for m in a.misfortunes] == [("broke down", "D"), ("slipped", "1FTA")]
    b = analyze("I was bit by a dog.")
    assert [m.bodily for m in b.misfortunes] == [True]


def test_no_misfortune_in_a_plain_dream() -> None:
    assert analyze("We sat in the garden and talked about the weather.").misfortunes == []


def test_succeeding_and_failing_after_an_effort() -> None:
    a = analyze("The water kept rising. Finally we were able to reach higher ground. I could not find the key.")
    assert [(e.words[0], e.character) for e in a.successes] == [("were able to", "D")]
    assert [(e.words[0], e.character) for e in a.failures] == [("could not find", "D")]


def test_escaping_and_managing_are_successes_in_any_tense() -> None:
    a = analyze("I escape through the window. My sister manages to open the door. I am able to run.")
    assert [(e.words[0], e.character) for e in a.successes] == [
        ("escape", "D"),
        ("manages", "1FTA"),
        ("am able to", "D"),
    ]
