"""Emotions in the five HVdC classes: lexicon candidates, then a learned logistic layer per class.

1. Every lexicon form (``lexicons.EMOTION_LEXICON``) found in the text is a candidate hit, with its
   context: negated? who is the experiencer (the dreamer for first-person clauses, another character for
   third-person ones)? after the dreamer woke up? in a quotation? after a feeling verb or a copula?
2. Per class, a logistic regression over counts of those hits (per lexicon group and per context) and
   the fine-tuned encoder's probability for the sentences that carry them (``analysis/emotion_encoder.py``)
   gives the probability that the report states that emotion; it was trained by
   ``dream_mosaic.analysis.training.train_emotions`` on human HVdC codes (see docs/analysis.md).
3. Each class above its threshold becomes one :class:`Emotion` per experiencer, with the words and
   their character offsets.

Without a trained model file the component falls back to the bare rules (any valid hit counts).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..lexicons import (
    COPULAS,
    DETERMINERS,
    EMOTION_ROWS,
    FEEL_WORDS,
    FIRST_PERSON,
    INTENSIFIERS,
    NEGATORS,
    THIRD_PERSON,
    WAKING_WORDS,
)
from ..lexicons import words as word_list
from ..pipeline import DreamDoc, register_component
from ..schemas import EMOTION_CODES, Emotion

VERSION = "1.5"
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "emotions.json"

# Groups that describe things as often as feelings: only counted after a feeling verb or copula.
NEEDS_FEEL = frozenset({"good", "bad", "great", "awful"})
# Forms that, followed by "me"/"him"..., are verbs whose object is the experiencer.
_CLAUSE_BREAKS = frozenset(
    {
        ",",
        ";",
        ":",
        '"',
        "\u201c",
        "\u201d",
        "(",
        ")",
        "but",
        "and",
        "because",
        "when",
        "while",
        "that",
        "so",
        "then",
        "as",
        "who",
        "which",
        "although",
        "though",
        "until",
        "if",
        "or",
    }
)
_BODY = frozenset(
    word_list(
        "knee knees leg legs arm arms foot feet back head hand hands eye eyes stomach tooth teeth neck shoulder "
        "ear ears finger fingers toe toes ankle wrist chest throat body"
    )
)
_QUOTES = frozenset({'"', "\u201c", "\u201d"})
_SUBJECT_DREAMER = frozenset(FIRST_PERSON - {"me", "us"})
_SUBJECT_OTHER = frozenset(THIRD_PERSON - {"him", "them", "it"})
_OBJECT_DREAMER = frozenset({"me", "us", "myself"})
_OBJECT_OTHER = frozenset({"him", "her", "them", "everyone", "everybody"})


@dataclass(frozen=True, slots=True)
class Hit:
    classes: tuple[str, ...]
    group: str
    first: int  # token index
    last: int  # token index, inclusive
    start: int  # char offsets
    end: int
    words: str
    negated: bool
    experiencer: str  # "D" or "other"
    feel: bool
    copula: bool
    intensified: bool
    determiner: bool
    waking: bool
    quoted: bool
    bracketed: bool
    form: str = ""  # the lexicon form matched, words joined by "_"


def _build_matcher() -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...], str]]]:
    index: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], str]]] = {}
    for classes, group, forms in EMOTION_ROWS:
        for form in forms:
            words = tuple(form.split("_"))
            index.setdefault(words[0], []).append((words, classes, group))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))  # longest phrase first
    return index


_MATCHER = _build_matcher()


def find_emotion_hits(doc: DreamDoc) -> list[Hit]:
    """Every emotion-lexicon phrase in ``doc`` with its context (found once per document: the emotion and
    interaction components both read them, after the characters are known)."""
    cached: list[Hit] | None = doc.scratch.get("emotion_hits")
    if cached is not None:
        return cached
    toks = doc.tokens
    lowers = [t.lower for t in toks]
    n = len(toks)
    waking_from = _waking_sentence(doc)
    mention_at: dict[int, str] = doc.scratch.get("mention_codes", {})
    hits: list[Hit] = []
    i = 0
    while i < n:
        entries = _MATCHER.get(lowers[i])
        if not entries:
            i += 1
            continue
        matched = None
        for words, classes, group in entries:
            if tuple(lowers[i : i + len(words)]) == words:
                matched = (words, classes, group)
                break
        if matched is None:
            i += 1
            continue
        words, classes, group = matched
        last = i + len(words) - 1
        if _skip(lowers, toks, i, group):
            i = last + 1
            continue
        s_first = doc.sentences[toks[i].sent].first_token
        prev = lowers[max(s_first, i - 4) : i]
        negated = any(w in NEGATORS for w in prev[-3:]) and group not in {"not_know", "not_understand", "cant_believe"}
        feel = any(w in FEEL_WORDS for w in prev)
        copula = any(w in COPULAS for w in prev)
        if group in NEEDS_FEEL and not (feel or copula):
            i = last + 1
            continue
        nxt = lowers[i + 1] if i + 1 < n else ""
        after_article = bool(prev) and prev[-1] in {"a", "the"}
        if group in NEEDS_FEEL and (nxt in {"at", "for", "time", "idea", "deal"} or after_article):
            i = last + 1  # "good at", "a great amount"
            continue
        quoted = sum(1 for w in lowers[s_first:i] if w in _QUOTES) % 2 == 1
        bracketed = _inside_brackets(lowers, s_first, i)
        hits.append(
            Hit(
                classes=classes,
                group=group,
                first=i,
                last=last,
                start=toks[i].start,
                end=toks[last].end,
                words=doc.text[toks[i].start : toks[last].end],
                negated=negated,
                experiencer=_experiencer(lowers, toks, doc, i, last, mention_at),
                feel=feel,
                copula=copula,
                intensified=bool(prev) and prev[-1] in INTENSIFIERS,
                determiner=bool(prev) and prev[-1] in DETERMINERS,
                waking=waking_from is not None and toks[i].sent >= waking_from,
                quoted=quoted,
                bracketed=bracketed,
                form="_".join(words),
            )
        )
        i = last + 1
    doc.scratch["emotion_hits"] = hits
    return hits


def _skip(lowers: list[str], toks: list[Any], i: int, group: str) -> bool:
    w = lowers[i]
    prev = lowers[i - 1] if i > 0 else ""
    nxt = lowers[i + 1] if i + 1 < len(lowers) else ""
    if group == "love" and prev in {"make", "made", "making", "makes", "in"}:
        return True
    if group == "miss" and toks[i].text == "Miss":
        return True
    if group == "content" and prev in DETERMINERS:  # "the content of"
        return True
    if w == "mad" and nxt in {"scientist", "man", "woman", "dog", "house", "rush", "dash"}:
        return True
    if w in {"kind", "sort"} and nxt == "of":
        return True
    if prev == "-" and group != "heartbroken":  # "trigger-happy", "fear-inspiring"
        return True
    if w == "anxious" and nxt == "to":  # "anxious to meet her": eager, not apprehensive
        return True
    if w == "surprise" and prev in {"a", "by"}:  # "a surprise party", "caught him by surprise"
        return True
    if group == "hurt" and any(b in _BODY for b in lowers[max(0, i - 4) : i]):
        return True  # "my knees have been hurting"
    if group == "hurt" and (
        nxt in {"me", "him", "her", "them", "us", "myself", "himself", "herself", "my", "his", "badly", "in"}
        or prev in {"badly", "seriously", "got", "get", "gets", "getting", "might", "will", "would", "to"}
    ):
        return True  # physical harm, not hurt feelings
    return w == "lost" and nxt in {"my", "his", "her", "the", "a", "our", "their", "it", "them"}


def _inside_brackets(lowers: list[str], s_first: int, i: int) -> bool:
    depth = 0
    for w in lowers[s_first:i]:
        if w in {"(", "["}:
            depth += 1
        elif w in {")", "]"}:
            depth = max(0, depth - 1)
    return depth > 0


def _waking_sentence(doc: DreamDoc) -> int | None:
    for t in doc.tokens:
        if t.lower in WAKING_WORDS:
            return t.sent
    return None


def _experiencer(
    lowers: list[str], toks: list[Any], doc: DreamDoc, first: int, last: int, mention_at: dict[int, str]
) -> str:
    # "X scared me", "it surprised him": the object after a verb form is the experiencer.
    nxt = lowers[last + 1] if last + 1 < len(lowers) else ""
    if lowers[first].endswith(("ed", "ing", "s")) or lowers[first] in {"hurt", "upset", "scare", "shock"}:
        if nxt in _OBJECT_DREAMER:
            return "D"
        if nxt in _OBJECT_OTHER:
            return "other"
    s_first = doc.sentences[toks[first].sent].first_token
    j = first - 1
    while j >= s_first and first - j <= 10:
        w = lowers[j]
        if w in _SUBJECT_DREAMER:
            return "D"
        if w in _SUBJECT_OTHER or j in mention_at:
            return mention_at.get(j, "other")
        if w in _CLAUSE_BREAKS:
            break
        j -= 1
    return "D"


# --- features and the learned layer -------------------------------------------------------------------

_CONTEXT_FEATURES = (
    "dreamer",
    "other",
    "feel",
    "copula",
    "intens",
    "det",
    "quote",
    "waking",
    "bracket",
    "strong",
    "single",
)
# Per-form features ("f:cried") let the layer learn how often coders code each word, on top of its group.
# Their values are scaled down, which strengthens their L2 penalty (by 1 / FORM_SCALE**2): a form's own
# weight departs from its group's only when the codes say so often enough.
FORM_SCALE = 0.3
# The fine-tuned encoder's probability for the class, one more column of every class's layer.
ENCODER_FEATURE = "encoder"


def hit_sentences(doc: DreamDoc, hits: list[Hit]) -> list[str]:
    """The sentences that carry a hit, in order."""
    return [doc.sentence_text(s) for s in sorted({doc.tokens[h.first].sent for h in hits})]


def hit_text(doc: DreamDoc, hits: list[Hit]) -> str:
    """The sentences that carry a hit, in order, joined by spaces: what the fine-tuned encoder reads.

    Only these sentences, not the whole report: they are where the coders' decision is made, and they keep
    the encoder's input short (median 18 words on the coded reports) so it runs at pipeline speed."""
    return " ".join(hit_sentences(doc, hits))


