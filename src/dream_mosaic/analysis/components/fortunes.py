"""Misfortunes, good fortunes, successes and failures (HVdC), from phrase lexicons with the person."""

from __future__ import annotations

from typing import Any

from ..lexicons import words
from ..pipeline import DreamDoc, register_component
from ..schemas import Event
from ._resolve import subject_before

VERSION = "1.7"

# Illnesses named as a character's state ("Frank has asthma"): a bodily misfortune like an injury.
_ILLNESS = " asthma cancer flu fever pneumonia tumor tumour heart_attack polio measles leukemia"
_BODILY = frozenset(
    words(_ILLNESS + """ injured hurt wounded bleeding bled sick ill died dead dying broke_my broken_leg
    broken_arm cut_my burned burnt drowned drowning fainted fell_down paralyzed pain bleed bit_by stung""")
)
_MISFORTUNE = frozenset(
    words("""lost accident crashed crash fell falling stuck trapped late missed broken broke ruined fire flood
    injured hurt wounded bleeding bled sick ill died dead dying burned burnt drowned
    drowning fainted paralyzed pain disaster killed dies die slipped tripped collapsed exploded explosion
    earthquake storm tornado hurricane wreck wrecked crashing sinking sank sinks burning flooded flooding
    dropped spilled tore torn ripped broke_down flat_tire ran_out_of too_late forgot forgotten missing
    disappeared unlucky bad_luck fell_out falls danger dangerous bleed bit_by stung
    spills spilling spill ruins ruining breaks breaking crashes drops dropping forgets forgetting disappears
    disappearing collapses collapsing explodes exploding burns hurts hurting twisted twist twists twisting
    went_wrong goes_wrong go_wrong going_wrong gone_wrong zapped plague lose loses drowns almost_fall nearly_fall
    almost_falls nearly_falls gets_caught got_caught get_caught was_caught were_caught is_caught are_caught
    wrong_bus wrong_train wrong_way wrong_direction wrong_street wrong_turn wrong_road wrong_exit wrong_stop
    wrong_floor wrong_room wrong_house wrong_car wrong_plane wrong_place
    malfunction malfunctions malfunctioning malfunctioned leak leaks leaking leaked hole_in interrupted
    had_trouble having_trouble has_trouble had_difficulty having_difficulty has_difficulty with_difficulty"""
    + _ILLNESS)
)
# Good fortune is what befalls a character through no effort of theirs: a windfall, a recovery, a return
# from death, a rescue. Coders code it rarely (one report in 17) and mostly in these few shapes.
_GOOD_FORTUNE = frozenset(
    words("""lucky luckily fortunately inherited found_money won_the_lottery windfall miracle miraculously
    regained recovered healed cured survived made_it_alive came_out_ok came_out_okay came_out_alright
    came_out_all_right came_out_o_._k came_to_life come_to_life comes_to_life coming_to_life returned_to_life
    came_back_to_life comes_back_to_life brought_back_to_life alive_again is_back has_come_back""")
)
# Only at the end of a clause: "Mary is back!", "she has come back." (a return from death or absence), not
# "he is back at work" or "has come back from the store".
_RETURN = frozenset(words("is_back has_come_back"))
_RETURN_AFTER = frozenset(words(". ! , ; and"))
# "won money", "won a million dollars": a windfall, not the success of winning a race.
_MONEY = frozenset(words("money dollars dollar cash prize prizes lottery jackpot fortune $"))
# Things whose finding is a windfall ("find two bags with some jewelry and other treasures").
_TREASURE = frozenset(words("money treasure treasures jewelry jewels gold diamond diamonds coins cash"))
_FIND = frozenset(words("found find finds discovered discover discovers"))
# "we are suddenly delivered and freed", "I was rescued": a person saved by someone or something else.
_DELIVERED = frozenset(words("rescued saved freed released delivered"))
_BE_NOW = frozenset(words("am is are was were get gets got"))
_PERSON = frozenset(words("i we he she they you"))
_SUCCESS = frozenset(
    words("""succeeded succeed managed_to finally_got finally_made finally_found won win passed_the solved
    accomplished achieved made_it escaped was_able_to were_able_to finally_reached reached_the finished_the
    finally_finished finally_find finally_get escape escapes escaping manage manages managing managed succeeds
    succeeding""")
)
_FAILURE = frozenset(
    words("""failed fail failing gave_up flunked flunk flunking lost_the unsuccessfully unsuccessful""")
)
_TABLE: list[tuple[frozenset[str], str]] = [
    (_SUCCESS, "success"),
    (_FAILURE, "failure"),
    (_GOOD_FORTUNE, "good_fortune"),
    (_MISFORTUNE, "misfortune"),
]


