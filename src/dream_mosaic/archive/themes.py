"""Themes: clusters of a selection's dreams with readable labels, stable across re-runs, over time.

1. The selection's readable dreams (a seeded sample of at most ``SAMPLE``) are placed in a vector space:
   the analysis engine's embeddings when most dreams have one, else TF-IDF reduced by truncated SVD.
2. MiniBatchKMeans groups them (``k`` chosen from the size unless given).
3. Each cluster is labelled c-TF-IDF style (BERTopic's class-based TF-IDF): the words frequent in this
   cluster and rare in the others; only words found in several dreams can become keywords.
4. Identity: clusters are matched to the themes stored for this person and selection by centroid cosine
   (embedding space) or keyword-profile cosine (TF-IDF space, whose axes change between runs), greedily
   from the most similar pair, above a threshold. A matched theme keeps its number; a new one gets the next
   number; a theme not found again is retired and its number never reused.
5. Membership (which dreams, how central) is stored; counts over time and fragments are read back through
   the consent gate whenever they are shown, so a withdrawn dream leaves every theme at once. No dream text
   is stored with a theme.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from typing import Any

import numpy as np
from sqlalchemy import delete
from sqlalchemy.orm import Session

from dream_mosaic.archive.models import ArchiveTheme, ArchiveThemeMember
from dream_mosaic.archive.repository import ArchiveRepository
from dream_mosaic.archive.schemas import Fragment, ThemeOut, ThemesOut
from dream_mosaic.archive.service import parse_or_invalid
from dream_mosaic.archive.vectors import VectorIndex
from dream_mosaic.core.errors import Invalid
from dream_mosaic.core.models import User, utcnow

SAMPLE = 4000
MIN_DREAMS = 12
KEYWORDS = 8
MATCH_EMBEDDING = 0.80
MATCH_KEYWORDS = 0.35
# Words that fill dream reports whatever they are about.
DREAM_WORDS = {"dream", "dreamed", "dreamt", "dreaming", "dreams", "remember", "recall", "woke", "wake", "seemed",
               "felt", "thought", "think", "know", "knew", "like", "just", "really", "got", "get", "going", "went",
               "came", "come", "said", "say", "told", "tell", "asked", "looked", "look", "saw", "see", "did", "didn",
               "don", "was", "were", "then", "there", "back", "way", "time", "something", "someone", "some", "one",
               "thing", "things", "around", "little", "big", "lot", "kind", "sort", "also", "still", "could",
               "would", "should", "might", "must", "wanted", "want", "trying", "tried", "try", "started", "began",
               "made", "make", "took", "take", "left", "right", "away", "well", "now", "again", "later", "last",
               "first", "next", "very", "much", "many", "other", "another", "person", "people", "man", "woman",
               "guy", "girl", "anything", "everything", "nothing", "place", "put", "gave", "give", "being", "maybe",
               "says", "asks", "tells", "comes", "goes", "gets", "looks", "sees", "wants", "feel", "feels",
               "good", "okay", "yes", "yeah", "start", "starts", "walk", "walks", "turn", "turns"}


def _vectors(session: Session, ids: list[str], bodies: list[str]) -> tuple[np.ndarray, str]:
    index = VectorIndex.for_session(session)
    index.sync(session, force=True)
    have = [index.vector_of(i) for i in ids]
    if len(index) and sum(v is not None for v in have) >= 0.8 * len(ids):
        dim = next(v for v in have if v is not None).shape[0]
        matrix = np.vstack([v if v is not None else np.zeros(dim, dtype=np.float32) for v in have])
        return matrix, f"embedding:{index.model}"
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.5, max_features=20000, sublinear_tf=True)
    sparse = tfidf.fit_transform(bodies)
    dims = max(2, min(100, sparse.shape[1] - 1, len(ids) - 1))
    reduced = TruncatedSVD(dims, random_state=0).fit_transform(sparse)
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    return (reduced / np.where(norms == 0, 1, norms)).astype(np.float32), "tfidf"


def c_tf_idf(bodies: list[str], labels: np.ndarray, k: int) -> list[dict[str, float]]:
    """Per cluster, the weight of each word: tf within the cluster x log(1 + A / f(word)), where A is the
    average number of words per cluster and f the word's frequency over all clusters."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    stop = sorted(set(ENGLISH_STOP_WORDS) | DREAM_WORDS)
    counter = CountVectorizer(stop_words=stop, min_df=max(3, len(bodies) // 500), token_pattern=r"(?u)\b[^\W\d_]{3,}\b")
    try:
        counts = counter.fit_transform(bodies)
    except ValueError:  # no word is frequent enough
        return [{} for _ in range(k)]
    vocab = np.array(counter.get_feature_names_out())
    per_class = np.vstack([np.asarray(counts[labels == c].sum(axis=0)).ravel() for c in range(k)]).astype(float)
    words_per_class = per_class.sum(axis=1, keepdims=True)
    tf = per_class / np.where(words_per_class == 0, 1, words_per_class)
    freq = per_class.sum(axis=0)
    avg = per_class.sum() / max(k, 1)
    idf = np.log(1 + avg / np.where(freq == 0, 1, freq))
    weights = tf * idf
    out = []
    for c in range(k):
        top = np.argsort(-weights[c])[:40]
        out.append({str(vocab[i]): float(weights[c, i]) for i in top if weights[c, i] > 0})
    return out


def _cosine_dicts(a: dict[str, float], b: dict[str, Any]) -> float:
    common = set(a) & set(b)
    num = sum(a[w] * float(b[w]) for w in common)
    den = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(float(v) ** 2 for v in b.values()))
    return 0.0 if den == 0 else num / den


def match_themes(new: list[tuple[np.ndarray, dict[str, float]]], old: list[ArchiveTheme], space: str
                 ) -> dict[int, ArchiveTheme]:
    """Pair new clusters with stored themes: most similar pairs first, each used once, above a threshold."""
    pairs: list[tuple[float, int, int]] = []
    for i, (centroid, weights) in enumerate(new):
        for j, theme in enumerate(old):
            if theme.space == space and space != "tfidf" and theme.centroid is not None:
                stored = np.frombuffer(theme.centroid, dtype="<f4")
                if stored.shape != centroid.shape:
                    continue
                sim, threshold = float(stored @ centroid), MATCH_EMBEDDING
            else:
                sim, threshold = _cosine_dicts(weights, theme.keyword_weights or {}), MATCH_KEYWORDS
            if sim >= threshold:
                pairs.append((sim, i, j))
    pairs.sort(reverse=True)
    taken_new: set[int] = set()
    taken_old: set[int] = set()
    out: dict[int, ArchiveTheme] = {}
    for _sim, i, j in pairs:
        if i in taken_new or j in taken_old:
            continue
        taken_new.add(i)
        taken_old.add(j)
        out[i] = old[j]
    return out


def discover(session: Session, viewer: User, query_text: str, k: int | None = None, *, seed: int = 0) -> ThemesOut:
    query = parse_or_invalid(query_text)
    scope = query.canonical()
    repo = ArchiveRepository(session)
    ids = repo.ids(viewer, query.root)
    if len(ids) < MIN_DREAMS:
        raise Invalid(f"Themes need at least {MIN_DREAMS} dreams; this selection has {len(ids)}.", field="q")
    chosen = sorted(random.Random(seed).sample(ids, SAMPLE)) if len(ids) > SAMPLE else ids
    docs = repo.bodies(chosen)
    ids = [d[0] for d in docs]
    bodies = [d[2] for d in docs]
    vectors, space = _vectors(session, ids, bodies)
    k = k or max(3, min(12, round(math.sqrt(len(ids) / 25))))
    k = min(k, len(ids) // 3)
    from sklearn.cluster import MiniBatchKMeans

    model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=1024)
    labels = model.fit_predict(vectors)
    weights = c_tf_idf(bodies, labels, k)
    centroids = []
    for c in range(k):
        members = vectors[labels == c]
        centre = members.mean(axis=0) if len(members) else np.zeros(vectors.shape[1], dtype=np.float32)
        norm = float(np.linalg.norm(centre))
        centroids.append((centre / norm if norm else centre).astype(np.float32))
    old = [t for t in repo.themes(viewer, scope)]
    matched = match_themes(list(zip(centroids, weights, strict=True)), old, space)
    next_number = max((t.number for t in old), default=0) + 1
    now = utcnow()
    themes: list[ArchiveTheme] = []
    new_numbers: set[int] = set()
    for c in range(k):
        keywords = list(weights[c])[:KEYWORDS]
        label = " · ".join(keywords[:3]) or f"theme {c + 1}"
        theme = matched.get(c)
        if theme is None:
            theme = ArchiveTheme(owner_id=viewer.id, scope=scope, number=next_number, runs=0, created_at=now)
            new_numbers.add(next_number)
            next_number += 1
            session.add(theme)
        theme.label, theme.keywords, theme.keyword_weights = label, keywords, dict(list(weights[c].items())[:40])
        theme.centroid, theme.space = centroids[c].tobytes(), space
        theme.active, theme.runs, theme.updated_at = True, (theme.runs or 0) + 1, now
        themes.append(theme)
    for theme in old:
        if theme not in themes:
            theme.active = False
    session.flush()
    theme_ids = [t.id for t in old] + [t.id for t in themes if t not in old]
    session.execute(delete(ArchiveThemeMember).where(ArchiveThemeMember.theme_id.in_(theme_ids)))
    doc_ids = {d[0]: d[1] for d in docs}
    members = []
    for row, (dream_id, c) in enumerate(zip(ids, labels, strict=True)):
        members.append({"theme_id": themes[int(c)].id, "doc_id": doc_ids[dream_id],
                        "score": float(vectors[row] @ centroids[int(c)])})
    from sqlalchemy import insert

    for start in range(0, len(members), 2000):
        session.execute(insert(ArchiveThemeMember), members[start:start + 2000])
    session.flush()
    out = show(session, viewer, query_text)
    for shown in out.themes:
        shown.new = shown.number in new_numbers
    out.notes.insert(0, f"Found {k} themes in {len(ids)} dreams ({space.split(':')[0]} space)"
                     + (f", a random sample of the {len(repo.ids(viewer, query.root))} in the selection." if
                        len(ids) < len(repo.ids(viewer, query.root)) else "."))
    return out


_SENTENCE = re.compile(r"[^.!?]+[.!?]?")


def fragment(text: str, keywords: list[str], width: int = 220) -> str:
    """The sentence of ``text`` that holds most of the theme's keywords, trimmed."""
    best, best_score = text[:width], (-1, 0)
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0).strip(" \"“”'\n\t")
        words = set(re.findall(r"[^\W\d_]+", sentence.lower()))
        score = (sum(1 for k in keywords if k in words), min(len(sentence), 160))
        if score > best_score and len(sentence) > 30:
            best, best_score = sentence, score
    return best if len(best) <= width else best[:width].rsplit(" ", 1)[0] + " …"