def class_feature_names(code: str) -> list[str]:
    groups = sorted({g for classes, g, _ in EMOTION_ROWS if code in classes})
    forms = sorted({f for classes, _, fs in EMOTION_ROWS if code in classes for f in fs})
    return (
        ["valid", "negated", "all_valid"]
        + [f"ctx:{c}" for c in _CONTEXT_FEATURES]
        + [f"g:{g}" for g in groups]
        + [f"f:{f}" for f in forms]
        + [ENCODER_FEATURE]
    )


FEATURE_NAMES: dict[str, list[str]] = {c: class_feature_names(c) for c in EMOTION_CODES}


def hit_features(
    hits: list[Hit], n_tokens: int = 0, encoder: Sequence[float] | None = None
) -> dict[str, dict[str, float]]:
    """Per class, feature name -> log1p(count) (times ``FORM_SCALE`` for per-form features), and the
    encoder's probability for the class (``encoder``, in ``EMOTION_CODES`` order; 0 without hits)."""
    # Report length is deliberately not a feature: it would make short reports (many real ones are a few
    # lines) less likely to get an emotion they state plainly.
    counts: dict[str, dict[str, float]] = {c: {} for c in EMOTION_CODES}
    n_valid = sum(1 for h in hits if not h.negated)
    for c in EMOTION_CODES:
        counts[c]["all_valid"] = n_valid
    for h in hits:
        # A stated feeling: after a feeling verb or copula, not "a scary movie", not quoted, not after waking.
        strong = (h.feel or h.copula) and not h.determiner and not (h.quoted or h.waking or h.bracketed)
        for c in h.classes:
            f = counts[c]
            if h.negated:
                f["negated"] = f.get("negated", 0) + 1
                continue
            f["valid"] = f.get("valid", 0) + 1
            f["g:" + h.group] = f.get("g:" + h.group, 0) + 1
            if h.form:
                f["f:" + h.form] = f.get("f:" + h.form, 0) + 1
            for flag, name in (
                (h.experiencer == "D", "dreamer"),
                (h.experiencer != "D", "other"),
                (h.feel, "feel"),
                (h.copula, "copula"),
                (h.intensified, "intens"),
                (h.determiner, "det"),
                (h.quoted, "quote"),
                (h.waking, "waking"),
                (h.bracketed, "bracket"),
                (strong, "strong"),
                (len(h.classes) == 1, "single"),  # the group is a candidate for this class only
            ):
                if flag:
                    f["ctx:" + name] = f.get("ctx:" + name, 0) + 1
    feats = {
        c: {k: math.log1p(v) * (FORM_SCALE if k.startswith("f:") else 1.0) for k, v in f.items()}
        for c, f in counts.items()
    }
    if encoder is not None:
        for c, p in zip(EMOTION_CODES, encoder, strict=True):
            feats[c][ENCODER_FEATURE] = float(p)
    return feats