_INDEX: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
for _lex, _kind in _TABLE:
    for _phrase in _lex:
        _words = tuple(_phrase.split("_"))
        _INDEX.setdefault(_words[0], []).append((_words, _kind, _phrase))
for _v in _INDEX.values():
    _v.sort(key=lambda e: -len(e[0]))


_NEGATION = frozenset(
    words("""not never no nobody none didn't don't doesn't wasn't weren't isn't aren't won't wouldn't hadn't
    haven't hasn't nothing neither nor without""")
)
# Markers of a misfortune that does not happen in the dream: feared, wished, planned, supposed.
_IRREALIS = frozenset(
    words("""if would might may will 'll lest afraid fear feared hope hoped hoping want wanted wants wish
    wished intend intends intended supposed could should whether unless""")
)
_CLAUSE_END = frozenset(words(". ! ? ; : , \" ( ) but and because when while then so"))
_BE = frozenset(words("am is are was were be been being 's 're 'm get got gets getting"))
# After "forgot"/"forgotten", the dreamer's memory of the dream ("I forgot what it was"), not a lapse in it
_RECALLING = frozenset(words("what who where how why whether which now much most"))
# A word after the form that makes it no misfortune: "dead end", "fell asleep", "fire escape", "late at night".
_NOT_AFTER = {
    # "the dead body", "three dead people": the dead seen as a sight, not a death that happens (coders 0:6)
    "dead": frozenset(words("end ends tired drunk serious silence center centre body bodies people women men firemen")),
    "torn": frozenset(words("between")),  # "I am torn between him and Don"
    "paralyzed": frozenset(words("with")),  # "paralyzed with fear": a feeling
    "sick": frozenset(words("with")),  # "sick with emotions"
    "hurt": frozenset(words("that")),  # "I was hurt that he didn't ask": hurt feelings
    "missed": frozenset(words("them him her you me us")),  # "I had missed them all so much": longing
    # "ran out of the room": running out, not running out of gas
    "ran_out_of": frozenset(words("the a an my his her our their this that")),
    # "I forgot what it was", "forgotten now": the dreamer's memory of the dream, not a lapse in it
    "forgot": _RECALLING,
    "forgotten": _RECALLING,
    "fell": frozenset(words("asleep in back for exhausted")),
    # "broke up with", "broke into the house" (a burglary is an aggression), "broke away from them"
    "broke": frozenset(words("up into in away")),
    "falls": frozenset(words("asleep in")),
    "falling": frozenset(words("asleep in")),
    "fire": frozenset(
        words("""escape escapes engine engines truck trucks department alarm alarms extinguisher equipment
        station place drill hydrant works fighter fighters man men at""")
    ),
    "died": frozenset(words("down")),
    "die": frozenset(words("my your her his their our")),
    "late": frozenset(
        words("at in afternoon evening morning night summer spring autumn fall winter hours 20's 30's 40's 50's")
    ),
    "lost": frozenset(words("in boy girl dream feeling weight")),
}
# A word before the form that makes it no misfortune: "felt hurt" (a feeling), "looked lost", "very late".
_NOT_BEFORE = {
    "hurt": frozenset(words("felt feel feeling feels quite very so deeply")),
    "lost": frozenset(words("felt feel feeling feels looked looks seemed long my his her")),
    "late": frozenset(words("very too quite it's")),
    "breaks": frozenset(words("bathroom coffee lunch")),
    "forgotten": frozenset(words("are")),  # "usually all but one or two are forgotten"
}
_STATE_BE = frozenset(words("is are 's been"))
_BACKSTORY = frozenset(words("since before"))  # "since Mary died", "before she took ill": waking-life past
_DEATH = frozenset(words("die dies dying died"))
_FIRE_VERB_BEFORE = frozenset(words("to would could not i we he she they"))


