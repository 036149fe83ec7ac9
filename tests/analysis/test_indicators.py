import math

import pytest

from dream_mosaic.analysis import analyze_many
from dream_mosaic.analysis.indicators import NORMS, ReportCodes, cohens_h, focused, indicator_table, indicators


def test_indicators_from_codes() -> None:
    reports = [
        ReportCodes(
            characters=["1MKA", "1FMA", "1ANI"],
            emotions=["AP", "HA"],
            aggression=[(True, "1MKA", "D")],
            friendliness=[("D", "1FMA")],
            settings=["IF"],
            successes=["D"],
        ),
        ReportCodes(
            characters=["1MSA", "2JSA"],
            emotions=["AN"],
            aggression=[(False, "D", "1MSA")],
            settings=["OU"],
            failures=["D"],
        ),
    ]
    ind = indicators(reports)
    assert ind["male_female_percent"] == pytest.approx(100 * 2 / 3)
    assert ind["familiarity_percent"] == pytest.approx(50.0)  # K, M vs S, S
    assert ind["animal_percent"] == pytest.approx(20.0)
    assert ind["aggression_per_character"] == pytest.approx(2 / 5)
    assert ind["aggressor_percent"] == pytest.approx(50.0)
    assert ind["physical_aggression_percent"] == pytest.approx(50.0)
    assert ind["negative_emotions_percent"] == pytest.approx(100 * 2 / 3)
    assert ind["dreamer_involved_success_percent"] == pytest.approx(50.0)
    assert ind["indoor_setting_percent"] == pytest.approx(50.0)
    assert ind["dreams_with_friendliness_percent"] == pytest.approx(50.0)


def test_a_focus_keeps_only_the_dreamers_relations_with_the_focused_characters() -> None:
    # Ed's series is coded for his late wife alone: a dream with her, a stranger and a friend
    rc = ReportCodes(
        characters=["1FWA", "1MSA", "1MKA"],
        emotions=["AP"],
        aggression=[(True, "1MSA", "D"), (False, "1FWA", "D"), (False, "1FWA", "1MSA"), (False, "1FWA", "")],
        friendliness=[("D", "1FWA"), ("1MKA", "D")],
        sexuality=[("D", "1FWA"), ("D", "")],
        settings=["IF"],
        misfortunes=["1FWA", "D", "1MSA"],
        successes=["D"],
    )
    f = focused(rc, {"1FWA"})
    assert f.characters == ["1FWA"]
    assert f.aggression == [(False, "1FWA", "D"), (False, "1FWA", "")]
    assert f.friendliness == [("D", "1FWA")]
    assert f.sexuality == [("D", "1FWA"), ("D", "")]
    assert f.misfortunes == ["1FWA"] and f.successes == []
    assert f.emotions == ["AP"] and f.settings == ["IF"]  # coded whoever felt them
    assert rc.characters == ["1FWA", "1MSA", "1MKA"]  # the original is left as it was
    ind = indicators([f])
    assert ind["family_percent"] == 100.0 and ind["aggressor_percent"] == 0.0


def test_dreamer_in_a_group_is_involved() -> None:
    """Coders write "D + 1MKA" when the dreamer acts with others: the dreamer is involved all the same."""
    report = ReportCodes(
        characters=["1MKA", "1MSA", "2JSA"],
        aggression=[(False, "D + 1MKA", "1MSA"), (True, "2JSA", "D+1MKA"), (False, "1MSA", "2JSA")],
        friendliness=[("D + 1MKA", "1MSA"), ("1MSA", "D")],
    )
    ind = indicators([report])
    assert ind["dreamer_involved_aggression_percent"] == pytest.approx(100 * 2 / 3)
    assert ind["aggressor_percent"] == pytest.approx(50.0)
    assert ind["befriender_percent"] == pytest.approx(50.0)


def test_cohens_h() -> None:
    assert cohens_h(0.5, 0.5) == 0
    assert cohens_h(0.67, 0.48) == pytest.approx(2 * math.asin(math.sqrt(0.67)) - 2 * math.asin(math.sqrt(0.48)))


def test_table_beside_published_norms(dreams: dict[str, str]) -> None:
    rows = indicator_table(analyze_many(dreams.values()))
    names = [r["indicator"] for r in rows]
    assert names == list(NORMS)
    mf = rows[0]
    assert (mf["male_norm"], mf["female_norm"]) == (67, 48)
    assert mf["value"] is not None and mf["h_vs_male"] is not None