def show(session: Session, viewer: User, query_text: str) -> ThemesOut:
    """The active themes stored for this selection, with sizes, decades and fragments read now through the
    consent gate."""
    query = parse_or_invalid(query_text)
    repo = ArchiveRepository(session)
    themes = [t for t in repo.themes(viewer, query.canonical()) if t.active]
    members = repo.theme_members(viewer, [t.id for t in themes])
    by_theme: dict[str, list[tuple[str, float, int | None]]] = {t.id: [] for t in themes}
    for theme_id, dream_id, score, _year, decade in members:
        by_theme[theme_id].append((dream_id, score, decade))
    decades = sorted({str(d) for _, _, _, _, d in members if d is not None})
    best = {t.id: [m[0] for m in sorted(by_theme[t.id], key=lambda m: -m[1])[:3]] for t in themes}
    texts = repo.readable_dreams(viewer, [i for ids in best.values() for i in ids])
    out = []
    for theme in themes:
        rows = by_theme[theme.id]
        over_time = Counter(str(d) for _, _, d in rows if d is not None)
        out.append(ThemeOut(
            number=theme.number, label=theme.label, keywords=list(theme.keywords), size=len(rows),
            fragments=[Fragment(dream_id=i, text=fragment(texts[i].text, list(theme.keywords)))
                       for i in best[theme.id] if i in texts],
            over_time={d: over_time.get(d, 0) for d in decades}, runs=theme.runs,
        ))
    out.sort(key=lambda t: t.number)
    space = themes[0].space if themes else None
    return ThemesOut(query=query.canonical(), space=space, dreams=sum(t.size for t in out), themes=out,
                     decades=decades)


__all__ = ["c_tf_idf", "discover", "fragment", "match_themes", "show"]
