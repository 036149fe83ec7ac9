"""Every tense of a lexicon's verbs, from lemminflect's English tables (a development-time check).

The interaction lexicons list each verb in every tense, because many dreamers narrate in the present
("she insults me") and a lexicon written from past-tense reports misses them. They are written out in
full rather than inflected at import time (lemminflect's tables cost about 50 MB per process);
``tests/analysis/test_interactions.py`` uses :func:`verb_forms` to check that no tense is missing.
"""

from __future__ import annotations

from ..lexicons import words

# Forms that a verb's inflection would add but that are mostly other words in dream reports: "in order
# to", "a fire", "looked like", "lying in bed", "huge waves", "my boss", "a trip", "hanging on the wall",
# "the armed forces", "grief-stricken", "fooling around", "I had been meaning to", "a guard came in", "I
# swear I saw it", and the names Sue and Pat; and the odd forms its tables offer for other verbs ("resent"
# as "resend", "arms around" as "arm", "baby-sitting" as a form of "to baby").
_NOT_VERB_FORMS = frozenset(
    words(
        "order fire fires like lie lies lay lain mean means meant waves date dates present book match state "
        "trip trips tripping sue sues suing hang hangs hanging hung boss bosses pat pats fee fees feeing force forces "
        "stricken striking fool fools fooling trick tricks dump dumps felled felling fells mug mugs butcher "
        "butchers meaning resend resends resending re-send re-sends re-sent re-sending arming armed tieing "
        "payed balling balls ball babied babying babies guard guards swear swears sworn"
    )
)


def verb_forms(forms: tuple[str, ...]) -> tuple[str, ...]:
    """``forms`` with every tense of each form's leading verb: "insulted" adds insult, insults, insulting.

    Phrases inflect their first word ("yelled_at" adds "yells_at"); forms that are mostly other words are
    left out (``_NOT_VERB_FORMS``).
    """
    from lemminflect import getAllInflections, getLemma

    out = dict.fromkeys(forms)
    for form in forms:
        head, sep, rest = form.partition("_")
        for lemma in getLemma(head, upos="VERB"):
            for variants in getAllInflections(lemma, upos="VERB").values():
                for v in variants:
                    # the tokenizer splits "baby-sat" at its hyphen: such a form could never match
                    if v not in _NOT_VERB_FORMS and "'" not in v and "-" not in v:
                        out.setdefault(v + sep + rest)
    return tuple(out)