def _context_ok(lowers: list[str], i: int, phrase: str) -> bool:
    """Is the misfortune at ``i`` one that happens in the dream, in its plain sense?"""
    nxt = lowers[i + len(phrase.split("_"))] if i + len(phrase.split("_")) < len(lowers) else ""
    prev = lowers[i - 1] if i > 0 else ""
    if nxt in _NOT_AFTER.get(phrase, ()) or prev in _NOT_BEFORE.get(phrase, ()):
        return False
    if phrase in _DEATH and nxt and nxt[0] in "'0123456789":
        return False  # "Marissa Camden (died '91)": a note of when, in waking life
    if phrase in ("forgot", "forgotten") and nxt == "a" and i + 2 < len(lowers) and lowers[i + 2] == "lot":
        return False  # "I have forgotten a lot of the dream"
    if phrase == "hurt" and prev == "to":
        return False  # "mean men are out to hurt me": an intent, not an injury
    if phrase == "killed" and prev not in _BE:
        return False  # "he killed the guard": an aggression; "he was killed" is a misfortune
    if phrase == "fire" and prev in _FIRE_VERB_BEFORE:
        return False  # "I could not fire", "I would fire at them": shooting
    if phrase == "dead" and prev in _STATE_BE:
        return False  # "she is dead", "had been dead": a character already dead, not a death in the dream
    for k in _clause_before(lowers, i):
        if lowers[k] in _NEGATION or lowers[k] in _IRREALIS or lowers[k] in _BACKSTORY:
            return False
        if lowers[k] == "to" and k > 0 and lowers[k - 1] == "going" and phrase not in _DEATH:
            return False  # "he was going to hurt me"; but a death foretold ("she is going to die") is coded
    return "ago" not in lowers[i + 1 : i + 5]


def _clause_before(lowers: list[str], i: int, span: int = 4) -> list[int]:
    """The positions of the (at most ``span``) words before ``i`` in its clause, nearest first: where a
    negation, a wish or a fear would stand."""
    out: list[int] = []
    k = i - 1
    while k >= 0 and k >= i - span and lowers[k] not in _CLAUSE_END:
        out.append(k)
        k -= 1
    return out


# Not being able to do something ("I couldn't find my keys", "we were unable to get out") is an obstacle, a
# misfortune (HVdC's first class), in any tense and whatever the verb, unless it is a ban ("she told us we
# couldn't swim") or no act at all ("I can't see her face clearly", "I couldn't believe it").
_CANNOT = {
    ("couldn't",): 1,
    ("could", "not"): 2,
    ("can't",): 1,
    ("cannot",): 1,
    ("can", "not"): 2,
    ("unable", "to"): 2,
    ("wasn't", "able", "to"): 3,
    ("weren't", "able", "to"): 3,
    ("was", "not", "able", "to"): 4,
    ("were", "not", "able", "to"): 4,
}
_CANNOT_FIRST = frozenset(k[0] for k in _CANNOT)
_SKIP = frozenset(words("even quite really still just seem seemed to possibly ever"))
# Seeing, knowing, believing, helping, waiting: not being able to is no obstacle met in the dream.
_NOT_OBSTACLE = frozenset(
    words("""see hear believe wait help care imagine understand tell stand bear say describe explain recall
    remember think figure decide place identify recognize distinguish read be have make trust quite always
    actually anymore i you he she we they it if for all any so as much""")
)
_SAID = frozenset(words("said say says saying told tell tells telling asked"))
# Coders often code a goal missed ("I couldn't find the shoe", "we were unable to rent it") as a failure too.
_GOAL_VERBS = frozenset(words("find get open reach do swim locate"))


def _cannot_at(lowers: list[str], i: int) -> int:
    for seq, length in _CANNOT.items():
        if tuple(lowers[i : i + length]) == seq:
            return length
    return 0


def _goal_missed(first: str, verb: str) -> bool:
    return verb in _GOAL_VERBS or first in {"unable", "wasn't", "weren't", "was", "were"}


def _success_told(lowers: list[str], i: int, negated_too: bool = False) -> bool:
    """Is the success at ``i`` told as done, not only hoped or supposed ("if only I can escape", "if I win")?
    With ``negated_too``, not denied either ("he didn't survive"; the two words before only: "I don't know how
    I made it alive" is told as done)."""
    return not any(
        lowers[k] in _IRREALIS or (negated_too and k >= i - 2 and lowers[k] in _NEGATION)
        for k in _clause_before(lowers, i)
    )


