from dream_mosaic.analysis import analyze


def _settings(text: str) -> list[tuple[str, str]]:
    return [(s.location, s.familiarity) for s in analyze(text).settings]


def test_a_place_the_dreamer_does_not_know_is_unfamiliar() -> None:
    assert _settings("I was in a house I had never seen before.") == [("indoor", "unfamiliar")]
    assert _settings("We walked down some street.") == [("outdoor", "unfamiliar")]
    assert _settings("I was in my kitchen.") == [("indoor", "familiar")]
    assert _settings("I was in a kitchen.") == [("indoor", "questionable")]


def test_parts_of_a_place_are_not_settings_of_their_own() -> None:
    assert _settings("I was upstairs in bed, then went inside the shower.") == []


def test_a_described_place_is_unfamiliar_and_its_rooms_are_one_setting() -> None:
    a = analyze("I was in a large old house. I walked down the hallway into the kitchen.")
    assert [(s.words[0], s.location, s.familiarity) for s in a.settings] == [("house", "indoor", "unfamiliar")]
    # A plain indefinite place stays questionable; the dreamer's own is familiar.
    b = analyze("I was at a beach. Then I went back to my house.")
    assert [(s.words[0], s.familiarity) for s in b.settings] == [("beach", "questionable"), ("house", "familiar")]


def test_a_place_known_by_name_is_a_familiar_setting() -> None:
    a = analyze("I was walking down Euclid Ave with a friend. Later we sat in Wade Park. Then I was in Austria.")
    assert [(s.words[0], s.location, s.familiarity) for s in a.settings] == [
        ("Ave", "outdoor", "familiar"),
        ("Park", "outdoor", "familiar"),
        ("Austria", "outdoor", "familiar"),
    ]
    # A name that goes on is one setting, and so is a town with its state.
    b = analyze("We met near Forest Hills Blvd and drove to Toledo, Ohio.")
    assert [(s.words[0], s.familiarity) for s in b.settings] == [("Blvd", "familiar")]
    # A plain park is still questionable.
    assert _settings("We sat in a park.") == [("outdoor", "questionable")]


def test_going_home_is_no_setting_at_home() -> None:
    assert _settings("I was on my way home on the streetcar.") == []
    assert _settings("I was walking home from the game.") == []
    assert _settings("I stayed at home.") == [("indoor", "familiar")]