@dataclass
class ClassModel:
    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, feats: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in feats.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass
class EmotionModel:
    classes: dict[str, ClassModel]
    meta: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "classes": {
                c: {"bias": m.bias, "threshold": m.threshold, "weights": m.weights} for c, m in self.classes.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EmotionModel:
        return cls(
            {
                c: ClassModel({k: float(v) for k, v in d["weights"].items()}, float(d["bias"]), float(d["threshold"]))
                for c, d in data["classes"].items()
            },
            dict(data.get("meta", {})),
        )


@lru_cache(maxsize=1)
def load_model(path: str = str(MODEL_PATH)) -> EmotionModel | None:
    p = Path(path)
    if not p.exists():
        return None
    return EmotionModel.from_json(json.loads(p.read_text()))


def rule_probability(feats: dict[str, float]) -> float:
    return 0.9 if feats.get("valid", 0.0) > 0 else 0.0


def emotions_from_hits(
    hits: list[Hit], model: EmotionModel | None, n_tokens: int = 0, encoder: Sequence[float] | None = None
) -> list[Emotion]:
    feats = hit_features(hits, n_tokens, encoder)
    out: list[Emotion] = []
    for code in EMOTION_CODES:
        if model is not None and code in model.classes:
            cm = model.classes[code]
            p = cm.probability(feats[code])
            present = p >= cm.threshold
        else:
            p = rule_probability(feats[code])
            present = p >= 0.5
        if not present:
            continue
        valid = [h for h in hits if code in h.classes and not h.negated and not h.waking and not h.bracketed]
        by_char: dict[str, list[Hit]] = {}
        for h in valid or [h for h in hits if code in h.classes]:
            by_char.setdefault(h.experiencer, []).append(h)
        for char, hs in by_char.items():
            out.append(
                Emotion(
                    code=code,  # type: ignore[arg-type]
                    character=char,
                    spans=[(h.start, h.end) for h in hs],
                    words=[h.words for h in hs],
                    confidence=round(p, 4),
                )
            )
    return out


def uses_encoder(model: EmotionModel | None) -> bool:
    return model is not None and any(ENCODER_FEATURE in m.weights for m in model.classes.values())


@register_component("emotions", version=VERSION, requires=("characters",))
def make_emotions() -> Any:
    model = load_model()
    encoder = None
    if uses_encoder(model):
        from ..emotion_encoder import ENCODER_PATH, shipped_encoder

        encoder = shipped_encoder()
        if encoder is None:
            # The layer's weights assume the encoder's column: scoring without it would quietly shift
            # every threshold, so refuse rather than code emotions wrongly.
            raise RuntimeError(f"the emotion layer needs its encoder, {ENCODER_PATH.name}, which is missing")

    def emotions(doc: DreamDoc) -> None:
        hits = find_emotion_hits(doc)
        doc.scratch["emotion_hits"] = hits
        probs = None
        if encoder is not None and hits:
            probs = encoder.probabilities([hit_text(doc, hits)])[0].tolist()
        elif encoder is not None:
            probs = [0.0] * len(EMOTION_CODES)  # no hit, no sentence to read: as in training
        doc.analysis.emotions = emotions_from_hits(hits, model, len(doc.tokens), probs)

    return emotions