def _within(lowers: list[str], i: int, wanted: frozenset[str], span: int = 8) -> bool:
    """Is one of ``wanted`` among the ``span`` words after ``i``, in the same clause, with nothing lost?"""
    for w in lowers[i + 1 : i + 1 + span]:
        if w in wanted:
            return True
        if w in (".", "!", "?", ";", "lost", "no", "not"):
            return False
    return False


def _delivered_person(lowers: list[str], i: int) -> bool:
    """Is the form at ``i`` a passive whose subject is a person ("we are suddenly delivered")?"""
    k = i - 1
    while k >= 0 and lowers[k] in ("suddenly", "finally", "quickly", "soon", "all"):
        k -= 1
    return k >= 1 and lowers[k] in _BE_NOW and lowers[k - 1] in _PERSON


def _good_fortune_at(lowers: list[str], i: int) -> bool:
    """Is the word at ``i`` a good fortune that the phrase lexicon cannot express (it needs a word further on
    or before)?"""
    w = lowers[i]
    return (
        (w == "won" and _within(lowers, i, _MONEY))
        or (w in _FIND and _within(lowers, i, _TREASURE))
        or (w in _DELIVERED and _delivered_person(lowers, i))
    )


def find_events(doc: DreamDoc) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = {"misfortune": [], "good_fortune": [], "success": [], "failure": []}
    lowers = [t.lower for t in doc.tokens]
    n = len(lowers)
    i = 0
    while i < n:
        if lowers[i] in _CANNOT_FIRST and (length := _cannot_at(lowers, i)):
            j = i + length
            while j < n and lowers[j] in _SKIP:
                j += 1
            verb = lowers[j] if j < n else ""
            s_first = doc.sentences[doc.tokens[i].sent].first_token
            said = any(lowers[k] in _SAID for k in range(s_first, i))  # "she told us we couldn't swim": a ban
            if verb and verb.isalpha() and verb not in _NOT_OBSTACLE and verb not in _NEGATION and not said:
                who = subject_before(doc, i) or "D"
                t0, t1 = doc.tokens[i], doc.tokens[j]
                for kind in ("misfortune", "failure") if _goal_missed(lowers[i], verb) else ("misfortune",):
                    out[kind].append(
                        Event(kind=kind, character=who, span=(t0.start, t1.end), words=[doc.text[t0.start : t1.end]])  # type: ignore[arg-type]
                    )
                i = j + 1
                continue
        if _good_fortune_at(lowers, i) and _success_told(lowers, i, negated_too=True):
            t = doc.tokens[i]
            who = subject_before(doc, i) or "D"
            out["good_fortune"].append(
                Event(kind="good_fortune", character=who, span=(t.start, t.end), words=[doc.text[t.start : t.end]])
            )
            i += 1
            continue
        entries = _INDEX.get(lowers[i])
        hit = None
        for seq, kind, phrase in entries or ():
            if tuple(lowers[i : i + len(seq)]) == seq:
                hit = (seq, kind, phrase)
                break
        if hit is None:
            i += 1
            continue
        seq, kind, phrase = hit
        length = len(seq)
        if kind == "misfortune" and not _context_ok(lowers, i, phrase):
            i += length
            continue
        if kind in ("success", "good_fortune") and not _success_told(lowers, i, kind == "good_fortune"):
            i += length
            continue
        if phrase in _RETURN and (i + length >= n or lowers[i + length] not in _RETURN_AFTER):
            i += length
            continue
        who = subject_before(doc, i) or "D"
        t0, t1 = doc.tokens[i], doc.tokens[i + length - 1]
        out[kind].append(
            Event(
                kind=kind,  # type: ignore[arg-type]
                character=who,
                span=(t0.start, t1.end),
                words=[doc.text[t0.start : t1.end]],
                bodily=kind == "misfortune" and (phrase in _BODILY),
            )
        )
        i += length
    return out


@register_component("fortunes", version=VERSION, requires=("characters",))
def make_fortunes() -> Any:
    def fortunes(doc: DreamDoc) -> None:
        ev = find_events(doc)
        a = doc.analysis
        a.misfortunes, a.good_fortunes = ev["misfortune"], ev["good_fortune"]
        a.successes, a.failures = ev["success"], ev["failure"]

    return fortunes
