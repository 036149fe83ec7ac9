"""The query language, parsed without a database."""

import pytest

from dream_mosaic.archive.query import And, Filter, Not, Or, Phrase, QueryError, Regex, Word, parse


def test_words_phrases_and_boolean_operators():
    q = parse('teeth "fell out" OR tooth NOT dentist')
    assert isinstance(q.root, Or)
    assert q.root.items[0] == And((Word("teeth"), Phrase(("fell", "out"))))
    assert q.root.items[1] == And((Word("tooth"), Not(Word("dentist"))))
    assert q.canonical() == '(teeth AND "fell out") OR (tooth AND NOT dentist)'
    assert parse("teeth AND -dentist").root == And((Word("teeth"), Not(Word("dentist"))))
    assert parse("(a OR b) c").root == And((Or((Word("a"), Word("b"))), Word("c")))


def test_lower_case_operators_are_words():
    assert parse("fear and loathing").root == And((Word("fear"), Word("and"), Word("loathing")))


def test_wildcards_prefix_and_inner():
    assert parse("teeth*").root == Word("teeth", prefix=True)
    inner = parse("t*th").root
    assert isinstance(inner, Regex) and inner.pattern == r"\bt\w*th\b"
    with pytest.raises(QueryError):
        parse("t*")


def test_regex_is_kept_and_checked():
    q = parse("/teeth? (fell|fall)/")
    assert q.root == Regex("teeth? (fell|fall)", ("teet",))
    for bad in ("/(a+)+/", "/(?=x)y/", "/(a)\\1/", "/[/", "/" + "a" * 201 + "/"):
        with pytest.raises(QueryError):
            parse(bad)


def test_field_filters_are_normalised():
    q = parse("series:norms-f,norms-m sex:female from:1990 to:2000 words:>100 emotion:fear,HA flag:nightmare")
    assert q.root == And((
        Filter("series", "in", ("norms-f", "norms-m")), Filter("sex", "in", ("F",)),
        Filter("year", ">=", (1990,)), Filter("year", "<=", (2000,)), Filter("words", ">=", (101,)),
        Filter("emotion", "in", ("AP", "HA")), Filter("flag", "in", ("nightmare",)),
    ))
    assert parse("date:1990s").root == Filter("decade", "in", (1990,))
    assert parse("date:1990-1999").root == Filter("year", "between", (1990, 1999))
    assert parse("date:1995-06-01").root == Filter("night", "=", ("1995-06-01",))
    assert parse("collection:b").root == Filter("series", "in", ("b",))
    assert parse('circle:"New Moon Circle"').root == Filter("circle", "=", ("New Moon Circle",))
    assert parse("character:animal interaction:aggression").has_text is False


def test_selection_is_the_filter_only_conjuncts():
    q = parse("teeth* series:norms-f sex:F")
    assert q.has_text
    assert str(q.selection) == "series:norms-f AND sex:F"
    mixed = parse("teeth OR series:b")
    assert mixed.selection is None and mixed.has_text
    only = parse("series:b")
    assert not only.has_text and only.selection == only.root
    assert parse("").root is None and parse("").selection is None


@pytest.mark.parametrize("bad", [
    "foo:bar", "words:abc", '"open phrase', "a OR", "(teeth", "teeth)", "sex:x", "emotion:joyous",
    "from:19x0", "NOT", "date:2020-13-45", "\x00",
])
def test_errors_say_what_to_change(bad):
    with pytest.raises(QueryError) as info:
        parse(bad)
    assert len(str(info.value)) > 10


def test_limits():
    with pytest.raises(QueryError):
        parse("a " * 600)
    with pytest.raises(QueryError):
        parse(" ".join(f"w{i}" for i in range(41)))


def test_highlight_terms_skip_negated_ones():
    q = parse('teeth -dentist "fell out" /lo+se/')
    kinds = [type(n).__name__ for n in q.highlight_terms()]
    assert kinds == ["Word", "Phrase", "Regex"]
    assert q.words == ("teeth", "fell", "out")
