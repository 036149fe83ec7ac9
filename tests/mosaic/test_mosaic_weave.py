"""Composition without a database: grouping, arc, quotations, review, striking, drawings, narration parsing."""

from __future__ import annotations

import json
import re

from dream_mosaic.mosaic.narrator import parse
from dream_mosaic.mosaic.render import render
from dream_mosaic.mosaic.render.svg import emotion_river, motif_map
from dream_mosaic.mosaic.rules import mend, present_draft
from dream_mosaic.mosaic.schemas import Attribution, EmotionMark, Fragment, FragmentAnalysis, Passage
from dream_mosaic.mosaic.weave import arrange, compose, phase_of, quote_around

FEAR = "I was terrified when the dark water rose around the house. The stairs were gone."
ANGER = "I was furious at the locked station. The water in the fountain was red."
CALM = "I felt happy and calm. We swam in warm water under the moon."
LONELY = "A plain grey room with a chair."


def frag(i: str, text: str, codes: list[str], motifs: list[str], valence: float = 0.0,
         name: str | None = None) -> Fragment:
    emotions = [EmotionMark(code=c, spans=[(text.find(" "), text.find(" ") + 3)]) for c in codes]
    return Fragment(dream_id=i, text=text, title=f"title {i}",
                    attribution=Attribution(attribution="alias" if name else "anonymous", name=name),
                    analysis=FragmentAnalysis(emotions=emotions, valence=valence, motifs=motifs))


def sample() -> list[Fragment]:
    return [
        frag("calm", CALM, ["HA"], ["water"], 0.7, "dreamer-a"),
        frag("lonely", LONELY, [], ["house"], 0.0),
        frag("fear", FEAR, ["AP"], ["water", "house"], -0.6, "dreamer-b"),
        frag("anger", ANGER, ["AN"], ["water"], -0.5, "dreamer-c"),
    ]


def test_arc_runs_from_fear_to_ease_and_groups_shared_motifs():
    doc = compose(sample(), title="t", circle_name="Circle")
    assert [f.dream_id for f in doc.fragments] == ["fear", "anger", "lonely", "calm"]
    assert [p.key for p in doc.phases] == ["fear", "anger", "still", "ease"]
    water = next(m for m in doc.motifs if m.motif == "water")
    assert water.count == 3 and water.shared and set(water.dream_ids) == {"fear", "anger", "calm"}
    assert next(m for m in doc.motifs if m.motif == "house").count == 2
    assert [s.emotions["AP"] for s in doc.arc] == [1, 0, 0, 0]
    assert doc.resonance[0].dream_id == "fear"  # shares both motifs


def test_phase_prefers_the_dreamer_and_breaks_ties_by_valence():
    mixed = FragmentAnalysis(emotions=[EmotionMark(code="AP"), EmotionMark(code="HA")], valence=0.4)
    assert phase_of(mixed) == "ease"
    assert phase_of(mixed.model_copy(update={"valence": -0.4})) == "fear"
    other = FragmentAnalysis(emotions=[EmotionMark(code="AN", character="1MSA"), EmotionMark(code="SD")])
    assert phase_of(other) == "sorrow"
    assert phase_of(FragmentAnalysis()) == "still"


def test_templates_only_quote_and_never_speak_for_a_dreamer():
    fragments = sample()
    doc = compose(fragments, title="t", circle_name="Circle")
    texts = {f.dream_id: f.text for f in fragments}
    quotes = [p for passage in doc.passages for p in passage.parts if p.kind == "quote"]
    assert len(quotes) >= 4
    for q in quotes:
        assert q.text in texts[q.dream_id]
    own_words = " ".join(p.text for passage in doc.passages for p in passage.parts if p.kind == "text")
    for text in texts.values():  # no sentence of any dream appears outside quotation marks
        for sentence in re.split(r"(?<=\.)\s+", text):
            assert sentence not in own_words
    assert not re.search(r"\b(felt|feels|meant|thinks|thought|wanted)\b", own_words)


