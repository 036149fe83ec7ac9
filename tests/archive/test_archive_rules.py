"""Pure rules: periods, highlighting, statistics, pseudonyms, masking, DreamBank dates."""

from datetime import date

import pytest

from dream_mosaic.archive import rules
from dream_mosaic.archive.query import parse
from dream_mosaic.journal.formats import dreambank_date


def test_periods_from_night_or_series_timeframe():
    assert rules.period_of(date(1987, 5, 1), "1960-1997") == (1987, 1980)
    assert rules.period_of(None, "1960-1997") == (None, None)  # spans decades: unknown
    assert rules.period_of(None, "1946-1950") == (None, 1940)
    assert rules.period_of(None, "1996") == (1996, 1990)
    assert rules.period_of(None, "mid-1990s") == (None, 1990)
    assert rules.period_of(None, "1999-") == (None, None)
    assert rules.period_of(None, "?") == (None, None)


def test_dreambank_dates_take_the_series_century():
    assert dreambank_date("(1985-07-12)") == date(1985, 7, 12)
    assert dreambank_date("(07/12/85)", "1960-1997") == date(1985, 7, 12)
    assert dreambank_date("(5/6/12)", "1912-1965") == date(1912, 5, 6)
    assert dreambank_date("(5/6/12)", "2009-2013") == date(2012, 5, 6)
    assert dreambank_date("(12/01/1949)") == date(1949, 12, 1)
    assert dreambank_date("(1977-??-??)") is None
    assert dreambank_date("(3000-01-01)") is None
    assert dreambank_date("(13/45/85)") is None


def test_highlight_spans_and_excerpt():
    text = "My teeth were loose. Falling teeth everywhere, and a toothbrush."
    spans = rules.highlight_spans(text, parse('teeth fall* /lo+se/ "teeth everywhere"').highlight_terms())
    marked = [text[s:e] for s, e in spans]
    assert marked == ["teeth", "loose", "Falling", "teeth everywhere"]
    segments = rules.excerpt(text, spans)
    assert "".join(t for t, _ in segments) == text
    assert [t for t, m in segments if m] == marked
    long = "word " * 300 + "teeth " + "word " * 300
    spans = rules.highlight_spans(long, parse("teeth").highlight_terms())
    shown = rules.excerpt(long, spans)
    assert shown[0] == ("… ", False) and shown[-1] == (" …", False) and ("teeth", True) in shown


def test_two_proportion_test_and_cohens_h():
    result = rules.two_proportion_test(30, 100, 20, 100)
    assert result["h"] == pytest.approx(0.2320, abs=1e-3)
    assert result["z"] == pytest.approx(1.633, abs=1e-3)
    assert result["p_value"] == pytest.approx(0.1025, abs=1e-3)
    assert rules.two_proportion_test(0, 0, 1, 2)["h"] is None
    assert rules.effect_size_words(0.1) == "negligible" and rules.effect_size_words(-0.9) == "large"


def test_pseudonyms_are_stable_within_a_salt_only():
    a, b = b"a" * 32, b"b" * 32
    assert rules.pseudonym(a, "dreamer", "u1") == rules.pseudonym(a, "dreamer", "u1")
    assert rules.pseudonym(a, "dreamer", "u1") != rules.pseudonym(b, "dreamer", "u1")
    assert rules.pseudonym(a, "dreamer", "u1") != rules.pseudonym(a, "dreamer", "u2")
    assert "u1" not in rules.pseudonym(a, "dreamer", "u1")


def test_masking_names_places_and_organisations():
    corpus = ["the teeth went to the store with my friend at the beach", "then we ran home"]
    lower = rules.casing_stats(corpus)
    text = ("Then Howard Smith took me to Santa Cruz. We met Mrs. Jones at Stanford University. "
            "I told Jenny's brother about it. The teeth were fine.")
    masked = rules.mask_entities(text, lower, frozenset({"then", "we", "the", "i"}))
    for name in ("Howard", "Smith", "Santa Cruz", "Jones", "Stanford", "Jenny"):
        assert name not in masked
    assert "[PERSON] took me to [PLACE]" in masked
    assert "[ORG]" in masked and "[PERSON]'s brother" in masked
    assert masked.startswith("Then ") and "The teeth were fine." in masked
