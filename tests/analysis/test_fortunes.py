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
    a = analyze("I escape through the window. My sister manages to open the door.")
    assert [(e.words[0], e.character) for e in a.successes] == [("escape", "D"), ("manages", "1FTA")]


def test_a_success_only_hoped_for_or_a_mere_ability_is_none() -> None:
    a = analyze("If only I can escape its hold, I will be free. I am able to touch her. If I win, they leave.")
    assert a.successes == []


def test_not_being_able_to_is_an_obstacle_and_a_missed_goal_a_failure_too() -> None:
    a = analyze("I couldn't find my keys. We were unable to leave. My legs could not move.")
    assert [(e.words[0], e.character) for e in a.misfortunes] == [
        ("couldn't find", "D"),
        ("unable to leave", "D"),
        ("could not move", "D"),
    ]
    assert [e.words[0] for e in a.failures] == ["couldn't find", "unable to leave"]
    # A ban, a perception, a belief: no obstacle met in the dream.
    b = analyze("The instructor told us we couldn't swim there. I can't see her face clearly. I couldn't believe it.")
    assert b.misfortunes == [] and b.failures == []


def test_misfortune_words_that_tell_of_no_misfortune_in_the_dream() -> None:
    quiet = [
        "I fell asleep on the couch. It was late at night. We climbed the fire escape to the roof.",
        "We came to a dead end. I was dead tired. The wind died down.",
        "Mary is not ill. Nobody was hurt. I felt hurt that he left. He was going to hurt me.",
        "I know that she is dead. She has been dead for a year. Since Mary died I live alone.",
        "He killed the guard. I would fire at them.",
    ]
    for text in quiet:
        assert analyze(text).misfortunes == [], text
    told = analyze("My grandmother is going to die. The guard was killed. I was late for class.")
    assert [m.words[0] for m in told.misfortunes] == ["die", "killed", "late"]


def test_misfortunes_in_the_present_tense_and_going_wrong() -> None:
    a = analyze("My brother twists his ankle. Something goes wrong with the plane. The cup breaks.")
    assert [(m.words[0], m.character) for m in a.misfortunes] == [
        ("twists", "1MBA"),
        ("goes wrong", "D"),
        ("breaks", "D"),
    ]


def test_good_fortune_is_a_windfall_a_recovery_a_return_or_a_rescue() -> None:
    a = analyze("My husband won a lot of money. Then I find two bags with jewelry and treasures.")
    assert [(e.words[0], e.character) for e in a.good_fortunes] == [("won", "1MHA"), ("find", "D")]
    assert a.successes == []  # winning money is luck, not the success of winning a race
    b = analyze("My sister recovered. Mary is back! We are suddenly delivered and freed. It was a true miracle.")
    assert [(e.words[0], e.character) for e in b.good_fortunes] == [
        ("recovered", "1FTA"),
        ("is back", "1FKA"),
        ("delivered", "D"),
        ("miracle", "D"),
    ]
    assert [e.words[0] for e in analyze("I won the race.").successes] == ["won"]


def test_no_good_fortune_denied_hoped_for_or_only_a_return_home() -> None:
    quiet = [
        "He didn't survive the crash. If she recovered we would celebrate.",
        "He is back at work. She has come back from the store.",
        "I found that I had lost my wallet with all my money. The mail is delivered at noon.",
        "The cards had been delivered to our house.",
    ]
    for text in quiet:
        assert analyze(text).good_fortunes == [], text


def test_losing_taking_the_wrong_bus_being_caught_and_illness_are_misfortunes() -> None:
    a = analyze("I lose a valuable card. We take the wrong bus. His hook gets caught. Frank has asthma.")
    assert [(m.words[0], m.character) for m in a.misfortunes] == [
        ("lose", "D"),
        ("wrong bus", "D"),
        ("gets caught", "1MUA"),  # "his": a man the report has not named
        ("asthma", "1MKA"),
    ]
    assert [m.bodily for m in a.misfortunes] == [False, False, False, True]
    assert [m.words[0] for m in analyze("The boy almost drowns.").misfortunes] == ["drowns"]


def test_mishaps_of_things_and_effort_are_misfortunes() -> None:
    a = analyze("The cash register starts malfunctioning. The raft was leaking. I had trouble closing the door.")
    assert [m.words[0] for m in a.misfortunes] == ["malfunctioning", "leaking", "had trouble"]


def test_words_of_misfortune_used_for_something_else_are_none() -> None:
    for text in (
        "I ran out of the room.",  # running, not running out of gas
        "He brought her something, but I forgot what it was.",  # the dreamer's memory of the dream
        "I have forgotten a lot of the dream.",
        "I was hurt that he didn't ask my name.",  # hurt feelings
        "Mean men are out to hurt me.",  # an intent
        "I started crying because I had missed them all so much.",  # longing
        "I am torn between him and Don.",
        "I was paralyzed with fear.",
        "I see Marissa Camden (died '91) coming toward me.",  # when, in waking life
        "We looked for the murderer or the dead body.",  # a sight, not a death in the dream
        "Someone broke into our house. I broke up with him.",  # a burglary is an aggression
        "The maid was pulling a bag full of stolen things.",  # HVdC codes theft as aggression
        "I danced until I fell exhausted.",
    ):
        assert analyze(text).misfortunes == [], text
    # the same words in their plain sense still are
    b = analyze("We ran out of gas. I forgot my wallet. He was hurt in the crash.")
    assert [m.words[0] for m in b.misfortunes] == ["ran out of", "forgot", "hurt", "crash"]