def test_long_sentences_are_cut_at_words_and_stay_exact():
    text = "Short one. " + " ".join(f"word{i}" for i in range(200)) + ". End."
    quote, before, after = quote_around(text, text.index("word150"), limit=80)
    assert quote in text and len(quote) <= 80 and before and after
    assert not quote.startswith(" ") and "word150" in quote


def test_guide_order_and_leave_outs():
    fragments = sample()
    ordered = arrange(fragments, order=["calm", "nope", "lonely"], excluded=["anger"])
    assert [f.dream_id for f in ordered] == ["calm", "lonely", "fear"]
    pool = compose(fragments, title="t")
    pool = pool.model_copy(update={"narration": [Passage(parts=[], cites=["anger"], generated=True),
                                                 Passage(parts=[], cites=["calm"], generated=True)]})
    shown = present_draft(pool, ["calm"], ["anger"])
    assert "anger" not in {f.dream_id for f in shown.fragments}
    assert [p.cites for p in shown.narration] == [["calm"]]
    assert ANGER not in render(shown, "md").decode()


def test_struck_fragment_leaves_no_trace_in_any_format():
    doc = compose(sample(), title="t", circle_name="Circle").model_copy(update={"status": "published", "version": 1})
    doc = doc.model_copy(update={"narration": [Passage(parts=[], cites=["fear"], generated=True)]})
    mended = mend(doc, {"fear": "withdrawn by its dreamer"})
    assert [f.dream_id for f in mended.fragments] == [f.dream_id for f in doc.fragments]  # places kept
    struck = mended.fragment("fear")
    assert struck is not None and struck.struck and struck.text == "" and struck.title == ""
    assert mended.narration == [] and mended.version == 1
    for fmt in ("html", "md", "json"):
        out = render(mended, fmt).decode()
        for sentence in re.split(r"(?<=\.)\s+", FEAR):
            assert sentence not in out and json.dumps(sentence)[1:-1] not in out
        assert "dreamer-b" not in out and "title fear" not in out
    assert "house" not in {m.motif for m in mended.motifs if m.shared}  # recomposed without it
    assert mend(mended, {"fear": "again"}) is mended  # striking twice changes nothing


def test_stricter_attribution_rewrites_every_mention():
    doc = compose(sample(), title="t")
    mended = mend(doc, relabel={"calm": Attribution(attribution="anonymous")})
    assert mended.fragment("calm").attribution.name is None
    assert "dreamer-a" not in mended.model_dump_json()
    assert mend(doc, relabel={"calm": Attribution(attribution="named", name="Real Name")}) is doc  # never less strict


def test_drawings_escape_what_dreams_say():
    evil = frag("x", "<b>x</b>", ["AP"], ["<script>alert(1)</script>"])
    doc = compose([evil, evil.model_copy(update={"dream_id": "y"})], title="t")
    svg = motif_map(doc)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    html = render(doc, "html").decode()
    assert "<script>alert" not in html and "<b>x</b>" not in html
    river = emotion_river(compose(sample(), title="t"))
    assert river.count("<polygon") == 3  # fear, anger and happiness were found; no empty streams


def test_narration_keeps_only_cited_sentences_without_invented_quotes():
    fragments = sample()[:2]
    answer = ("Water rose and eased [F1]. This sentence has no source. "
              "Someone said \"we swam in warm water\" [F1]. Someone said \"I loved it all\" [F1]. "
              "A house appears [F2][F7]. A quiet room closes the night [F2].")
    passages = parse(answer, fragments)
    assert [(p.parts[0].text, p.cites) for p in passages] == [
        ("Water rose and eased.", ["calm"]),
        ("A quiet room closes the night.", ["lonely"]),
    ]
    assert all(p.generated for p in passages)
    assert parse('Quoted "We swam in warm water" [F1].', fragments)[0].cites == ["calm"]
