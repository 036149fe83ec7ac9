"""The archive's on-disk text index (tantivy): counting the matches of a word among a million dreams fast,
without ever counting a dream the viewer may not read.

Why: a count through FTS5 or a GIN index reads every match's row id and joins each to the consent gate;
for a word in 300,000 dreams that is hundreds of milliseconds. tantivy (the Rust search library behind
Quickwit, through its Python binding) counts a word, prefix, phrase or boolean query over compressed
posting lists in a few milliseconds, and intersects them with another term's postings as cheaply.

What it holds, per search document (``archive_docs``): ``doc_id``, the indexed text (tokenised like the
SQLite index: letters and digits, lower case, accents folded, no stemming) and the dream's ``visibility``.
It is persisted under the data directory and brought up to date incrementally.

How a count stays exact and gated (:func:`count`), for a text-only query:

1. ``dirty``: the documents in ``archive_changes`` (written by database triggers on every insert, update
   or delete of a search document and every change of a dream's visibility, in the writer's own
   transaction) are not trusted to the index: they are counted through SQL and ``consent.readable_clause``.
2. Every other document is in the index exactly as it is in the database. Of those, the index counts the
   ``community`` and ``research`` ones (``consent.COMMUNITY``) that match, but only when
   ``consent.reads_community(viewer)``: the gate's own rule that such dreams are readable by that viewer.
   (It counts them as all the matches less those of every other visibility: fewer postings to read.)
3. The viewer's other readable dreams (their own private ones, those shared into their circles) are
   listed through ``consent.readable_clause`` in SQL and counted among by the index.

The three parts are disjoint, so their sum is exactly what the gate lets the viewer count. A withdrawal or
a consent change is in ``archive_changes`` when it commits, so the very next count leaves it out of the
index's part; :func:`catch_up` (after commits, in a background thread of whichever process holds tantivy's
writer lock) applies the logged documents and then deletes exactly the log rows it applied. The order
(index commit, then log delete; and the reader reads the log before reopening the index) means a reader
never sees a log without the index state that replaced it. Several processes on one host share the index;
hosts that do not share the data directory must turn it off (``MOSAIC_ARCHIVE_TEXT_INDEX=0``).

Queries it cannot say (regular expressions, field filters) keep the SQL path, as does every query while
more than ``DIRTY_MAX`` documents wait (a bulk import) or before the index was first built
(``mosaic archive reindex``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import tantivy
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from dream_mosaic.archive.models import ArchiveChange, ArchiveDoc
from dream_mosaic.archive.query import And, Filter, Node, Not, Or, Phrase, Word, is_text_only
from dream_mosaic.archive.repository import SearchState, series_ids
from dream_mosaic.core import consent
from dream_mosaic.core.models import CircleMember, Dream, DreamCircle, User, Visibility

log = logging.getLogger(__name__)
T = TypeVar("T")

DIRTY_MAX = 2000  # more documents waiting than this: count through SQL until caught up
EXTRA_MAX = 200_000  # more private/circle dreams readable than this: count through SQL
REGEX_CANDIDATES_MAX = 20_000  # more documents than this may match a regex's words: let SQL scan
BUILT = "built.json"
_TOKEN = re.compile(r"[^\W_]+")

def enabled() -> bool:
    return os.environ.get("MOSAIC_ARCHIVE_TEXT_INDEX", "1") != "0"


def _analyzer() -> Any:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()).build())


_ANALYZER = _analyzer()


def tokens(value: str) -> list[str]:
    """The index's tokens of a text or a query word, from the very analyser that indexes ``body`` (tantivy's
    simple tokenizer, lower case, ascii folding), so a query's words are the index's words."""
    if value.isascii():  # the same words, five times faster: ASCII letters and digits, lower case
        return _TOKEN.findall(value.lower())
    return list(_ANALYZER.analyze(value))


def pairs(words: Sequence[str]) -> list[str]:
    """Each two neighbouring words as one term (``my_father``). The ``pairs`` field holds them with their
    positions, as Elasticsearch's ``index_phrases`` does: a phrase of common words then reads the postings
    of its rare pairs instead of checking the positions of every dream that has both words. Tokens never
    contain ``_`` (the tokenizer splits on it), so a pair is never confused with a word."""
    return list(map("_".join, itertools.pairwise(words)))


SCHEMA_VERSION = 3
NUMBERS = ("year", "decade", "words")  # archive_docs columns the filters read
KEYWORDS = {"sex": "sex", "lang": "lang"}  # filter -> raw field (dreams.dreamer_sex, dreams.language)


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("doc_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("body", stored=False, tokenizer_name="mosaic", index_option="position")
    builder.add_text_field("pairs", stored=False, tokenizer_name="whitespace", index_option="position")
    for raw in ("vis", "sex", "lang", "coll"):
        builder.add_text_field(raw, stored=False, tokenizer_name="raw")
    for number in NUMBERS:
        builder.add_integer_field(number, stored=False, indexed=True, fast=True)
    return builder.build()


def _columns() -> tuple[Any, ...]:
    return (ArchiveDoc.doc_id, ArchiveDoc.body, Dream.visibility, Dream.dreamer_sex, Dream.language,
            Dream.collection_id, ArchiveDoc.year, ArchiveDoc.decade, ArchiveDoc.words)


def _document(row: Any) -> Any:
    doc_id, body, visibility, sex, lang, coll, year, decade, words = row
    fields: dict[str, Any] = {"doc_id": doc_id, "body": body, "pairs": " ".join(pairs(tokens(body))),
                              "vis": visibility}
    for name, value in (("sex", sex), ("lang", lang), ("coll", coll), ("year", year), ("decade", decade),
                        ("words", words)):
        if value is not None:
            fields[name] = value
    return tantivy.Document(**fields)


def _stamp(file: Path) -> tuple[int, int, int] | None:
    """Whether a file changed, cheaply: a rewrite or a replacement changes its inode, mtime or size."""
    try:
        st = file.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


class TextIndex:
    _instances: dict[str, TextIndex | None] = {}
    _guard = threading.Lock()

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        path.mkdir(parents=True, exist_ok=True)
        if not self._current(path) and any(path.iterdir()):
            for f in path.iterdir():  # an index of an older schema: made again by the next rebuild
                if f.is_file():
                    f.unlink()
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self.index.register_tokenizer("mosaic", _analyzer())
        self.write_lock = threading.Lock()
        self._searcher_lock = threading.Lock()
        self._searcher: Any = None
        self._searcher_stamp: tuple[int, int, int] | None = None
        self._built = False
        self._built_stamp: tuple[int, int, int] | None = None
        self.pending = threading.Event()
        self.worker: threading.Thread | None = None

    # --- where it lives -------------------------------------------------------------------------------

    @classmethod
    def for_engine(cls, engine: Engine) -> TextIndex | None:
        """The index of this database, under the active platform's data directory (None when turned off
        or when the active platform is another database's)."""
        if not enabled():
            return None
        from sqlalchemy import make_url

        from dream_mosaic.core.platform import current

        settings = current().settings
        url = engine.url.render_as_string(hide_password=False)
        if make_url(settings.resolved_database_url).render_as_string(hide_password=False) != url:
            return None
        key = f"{url} {settings.data_dir}"
        with cls._guard:
            if key not in cls._instances:
                name = hashlib.sha256(engine.url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
                cls._instances[key] = cls(Path(settings.data_dir) / "archive-text" / name, engine)
            return cls._instances[key]

    @staticmethod
    def _current(path: Path) -> bool:
        try:
            return int(json.loads((path / BUILT).read_text()).get("schema", 1)) == SCHEMA_VERSION
        except (OSError, ValueError):
            return False

    @property
    def built(self) -> bool:
        # Asked several times per search: re-read the marker only when it changed (a stat, not a parse).
        stamp = _stamp(self.path / BUILT)
        if stamp is None:
            return False
        if stamp != self._built_stamp:
            self._built = self._current(self.path)
            self._built_stamp = stamp
        return self._built

    # --- queries --------------------------------------------------------------------------------------

    def compile(self, node: Node | None, session: Session | None = None) -> Any | None:
        """A tantivy query for words, phrases, their boolean combinations and the filters the index holds
        (sex, series, lang, year, decade, words); None when it cannot say the query (use SQL)."""
        if node is None:
            return tantivy.Query.all_query()
        return self._query(node, session)

    def _filter(self, f: Filter, session: Session | None) -> Any | None:
        Q, Occur = tantivy.Query, tantivy.Occur
        if f.name in KEYWORDS and f.op == "in":
            return Q.term_set_query(self.schema, KEYWORDS[f.name], [str(v) for v in f.value])
        if f.name == "series" and session is not None:
            ids = list(session.scalars(series_ids(f.value)))
            return Q.term_set_query(self.schema, "coll", ids) if ids else Q.empty_query()
        if f.name in NUMBERS:
            def between(lo: Any, hi: Any) -> Any:
                return Q.range_query(self.schema, f.name, tantivy.FieldType.Integer, lo, hi)

            values = [int(v) for v in f.value]
            if f.op == "in":
                return Q.boolean_query([(Occur.Should, between(v, v)) for v in values])
            if f.op == "between":
                return between(values[0], values[1])
            if f.op == ">=":
                return between(values[0], None)
            if f.op == "<=":
                return between(None, values[0])
            if f.op == "=":
                return between(values[0], values[0])
        return None

    def _words(self, parts: Sequence[str]) -> Any:
        """One word, or a phrase through its pairs: two words are one term; more are a phrase of pairs at
        consecutive positions, exactly the documents where the words stand in that order."""
        Q = tantivy.Query
        if len(parts) == 1:
            return Q.term_query(self.schema, "body", parts[0])
        joined = pairs(parts)
        if len(joined) == 1:
            return Q.term_query(self.schema, "pairs", joined[0])
        return Q.phrase_query(self.schema, "pairs", list[Any](joined))

    def _query(self, node: Node, session: Session | None = None) -> Any | None:
        Q, Occur = tantivy.Query, tantivy.Occur
        if isinstance(node, Filter):
            return self._filter(node, session)
        if isinstance(node, Word):
            parts = tokens(node.text)
            if not parts:
                return None
            if node.prefix:
                if len(parts) != 1:
                    return None
                return Q.regex_query(self.schema, "body", re.escape(parts[0]) + ".*")
            return self._words(parts)
        if isinstance(node, Phrase):
            parts = [t for w in node.words for t in tokens(w)]
            if not parts:
                return None
            return self._words(parts)
        if isinstance(node, Not):
            # Only words under NOT: SQL's NOT over a filter leaves out dreams without the value (NULL).
            inner = self._query(node.item) if is_text_only(node.item) else None
            return None if inner is None else Q.boolean_query([(Occur.Must, Q.all_query()), (Occur.MustNot, inner)])
        if isinstance(node, (And, Or)):
            subs: list[tuple[Any, Any]] = []
            for item in node.items:
                if isinstance(node, And) and isinstance(item, Not):
                    inner = self._query(item.item) if is_text_only(item.item) else None
                    occur = Occur.MustNot
                else:
                    inner = self._query(item, session)
                    occur = Occur.Must if isinstance(node, And) else Occur.Should
                if inner is None:
                    return None
                subs.append((occur, inner))
            if all(o == Occur.MustNot for o, _ in subs):
                subs.append((Occur.Must, Q.all_query()))
            return Q.boolean_query(subs)
        return None

    def searcher(self) -> Any:
        """A searcher over the index as last committed by any process. Reopening costs more than many a
        count, so it happens only when ``meta.json`` changed: tantivy replaces that file (a new inode) at
        every commit, and a writer commits before it deletes the log rows it applied, so a caller that
        read the log first never gets a searcher older than that log."""
        stamp = _stamp(self.path / "meta.json")
        with self._searcher_lock:
            if stamp is None or stamp != self._searcher_stamp or self._searcher is None:
                self.index.reload()
                self._searcher = self.index.searcher()
                self._searcher_stamp = stamp
            return self._searcher

    def count_in(self, searcher: Any, query: Any, *, visibility: Sequence[str] | None = None,
                 among: Sequence[int] | None = None, exclude: Sequence[int] = ()) -> int:
        Q, Occur = tantivy.Query, tantivy.Occur
        subs = [(Occur.Must, query)]
        if visibility is not None:
            subs.append((Occur.Must, Q.term_set_query(self.schema, "vis", list(visibility))))
        if among is not None:
            subs.append((Occur.Must, Q.term_set_query(self.schema, "doc_id", list(among))))
        if exclude:
            subs.append((Occur.MustNot, Q.term_set_query(self.schema, "doc_id", list(exclude))))
        return int(searcher.search(Q.boolean_query(subs), limit=1, count=True).count)

    def regex_candidates(self, literals: Sequence[str], any_of: Sequence[str], cap: int) -> list[int] | None:
        """doc_ids that may match a regular expression: each literal's ASCII word chunks (3+ characters)
        occur inside some word of the document (and, for ``any_of``, one alternative's do). A superset of
        the matches (None when no chunk narrows it, or more than ``cap`` documents remain)."""
        Q, Occur = tantivy.Query, tantivy.Occur

        def chunks_query(literal: str) -> Any | None:
            parts = [c for c in _TOKEN.findall(literal.lower()) if len(c) >= 3 and c.isascii()]
            if not parts:
                return None
            subs = [(Occur.Must, Q.regex_query(self.schema, "body", f".*{re.escape(c)}.*")) for c in parts]
            return subs[0][1] if len(subs) == 1 else Q.boolean_query(subs)

        musts = [q for q in (chunks_query(lit) for lit in literals) if q is not None]
        if any_of:
            alternatives = [chunks_query(a) for a in any_of]
            if all(a is not None for a in alternatives):
                musts.append(Q.boolean_query([(Occur.Should, a) for a in alternatives if a is not None]))
        if not musts:
            return None
        query = musts[0] if len(musts) == 1 else Q.boolean_query([(Occur.Must, m) for m in musts])
        hits = self.searcher().search(query, limit=cap + 1, count=False, order_by_field="doc_id",
                                      order=tantivy.Order.Asc).hits
        return None if len(hits) > cap else [int(key) for key, _ in hits]

    def ordered_ids(self, searcher: Any, query: Any, lo: int, hi: int, n: int, backwards: bool) -> list[int]:
        """The first ``n`` matching doc_ids in ``[lo, hi]``, in archive order (or reversed). Not gated: the
        caller reads them through the consent gate. A narrow range keeps tantivy from ordering every match."""
        Q, Occur = tantivy.Query, tantivy.Occur
        bound = Q.range_query(self.schema, "doc_id", tantivy.FieldType.Integer, max(lo, 0), max(hi, 0))
        hits = searcher.search(Q.boolean_query([(Occur.Must, query), (Occur.Must, bound)]), limit=n, count=False,
                               order_by_field="doc_id",
                               order=tantivy.Order.Desc if backwards else tantivy.Order.Asc).hits
        return [int(key) for key, _ in hits]

    # --- keeping it up to date --------------------------------------------------------------------------

    def _writer(self) -> Any | None:
        try:
            return self.index.writer(heap_size=64_000_000, num_threads=1)
        except ValueError:  # another process holds tantivy's writer lock: it keeps the index up to date
            return None

    def rebuild(self, batch: int = 20_000) -> dict[str, Any]:
        """Make the index again from every search document (``mosaic archive reindex``, the benchmark)."""
        started = time.perf_counter()
        with self.write_lock:
            writer = self._writer()
            if writer is None:
                raise RuntimeError("another process is writing the archive's text index")
            (self.path / BUILT).unlink(missing_ok=True)
            with Session(self.engine) as session:
                applied = list(session.scalars(select(ArchiveChange.seq)))
            writer.delete_all_documents()
            n = 0
            last = 0
            while True:
                with Session(self.engine) as session:
                    rows = session.execute(
                        select(*_columns()).join(Dream, Dream.id == ArchiveDoc.dream_id)
                        .where(ArchiveDoc.doc_id > last).order_by(ArchiveDoc.doc_id).limit(batch)).all()
                if not rows:
                    break
                for row in rows:
                    writer.add_document(_document(row))
                n += len(rows)
                last = rows[-1][0]
            writer.commit()
            writer.wait_merging_threads()
            self._forget_changes(applied)
            (self.path / BUILT).write_text(json.dumps({"documents": n, "at": time.time(), "schema": SCHEMA_VERSION}))
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return {"documents": n, "seconds": round(time.perf_counter() - started, 1), "bytes": size}

    def catch_up(self, limit: int = 50_000) -> int:
        """Apply the logged changes to the index; returns how many documents were applied (0 if another
        process holds the writer, or nothing waits)."""
        if not self.built:
            return 0
        with self.write_lock:
            with Session(self.engine) as session:
                changes = session.execute(select(ArchiveChange.seq, ArchiveChange.doc_id)
                                          .order_by(ArchiveChange.seq).limit(limit)).all()
            if not changes:
                return 0
            writer = self._writer()
            if writer is None:
                return 0
            doc_ids = sorted({d for _, d in changes})
            rows: list[Any] = []
            with Session(self.engine) as session:
                for start in range(0, len(doc_ids), 900):
                    rows.extend(session.execute(
                        select(*_columns()).join(Dream, Dream.id == ArchiveDoc.dream_id)
                        .where(ArchiveDoc.doc_id.in_(doc_ids[start:start + 900]))).all())
            for doc_id in doc_ids:
                writer.delete_documents_by_term("doc_id", doc_id)
            for row in rows:
                writer.add_document(_document(row))
            writer.commit()
            writer.wait_merging_threads()
            self._forget_changes([s for s, _ in changes])
            return len(doc_ids)

    def _forget_changes(self, seqs: Sequence[int]) -> None:
        """Delete exactly these log rows (never "all up to N": a PostgreSQL writer may commit a lower
        sequence number after a higher one)."""
        with Session(self.engine) as session, session.begin():
            for start in range(0, len(seqs), 10_000):
                part = list(seqs[start:start + 10_000])
                if self.engine.dialect.name == "postgresql":
                    session.execute(text("DELETE FROM archive_changes WHERE seq = ANY(:s)"), {"s": part})
                else:
                    session.execute(text("DELETE FROM archive_changes WHERE seq IN "
                                         "(SELECT value FROM json_each(:s))"), {"s": json.dumps(part)})
        if len(seqs) > 10_000 and self.engine.dialect.name == "postgresql":
            # Every search reads this (now small) table: do not leave it to scan a bulk load's dead rows
            # until autovacuum comes by.
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM archive_changes")

    def schedule(self) -> None:
        """Catch up soon, in a background thread of this process (one at a time)."""
        if not self.built:
            return
        self.pending.set()
        if self.worker is not None and self.worker.is_alive():
            return
        self.worker = threading.Thread(target=self._work, name="archive-text-index", daemon=True)
        self.worker.start()

    def _work(self) -> None:
        while self.pending.is_set():
            self.pending.clear()
            time.sleep(0.2)  # gather the writes of a burst into one index commit
            try:
                while self.catch_up() >= 50_000:
                    pass
            except Exception:  # the SQL path stays correct meanwhile; the next commit tries again
                log.exception("the archive's text index could not catch up")
                return


# --- counting through it ------------------------------------------------------------------------------


MEMO = "archive.textindex.memo"


@contextmanager
def memo(session: Session) -> Iterator[None]:
    """Within this block (one read-only search), read the change log and the viewer's own and circle
    dreams once, not once per count and page. Never around a write."""
    session.info[MEMO] = {}
    try:
        yield
    finally:
        session.info.pop(MEMO, None)


def _memoised(session: Session, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    store = session.info.get(MEMO)
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]  # type: ignore[no-any-return]


def dirty_docs(session: Session, limit: int) -> list[int]:
    return _memoised(session, ("dirty", limit), lambda: list(
        session.scalars(select(ArchiveChange.doc_id).distinct().limit(limit))))


OTHER_VISIBILITIES = tuple(v.value for v in Visibility if v.value not in consent.COMMUNITY)


def other_readable_docs(session: Session, viewer: User | None, exclude: Sequence[int]) -> list[int] | None:
    """doc_ids of the dreams ``viewer`` reads that are not community-visible (their own, their circles'),
    through the consent gate; None when there are too many for the index to count among. Two queries, each
    led by an index (the gate index's visibility and owner; the viewer's circles), never a scan."""
    if viewer is None:
        return []
    state = search_state(session, viewer)  # no circle, no own dream of that kind: no query for them
    if not state.owns_other and not state.circles:
        return []  # the usual reader: not even the statements are built (that alone cost a millisecond)
    base = (select(ArchiveDoc.doc_id).select_from(Dream).join(ArchiveDoc, ArchiveDoc.dream_id == Dream.id)
            .where(consent.readable_clause(viewer), Dream.visibility.in_(OTHER_VISIBILITIES)))
    circles = (select(DreamCircle.dream_id).join(CircleMember, CircleMember.circle_id == DreamCircle.circle_id)
               .where(CircleMember.user_id == viewer.id))
    skip = set(exclude)
    found: set[int] = set()
    for stmt in ([base.where(Dream.owner_id == viewer.id)] if state.owns_other else []) + (
            [base.where(Dream.id.in_(circles), Dream.owner_id != viewer.id)] if state.circles else []):
        found.update(d for d in session.scalars(stmt.limit(EXTRA_MAX + 1)) if d not in skip)
        if len(found) > EXTRA_MAX:
            return None
    return sorted(found)


def search_state(session: Session, viewer: User | None) -> SearchState:
    """``ArchiveRepository.search_state``, read once per search (the memo) however many parts ask."""
    from dream_mosaic.archive.repository import ArchiveRepository

    return _memoised(session, ("state", viewer.id if viewer else None),
                     lambda: ArchiveRepository(session).search_state(viewer, DIRTY_MAX + 1))


def count(session: Session, viewer: User | None, node: Node | None) -> int | None:
    """The number of dreams ``viewer`` may read that match ``node`` (text only, or None for all), or None
    when the index cannot answer (then the caller counts through SQL)."""
    from dream_mosaic.archive.repository import ArchiveRepository

    index = TextIndex.for_engine(session.get_bind().engine)  # type: ignore[union-attr]
    if index is None or not index.built:
        return None
    query = index.compile(node, session)
    if query is None:
        return None
    dirty = search_state(session, viewer).waiting  # the log, read BEFORE reopening the index (see above)
    if len(dirty) > DIRTY_MAX:
        index.schedule()
        return None
    others = _memoised(session, ("others", viewer.id if viewer else None),
                       lambda: other_readable_docs(session, viewer, dirty))
    if others is None:
        return None
    searcher = index.searcher()
    total = 0
    if consent.reads_community(viewer):
        # The community-visible matches, as all matches less the others (far fewer postings to read
        # than intersecting with the community's): both without the waiting documents.
        every = (int(searcher.num_docs) if node is None and not dirty
                 else index.count_in(searcher, query, exclude=dirty))
        store = session.info.get(MEMO)
        if store is not None:  # how dense the matches are: the page walk sizes its doc_id windows on it
            store[("matches", str(node))] = (every, int(searcher.num_docs))
        total += every - index.count_in(searcher, query, visibility=OTHER_VISIBILITIES, exclude=dirty)
    if others:
        total += index.count_in(searcher, query, among=others)
    if dirty:
        total += ArchiveRepository(session).count_within(viewer, node, dirty)
    return total


def index_for(session: Session) -> TextIndex | None:
    return TextIndex.for_engine(session.get_bind().engine)  # type: ignore[union-attr]


def index_for_engine(engine: Engine) -> TextIndex | None:
    return TextIndex.for_engine(engine)


__all__ = ["TextIndex", "count", "dirty_docs", "enabled", "index_for", "index_for_engine", "other_readable_docs",
           "pairs", "search_state", "tokens"]

