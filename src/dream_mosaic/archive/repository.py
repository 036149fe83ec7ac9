"""Every archive query. Each one starts from the consent gate (``core.consent.readable_clause`` or
``research_dreams``): nothing here can count, facet or return a dream its viewer may not read.

A parsed query (``archive.query``) is compiled to SQL: words, phrases and their boolean combinations go
to the full-text index as one expression (FTS5 ``MATCH`` on SQLite, ``tsvector @@ tsquery`` on
PostgreSQL); regular expressions run in the database over the indexed text (SQLAlchemy's ``REGEXP`` on
SQLite, ``~*`` on PostgreSQL), behind a cheap ``LIKE`` on the literal parts they must contain; field
filters are plain indexed columns, and analysis filters read the analysis engine's ``dream_analyses``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    String,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, lazyload, load_only

from dream_mosaic.analysis.models import EMOTION_COLUMNS, AnalysisRecord
from dream_mosaic.archive.models import (
    ArchiveChange,
    ArchiveDoc,
    ArchiveFact,
    ArchiveState,
    ArchiveTheme,
    ArchiveThemeMember,
)
from dream_mosaic.archive.query import (
    And,
    Filter,
    Node,
    Not,
    Or,
    Phrase,
    QueryError,
    Regex,
    Word,
    is_filter_only,
    is_text_only,
)
from dream_mosaic.archive.rules import period_of, word_count
from dream_mosaic.core import consent
from dream_mosaic.core.models import Circle, CircleMember, Collection, Dream, DreamCircle, User, Visibility

CHUNK = 900  # ids per IN (...) list, under SQLite's parameter limit
class SearchState(NamedTuple):
    generation: int
    circles: tuple[str, ...]
    owns_other: bool
    top_doc_id: int
    waiting: list[int]  # documents in the text index's change log, at most ``waiting_limit``


NO_CIRCLES = lazyload(Dream.circle_links)  # results never show which circles a dream is in: skip that query
# A result shows these columns only (``service._hit``): the rest of the row (tags and the series' meta as JSON,
# timestamps, the owner's password hash) cost a millisecond per page to fetch and convert.
RESULT_COLUMNS = (
    NO_CIRCLES,
    load_only(Dream.id, Dream.owner_id, Dream.collection_id, Dream.title, Dream.text, Dream.dreamt_on, Dream.lucid,
              Dream.nightmare, Dream.recurring, Dream.visibility, Dream.attribution, Dream.dreamer_sex),
    joinedload(Dream.owner).load_only(User.id, User.display_name, User.alias),
    joinedload(Dream.collection).load_only(Collection.id, Collection.slug),
)
_STATE_STATEMENTS: dict[tuple[str, int], Any] = {}  # search_state's statement, per (dialect, log rows read)
WORD_BUCKETS = ((50, "under 50"), (150, "50-149"), (300, "150-299"))
INTERACTION_COLUMNS = {"aggression": "n_aggression", "friendliness": "n_friendliness", "sexuality": "n_sexuality"}


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def body_of(title: str | None, text_: str) -> str:
    return f"{title}\n\n{text_}" if title else text_


# --- keeping the index in step with the dreams ---------------------------------------------------------


def sync_docs(session: Session, dream_ids: Sequence[str]) -> None:
    """Make ``archive_docs`` and the full-text index match these dreams as they are now in ``session``:
    insert, update, or remove those that no longer exist. (SQLite: new documents enter the FTS5 index here,
    updates and deletes through its triggers; PostgreSQL: ``tsv`` is a generated column.)"""
    for part in chunks(list(dict.fromkeys(dream_ids))):
        rows = session.execute(
            select(Dream.id, Dream.title, Dream.text, Dream.dreamt_on, Collection.timeframe)
            .outerjoin(Collection, Collection.id == Dream.collection_id)
            .where(Dream.id.in_(part))
        ).all()
        existing = {
            r.dream_id: (r.doc_id, r.body, r.year, r.decade)
            for r in session.execute(
                select(ArchiveDoc.dream_id, ArchiveDoc.doc_id, ArchiveDoc.body, ArchiveDoc.year, ArchiveDoc.decade)
                .where(ArchiveDoc.dream_id.in_(part))
            )
        }
        fresh: list[dict[str, Any]] = []
        for row in rows:
            body = body_of(row.title, row.text)
            year, decade = period_of(row.dreamt_on, row.timeframe)
            found = existing.pop(row.id, None)
            if found is None:
                fresh.append({"dream_id": row.id, "body": body, "year": year, "decade": decade,
                              "words": word_count(row.text)})
            elif found[1:] != (body, year, decade):
                session.execute(
                    update(ArchiveDoc).where(ArchiveDoc.doc_id == found[0])
                    .values(body=body, year=year, decade=decade, words=word_count(row.text))
                )
        if fresh:
            session.execute(ArchiveDoc.__table__.insert(), fresh)  # type: ignore[attr-defined]  # no RETURNING
            if session.get_bind().dialect.name == "sqlite":
                session.execute(text(
                    "INSERT INTO archive_fts(rowid, body) SELECT doc_id, body FROM archive_docs WHERE dream_id IN "
                    "(SELECT value FROM json_each(:ids))"), {"ids": json.dumps([r["dream_id"] for r in fresh])})
        if existing:  # dreams that are gone
            session.execute(delete(ArchiveDoc).where(ArchiveDoc.dream_id.in_(list(existing))))


def drop_docs(session: Session, dream_ids: Sequence[str]) -> None:
    """Take dreams out of the index now (a withdrawal), before the dream row itself goes."""
    for part in chunks(list(dream_ids)):
        session.execute(delete(ArchiveDoc).where(ArchiveDoc.dream_id.in_(part)))


def bump_generation(session: Session) -> None:
    """Move the archive's generation on (inside the writer's transaction). Recreates the single row if
    something removed it (an emptied database), so cached counts can never outlive a change."""
    done = session.execute(
        update(ArchiveState).where(ArchiveState.id == 1).values(generation=ArchiveState.generation + 1))
    if not done.rowcount:  # type: ignore[attr-defined]
        try:
            with session.begin_nested():
                session.execute(insert(ArchiveState).values(id=1, generation=1))
        except IntegrityError:  # another writer made it first: move it on instead
            session.execute(
                update(ArchiveState).where(ArchiveState.id == 1).values(generation=ArchiveState.generation + 1))


def index_all(session: Session, batch: int = 5000) -> int:
    """Index every dream not yet indexed (used by the migration and ``mosaic archive reindex``)."""
    done = 0
    last = ""
    while True:
        ids = list(session.scalars(
            select(Dream.id).where(Dream.id > last).order_by(Dream.id).limit(batch)
        ))
        if not ids:
            break
        sync_docs(session, ids)
        done += len(ids)
        last = ids[-1]
    # Remove documents whose dream is gone (e.g. a database restored without the archive's listener).
    session.execute(delete(ArchiveDoc).where(~ArchiveDoc.dream_id.in_(select(Dream.id))))
    bump_generation(session)
    analyze(session)
    return done


def analyze(session: Session) -> None:
    """Refresh the query planner's statistics (SQLite keeps none until asked; PostgreSQL's autovacuum does
    it by itself). Without them SQLite may walk the consent gate's OR through three indexes."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("ANALYZE"))


def rebuild_text_index(session: Session) -> None:
    """Rebuild the full-text index from ``archive_docs`` (SQLite; PostgreSQL's is a generated column)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO archive_fts(archive_fts) VALUES('rebuild')"))


# --- compiling a query ---------------------------------------------------------------------------------


class Compiler:
    """Turns a query tree into a WHERE clause for one dialect and one viewer."""

    def __init__(self, session: Session, viewer: User | None, within: Sequence[int] | None = None) -> None:
        self.session = session
        self.viewer = viewer
        self.within = within  # only these doc_ids (FTS5 then looks each one up instead of listing all matches)
        self.dialect = session.get_bind().dialect.name
        self.needs_analysis = False
        self.needs_docs = False
        self._names = itertools.count()

    # Text: as much as possible in one full-text expression.
    def _fts_expr(self, node: Node) -> str | None:
        """An FTS5 MATCH string for a text-only node, or None if FTS5 cannot say it alone."""
        if isinstance(node, Word):
            return f'"{node.text}"' + ("*" if node.prefix else "")
        if isinstance(node, Phrase):
            return '"' + " ".join(node.words) + '"'
        if isinstance(node, Or):
            parts = [self._fts_expr(i) for i in node.items]
            return None if any(p is None for p in parts) else "(" + " OR ".join(parts) + ")"  # type: ignore[arg-type]
        if isinstance(node, And):
            pos = [i for i in node.items if not isinstance(i, Not)]
            neg = [i.item for i in node.items if isinstance(i, Not)]
            pos_s = [self._fts_expr(i) for i in pos]
            neg_s = [self._fts_expr(i) for i in neg]
            if not pos or any(p is None for p in pos_s + neg_s):
                return None
            out = "(" + " AND ".join(pos_s) + ")"  # type: ignore[arg-type]
            for n in neg_s:
                out = f"({out} NOT {n})"
            return out
        return None

    def _tsquery(self, node: Node) -> str | None:
        """A PostgreSQL to_tsquery string for a text-only node (no regular expressions)."""
        if isinstance(node, Word):
            return f"'{node.text}'" + (":*" if node.prefix else "")
        if isinstance(node, Phrase):
            return "(" + " <-> ".join(f"'{w}'" for w in node.words) + ")"
        if isinstance(node, Not):
            inner = self._tsquery(node.item)
            return None if inner is None else f"!{inner}"
        if isinstance(node, (And, Or)):
            parts = [self._tsquery(i) for i in node.items]
            if any(p is None for p in parts):
                return None
            joiner = " & " if isinstance(node, And) else " | "
            return "(" + joiner.join(parts) + ")"  # type: ignore[arg-type]
        return None

    def _text_clause(self, node: Node) -> ColumnElement[bool] | None:
        """A full-text clause for a text-only, regex-free node, or None if it cannot be expressed so."""
        self.needs_docs = True
        if self.dialect == "postgresql":
            q = self._tsquery(node)
            if q is None:
                return None
            return literal_column("archive_docs.tsv").op("@@")(func.to_tsquery("simple", q))  # type: ignore[no-any-return]
        expr = self._fts_expr(node)
        if expr is None:
            return None
        name = f"fts{next(self._names)}"
        if self.within is not None:
            matched = text(f"SELECT rowid FROM archive_fts WHERE archive_fts MATCH :{name} AND rowid IN "
                           f"(SELECT value FROM json_each(:{name}w))").bindparams(
                **{name: expr, f"{name}w": json.dumps(list(self.within))}).columns(rowid=Integer)
            return ArchiveDoc.doc_id.in_(matched)
        matched = text(f"SELECT rowid FROM archive_fts WHERE archive_fts MATCH :{name}").bindparams(
            **{name: expr}).columns(rowid=Integer)
        return ArchiveDoc.doc_id.in_(matched)

    def _contains(self, literal: str) -> ColumnElement[bool]:
        escaped = literal.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        # LIKE is case-insensitive (ASCII) on SQLite; ILIKE on PostgreSQL can use the trigram index.
        if self.dialect == "postgresql":
            return ArchiveDoc.body.ilike(f"%{escaped}%", escape="\\")
        return ArchiveDoc.body.like(f"%{escaped}%", escape="\\")

    def _regex_candidates(self, node: Regex) -> ColumnElement[bool] | None:
        """A superset of the documents ``node`` can match, from the text index's term dictionary (every
        literal's words, three letters or more, inside some word of the document), plus the documents
        the index has not caught up with; None when the index cannot narrow it down."""
        from dream_mosaic.archive import textindex

        index = textindex.index_for(self.session)
        if index is None or not index.built:
            return None
        found = index.regex_candidates(node.literals, node.any_of, textindex.REGEX_CANDIDATES_MAX)
        if found is None:
            return None
        dirty = textindex.search_state(self.session, self.viewer).waiting
        if len(dirty) > textindex.DIRTY_MAX:
            return None
        ids = sorted(set(found) | set(dirty))
        name = f"rx{next(self._names)}"
        if self.dialect == "postgresql":
            return ArchiveDoc.doc_id == any_(bindparam(name, ids, type_=ARRAY(Integer)))
        listed = text(f"SELECT value FROM json_each(:{name})").bindparams(
            **{name: json.dumps(ids)}).columns(value=Integer)
        return ArchiveDoc.doc_id.in_(listed)

    def _regex(self, node: Regex) -> ColumnElement[bool]:
        self.needs_docs = True
        clauses: list[ColumnElement[bool]] = []
        narrowed = self._regex_candidates(node)
        if narrowed is not None:
            clauses.append(narrowed)
        clauses.extend(self._contains(lit) for lit in node.literals)
        if node.any_of:
            clauses.append(or_(*(self._contains(w) for w in node.any_of)))
        if self.dialect == "postgresql":
            clauses.append(ArchiveDoc.body.op("~*")(node.pattern.replace(r"\b", r"\y")))
        else:
            clauses.append(ArchiveDoc.body.regexp_match("(?i)" + node.pattern))
        return and_(*clauses)

    def clause(self, node: Node | None) -> ColumnElement[bool]:
        if node is None:
            return true()
        if isinstance(node, (Word, Phrase)) or (is_text_only(node) and not has_regex(node)):
            found = self._text_clause(node)
            if found is not None:
                return found
        if isinstance(node, Regex):
            return self._regex(node)
        if isinstance(node, Filter):
            return self._filter(node)
        if isinstance(node, Not):
            return not_(self.clause(node.item))
        if isinstance(node, (And, Or)):
            # Gather the regex-free text children into one full-text expression.
            text_kids = [i for i in node.items if is_text_only(i) and not has_regex(i)]
            others = [i for i in node.items if i not in text_kids]
            parts: list[ColumnElement[bool]] = []
            if len(text_kids) > 1:
                grouped = self._text_clause(type(node)(tuple(text_kids)))
                if grouped is not None:
                    parts.append(grouped)
                else:
                    others = list(node.items)
            else:
                others = list(node.items)
            parts.extend(self.clause(i) for i in others)
            return and_(*parts) if isinstance(node, And) else or_(*parts)
        raise QueryError("Cannot run this query.")  # pragma: no cover

    # Field filters.
    def _filter(self, f: Filter) -> ColumnElement[bool]:
        name, op, value = f.name, f.op, f.value
        if name == "series":
            return Dream.collection_id.in_(series_ids(value))
        if name == "sex":
            return Dream.dreamer_sex.in_(list(value))
        if name == "age":
            return func.lower(Dream.dreamer_age).in_(list(value))
        if name == "age_years":
            years = self._age_years()
            return self._range(years, op, value)
        if name == "circle":
            if self.viewer is None:
                return false()
            wanted = str(value[0])
            mine = (
                select(DreamCircle.dream_id)
                .join(Circle, Circle.id == DreamCircle.circle_id)
                .join(CircleMember, CircleMember.circle_id == Circle.id)
                .where(CircleMember.user_id == self.viewer.id,
                       or_(Circle.id == wanted, func.lower(Circle.name) == wanted.lower()))
            )
            return Dream.id.in_(mine)
        if name in ("year", "decade", "words"):
            self.needs_docs = True
        if name in ("year", "decade"):
            column = ArchiveDoc.year if name == "year" else ArchiveDoc.decade
            if op == "in":
                return column.in_(list(value))
            return self._range(column, op, value)
        if name == "night":
            day = date.fromisoformat(str(value[0]))
            return {"=": Dream.dreamt_on == day, ">=": Dream.dreamt_on >= day,
                    "<=": Dream.dreamt_on <= day}[op]
        if name == "words":
            return self._range(ArchiveDoc.words, op, value)
        if name == "lang":
            return Dream.language.in_(list(value))
        if name == "tag":
            return func.lower(cast(Dream.tags, Text)).like(f'%"{value[0]}"%')
        if name == "flag":
            columns = {"lucid": Dream.lucid, "nightmare": Dream.nightmare, "recurring": Dream.recurring}
            return or_(*(columns[str(v)].is_(True) for v in value))
        if name in ("emotion", "character", "interaction"):
            self.needs_analysis = True
            return or_(*(self._analysis(name, str(v)) for v in value))
        raise QueryError(f"The field {name!r} cannot be searched here.")  # pragma: no cover

    def _analysis(self, name: str, value: str) -> ColumnElement[bool]:
        done = AnalysisRecord.status == "done"
        if name == "emotion":
            return and_(done, getattr(AnalysisRecord, EMOTION_COLUMNS[value]).is_(True))
        if name == "interaction":
            if value == "physical":
                return and_(done, AnalysisRecord.n_aggression > 0, self._fact("interaction:physical"))
            return and_(done, getattr(AnalysisRecord, INTERACTION_COLUMNS[value]) > 0)
        if value == "dreamer":
            return and_(done, AnalysisRecord.dreamer_present.is_(True))
        return and_(done, self._fact(f"character:{value}"))

    @staticmethod
    def _fact(fact: str) -> ColumnElement[bool]:
        return Dream.id.in_(select(ArchiveFact.dream_id).where(ArchiveFact.fact == fact))

    @staticmethod
    def _range(column: Any, op: str, value: tuple[Any, ...]) -> ColumnElement[bool]:
        if op == "between":
            return column.between(value[0], value[1])  # type: ignore[no-any-return]
        if op == ">=":
            return column >= value[0]  # type: ignore[no-any-return]
        if op == "<=":
            return column <= value[0]  # type: ignore[no-any-return]
        return column == value[0]  # type: ignore[no-any-return]

    def _age_years(self) -> Any:
        if self.dialect == "postgresql":
            return cast(func.substring(Dream.dreamer_age, "^[0-9]+"), Integer)
        return case((Dream.dreamer_age.op("GLOB")("[0-9]*"), cast(Dream.dreamer_age, Integer)), else_=None)


def series_ids(value: Sequence[Any]) -> Select[Any]:
    """The ids of the collections a ``series:`` filter names (slugs, ``*`` a wildcard)."""
    conds = [Collection.slug.like(str(v).replace("_", "\\_").replace("*", "%"), escape="\\")
             if "*" in str(v) else Collection.slug == v for v in value]
    return select(Collection.id).where(or_(*conds))


def has_regex(node: Node | None) -> bool:
    if isinstance(node, Regex):
        return True
    if isinstance(node, Not):
        return has_regex(node.item)
    if isinstance(node, (And, Or)):
        return any(has_regex(i) for i in node.items)
    return False


# --- reading -------------------------------------------------------------------------------------------


# What a search reads besides the text index: the result page's dreams, their search documents, authors
# and series, the archive's generation and change log (its opening round trip), and the B-tree indexes that
# find them (not the GIN indexes: counting and matching go through the text index; a regular expression's
# trigram pre-filter still reads its GIN index from disk).
SEARCH_TABLES = ("dreams", "archive_docs", "users", "collections", "archive_state", "archive_changes")


def prewarm_postgres(session: Session, budget: float = 0.75) -> dict[str, Any]:
    """PostgreSQL: load what a search reads (:data:`SEARCH_TABLES` and their B-tree indexes) into shared
    buffers with ``pg_prewarm``, when it fits in ``budget`` of them. Why: PostgreSQL reads a page it does
    not hold from the operating system, whose page cache may have dropped it (on the benchmark machine
    the kernel dropped pages idle for about 30 s, and a result page of 20 dreams then waited on the disk);
    its own buffers are shared memory, which that reclaim leaves alone. A 1M-dream archive needs
    ``shared_buffers`` of a few GB (``docs/archive.md``); the reply says what it did or why it did not."""
    if session.get_bind().dialect.name != "postgresql":
        return {"prewarmed": False, "reason": "not PostgreSQL"}
    if session.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_prewarm'")) == 0:
        return {"prewarmed": False, "reason": "the pg_prewarm extension is not installed"}
    relations = session.execute(text(
        "SELECT c.oid::regclass::text, pg_relation_size(c.oid) FROM pg_class c "
        "WHERE c.relname = ANY(:tables) AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace "
        "UNION ALL "
        "SELECT i.indexrelid::regclass::text, pg_relation_size(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid "
        "JOIN pg_am a ON a.oid = x.relam WHERE t.relname = ANY(:tables) AND a.amname = 'btree' "
        "AND t.relnamespace = 'public'::regnamespace"), {"tables": list(SEARCH_TABLES)}).all()
    wanted = sum(size for _, size in relations)
    buffers = int(session.scalar(text(
        "SELECT setting::bigint * current_setting('block_size')::bigint FROM pg_settings "
        "WHERE name = 'shared_buffers'")) or 0)
    if wanted > budget * buffers:
        return {"prewarmed": False, "bytes": wanted, "shared_buffers": buffers,
                "reason": f"shared_buffers ({buffers >> 20} MB) cannot hold what a search reads "
                          f"({wanted >> 20} MB): set it to at least {int(wanted / budget) >> 20} MB"}
    blocks = {name: int(session.scalar(text("SELECT pg_prewarm(CAST(:r AS regclass))"), {"r": name}) or 0)
              for name, _ in relations}
    return {"prewarmed": True, "bytes": wanted, "shared_buffers": buffers, "blocks": blocks}


class ArchiveRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def scope(self, viewer: User | None, node: Node | None, *, research: bool = False,
              with_analysis: bool = False, docs: bool = True) -> Select[Any]:
        """``SELECT … FROM dreams JOIN archive_docs`` narrowed by the consent gate and ``node``.
        Add columns with ``with_only_columns``; never widen the WHERE. ``docs=False`` leaves out the join
        to ``archive_docs`` when ``node`` does not need it (counting a selection of plain filters)."""
        compiler = Compiler(self.session, viewer)
        where = compiler.clause(node)
        gate = (consent.research_dreams(viewer).whereclause if research else consent.readable_clause(viewer))
        stmt = select(Dream.id).select_from(Dream)
        if docs or compiler.needs_docs:
            stmt = stmt.join(ArchiveDoc, ArchiveDoc.dream_id == Dream.id)
        stmt = stmt.where(gate if gate is not None else false()).where(where)
        if compiler.needs_analysis or with_analysis:
            stmt = stmt.outerjoin(AnalysisRecord, AnalysisRecord.dream_id == Dream.id)
        return stmt

    def count_within(self, viewer: User | None, node: Node | None, doc_ids: Sequence[int]) -> int:
        """How many of these documents the viewer may read and ``node`` matches (the text index's
        not-yet-applied changes): the gate and the match, looked up per document."""
        compiler = Compiler(self.session, viewer, within=doc_ids)
        stmt = (select(func.count()).select_from(Dream).join(ArchiveDoc, ArchiveDoc.dream_id == Dream.id)
                .where(consent.readable_clause(viewer), compiler.clause(node), ArchiveDoc.doc_id.in_(list(doc_ids))))
        if compiler.needs_analysis:
            stmt = stmt.outerjoin(AnalysisRecord, AnalysisRecord.dream_id == Dream.id)
        return int(self.session.scalar(stmt) or 0)

    def count(self, viewer: User | None, node: Node | None, **kw: Any) -> int:
        stmt = self.scope(viewer, node, docs=False, **kw).with_only_columns(func.count(), maintain_column_froms=True)
        return int(self.session.scalar(stmt) or 0)

    def page(self, viewer: User | None, node: Node | None, *, limit: int, after: int | None = None,
             before: int | None = None) -> list[tuple[Dream, int, int, str | None]]:
        """One page in archive order (``doc_id``), by keyset: deep pages cost what the first one does."""
        split = self._fts_and_filters(node) if self.dialect == "sqlite" else None
        if split is not None and split[1] is None:  # words alone: FTS5 walks its own matches fastest
            return self._page_through_fts(viewer, split[0], None, limit, after, before)
        # Words with filters (and everything on PostgreSQL): the text index applies the filters it holds
        # while it walks, so a selective filter does not make the walk read window after window of
        # matches the filter then drops ("school words:>300" at 1M on SQLite: 161 ms through FTS5).
        walked = self._page_through_index(viewer, node, limit, after, before)
        if walked is not None:
            return walked
        if split is not None:
            return self._page_through_fts(viewer, split[0], split[1], limit, after, before)
        stmt = self.scope(viewer, node).with_only_columns(
            Dream, ArchiveDoc.doc_id, ArchiveDoc.words, maintain_column_froms=True).options(*RESULT_COLUMNS)
        if before is not None:
            stmt = stmt.where(ArchiveDoc.doc_id < before).order_by(ArchiveDoc.doc_id.desc())
        else:
            if after is not None:
                stmt = stmt.where(ArchiveDoc.doc_id > after)
            stmt = stmt.order_by(ArchiveDoc.doc_id)
        rows = [(r[0], r[1], r[2], r[0].collection.slug if r[0].collection else None)
                for r in self.session.execute(stmt.limit(limit))]
        return rows[::-1] if before is not None else rows

    def _fts_and_filters(self, node: Node | None) -> tuple[str, Node | None] | None:
        """(FTS5 expression, the rest) when ``node`` is one full-text expression and field filters only."""
        if node is None:
            return None
        items = node.items if isinstance(node, And) else (node,)
        text_kids = tuple(i for i in items if is_text_only(i) and not has_regex(i))
        rest = tuple(i for i in items if i not in text_kids)
        if not text_kids or not all(is_filter_only(i) for i in rest):
            return None
        expr = Compiler(self.session, None)._fts_expr(text_kids[0] if len(text_kids) == 1 else And(text_kids))
        if expr is None:
            return None
        return expr, (None if not rest else rest[0] if len(rest) == 1 else And(rest))

    def _page_through_fts(self, viewer: User | None, expr: str, rest: Node | None, limit: int,
                          after: int | None, before: int | None) -> list[tuple[Dream, int, int, str | None]]:
        """Walk FTS5's matches by rowid from the cursor, a growing window at a time, keeping those the
        gate and the filters let through: a page costs its own size, not the number of matches."""
        backwards = before is not None
        cursor = before if backwards else (after or 0)
        window = limit + 4  # the caller asks one row past its page; a few more for dreams the gate drops
        out: list[tuple[Dream, int, int, str | None]] = []
        order = "DESC" if backwards else "ASC"
        op = "<" if backwards else ">"
        while len(out) < limit:
            candidates = list(self.session.scalars(text(
                f"SELECT rowid FROM archive_fts WHERE archive_fts MATCH :q AND rowid {op} :c "
                f"ORDER BY rowid {order} LIMIT :n"), {"q": expr, "c": cursor, "n": window}))
            if not candidates:
                break
            stmt = self.scope(viewer, rest).with_only_columns(
                Dream, ArchiveDoc.doc_id, ArchiveDoc.words, maintain_column_froms=True).where(
                ArchiveDoc.doc_id.in_(candidates)).options(*RESULT_COLUMNS)
            found = sorted(self.session.execute(stmt), key=lambda r: r[1], reverse=backwards)
            out.extend((r[0], r[1], r[2], r[0].collection.slug if r[0].collection else None) for r in found)
            if len(candidates) < window:
                break
            cursor = candidates[-1]
            window = min(window * 4, CHUNK)
        out = out[:limit]
        return out[::-1] if backwards else out

    def _page_through_index(self, viewer: User | None, node: Node | None, limit: int, after: int | None,
                            before: int | None) -> list[tuple[Dream, int, int, str | None]] | None:
        """PostgreSQL: walk the text index's matches in archive order from the cursor, a growing window at a
        time, reading each window's dreams through the gate (and, for documents changed since the index last
        caught up, SQL's own match: they are judged on what they are now, and added to every window)."""
        from dream_mosaic.archive import textindex

        index = textindex.index_for(self.session)
        if index is None or not index.built or node is None:
            return None
        query = index.compile(node, self.session)
        if query is None:
            return None
        state = textindex.search_state(self.session, viewer)  # the log, read before the index reopens
        dirty, top = state.waiting, state.top_doc_id
        if len(dirty) > textindex.DIRTY_MAX:
            return None
        searcher = index.searcher()
        backwards = before is not None
        cursor: int = before if before is not None else (after or 0)
        # doc_id windows wide enough for about three pages at the density the count just measured
        memo = self.session.info.get(textindex.MEMO) or {}
        matches, docs = memo.get(("matches", str(node)), (0, 0))
        span = max(1024, int(3 * (limit + 1) * max(docs, 1) / matches)) if matches else max(top, 1)
        window = limit + 4  # the caller asks one row past its page; a few more for dreams the gate drops
        out: list[tuple[Dream, int, int, str | None]] = []
        while len(out) < limit and (cursor > 1 if backwards else cursor < top):
            lo, hi = (cursor - span, cursor - 1) if backwards else (cursor + 1, cursor + span)
            ids = index.ordered_ids(searcher, query, lo, hi, window, backwards)
            full = len(ids) == window
            edge = ids[-1] if full else (lo if backwards else hi)
            waiting = [d for d in dirty if (edge <= d < cursor if backwards else cursor < d <= edge)]
            # The index is exact for documents not waiting in the log: those need only the gate; the
            # waiting ones are matched by SQL as they are now.
            stale = set(waiting) | (set(ids) & set(dirty))
            found: list[Any] = []
            for part, matcher in (([d for d in ids if d not in stale], None), (sorted(stale), node)):
                if part:
                    stmt = self.scope(viewer, matcher).with_only_columns(
                        Dream, ArchiveDoc.doc_id, ArchiveDoc.words, maintain_column_froms=True).where(
                        ArchiveDoc.doc_id.in_(part)).options(*RESULT_COLUMNS)
                    found.extend(self.session.execute(stmt))
            found.sort(key=lambda r: r[1], reverse=backwards)
            out.extend((r[0], r[1], r[2], r[0].collection.slug if r[0].collection else None) for r in found)
            cursor = edge
            if full:
                window = min(window * 4, CHUNK)
            else:
                span *= 4
        out = out[:limit]
        return out[::-1] if backwards else out

    def dreams_by_ids(self, viewer: User | None, node: Node | None, dream_ids: Sequence[str]
                      ) -> dict[str, tuple[Dream, int, int]]:
        """Of ``dream_ids``, those the viewer may read that also satisfy ``node`` (semantic results)."""
        out: dict[str, tuple[Dream, int, int]] = {}
        for part in chunks(list(dream_ids)):
            stmt = self.scope(viewer, node).with_only_columns(
                Dream, ArchiveDoc.doc_id, ArchiveDoc.words, maintain_column_froms=True).where(
                Dream.id.in_(part)).options(*RESULT_COLUMNS)
            for dream, doc_id, words in self.session.execute(stmt):
                out[dream.id] = (dream, doc_id, words)
        return out

    def ids(self, viewer: User | None, node: Node | None, limit: int | None = None) -> list[str]:
        stmt = self.scope(viewer, node).order_by(ArchiveDoc.doc_id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def facet_rows(self, viewer: User | None, node: Node | None) -> list[tuple[Any, ...]]:
        """Counts of the matching dreams grouped by every facet at once (one query)."""
        bucket = case(*((ArchiveDoc.words < n, label) for n, label in WORD_BUCKETS), else_="300 or more")
        columns = [
            Collection.slug, Dream.dreamer_sex, ArchiveDoc.decade, Dream.lucid, Dream.nightmare, Dream.recurring,
            Dream.language, bucket,
            *(getattr(AnalysisRecord, c) for c in EMOTION_COLUMNS.values()),
            AnalysisRecord.n_aggression > 0, AnalysisRecord.n_friendliness > 0, AnalysisRecord.n_sexuality > 0,
            AnalysisRecord.status,
        ]
        stmt = self.scope(viewer, node, with_analysis=True)
        stmt = stmt.outerjoin(Collection, Collection.id == Dream.collection_id)
        grouped = stmt.with_only_columns(*columns, func.count(), maintain_column_froms=True).group_by(*columns)
        return [tuple(r) for r in self.session.execute(grouped)]

    def grouped_counts(self, viewer: User | None, node: Node | None, by: str) -> dict[Any, int]:
        """Counts of matching dreams per decade, year, series or sex."""
        column: Any = {
            "decade": ArchiveDoc.decade, "year": ArchiveDoc.year, "sex": Dream.dreamer_sex,
            "series": Collection.slug,
        }[by]
        stmt = self.scope(viewer, node)
        if by == "series":
            stmt = stmt.outerjoin(Collection, Collection.id == Dream.collection_id)
        grouped = stmt.with_only_columns(column, func.count(), maintain_column_froms=True).group_by(column)
        return {key: int(n) for key, n in self.session.execute(grouped)}

    def series_names(self, slugs: Iterable[str]) -> dict[str, str]:
        wanted = [s for s in slugs if s]
        if not wanted:
            return {}
        rows = self.session.execute(select(Collection.slug, Collection.name).where(Collection.slug.in_(wanted)))
        return {slug: name for slug, name in rows}

    def readable_series(self, viewer: User | None) -> list[tuple[str, str, int]]:
        """Series (slug, name, dreams) that hold dreams the viewer may read, for the filter list."""
        stmt = (
            select(Collection.slug, Collection.name, func.count())
            .select_from(Dream).join(Collection, Collection.id == Dream.collection_id)
            .where(consent.readable_clause(viewer))
            .group_by(Collection.slug, Collection.name).order_by(Collection.slug)
        )
        return [(s, n, int(c)) for s, n, c in self.session.execute(stmt)]

    def search_state(self, viewer: User | None, waiting_limit: int) -> SearchState:
        """What a search needs to know before it starts, in one round trip: the archive's generation and
        the viewer's circles (the count cache's key), whether the viewer owns any dream that is not
        community-visible (else the text index's count lists none), the highest ``doc_id`` (where a
        page walk ends) and up to ``waiting_limit`` documents waiting in the text index's change log."""
        key = (self.dialect, waiting_limit)
        stmt = _STATE_STATEMENTS.get(key)
        if stmt is None:  # built once per dialect: building it cost about as much as running it
            stmt = _STATE_STATEMENTS[key] = self._search_state_statement(waiting_limit)
        row = self.session.execute(stmt, {"who": viewer.id if viewer else ""}).one()
        waiting = (row[4] or []) if self.dialect == "postgresql" else json.loads(row[4] or "[]")
        return SearchState(int(row[0]), tuple(sorted(filter(None, (row[1] or "").split(",")))), bool(row[2]),
                           int(row[3] or 0), [int(d) for d in waiting])

    def _search_state_statement(self, waiting_limit: int) -> Any:
        who = bindparam("who", type_=String)
        circles = (select(func.string_agg(CircleMember.circle_id, ",") if self.dialect == "postgresql"
                          else func.group_concat(CircleMember.circle_id, ","))
                   .where(CircleMember.user_id == who).scalar_subquery())
        others = [v.value for v in Visibility if v.value not in consent.COMMUNITY]
        # Dream.id, not *: the gate index then covers the lookup (with *, SQLite may scan every dream).
        # The visibilities are written into the SQL (constants of the code, never input): PostgreSQL's
        # generic plan for a prepared statement (psycopg prepares after five runs) then still knows from
        # its statistics how rare they are; with them as parameters it chose a scan of every dream (0.5 s).
        visible: Any = bindparam("other_visibilities", others, expanding=True, literal_execute=True)
        owns_other = select(Dream.id).where(Dream.visibility.in_(visible), Dream.owner_id == who).exists()
        return select(func.coalesce(select(ArchiveState.generation).where(ArchiveState.id == 1).scalar_subquery(), 0),
                      circles, owns_other, select(func.max(ArchiveDoc.doc_id)).scalar_subquery(),
                      self._waiting_docs(waiting_limit))

    def _waiting_docs(self, limit: int) -> Any:
        listed = select(ArchiveChange.doc_id).distinct().limit(limit).subquery()
        agg = (func.array_agg(listed.c.doc_id) if self.dialect == "postgresql"
               else func.json_group_array(listed.c.doc_id))
        return select(agg).scalar_subquery()

    def analyses(self, dream_ids: Sequence[str]) -> dict[str, AnalysisRecord]:
        out: dict[str, AnalysisRecord] = {}
        for part in chunks(list(dream_ids)):
            for rec in self.session.scalars(select(AnalysisRecord).where(AnalysisRecord.dream_id.in_(part))):
                out[rec.dream_id] = rec
        return out

    def vector_stamps(self, since: Any) -> list[tuple[str, Any]]:
        """(dream_id, updated_at) of stored embeddings changed since ``since``, without the vectors."""
        stmt = select(AnalysisRecord.dream_id, AnalysisRecord.updated_at).where(
            AnalysisRecord.embedding.is_not(None), AnalysisRecord.updated_at >= since)
        return [(r[0], r[1]) for r in self.session.execute(stmt)]

    def embedded_ids(self) -> list[str]:
        return list(self.session.scalars(select(AnalysisRecord.dream_id).where(AnalysisRecord.embedding.is_not(None))))

    def vectors(self, dream_ids: Sequence[str] | None = None) -> Iterator[tuple[str, bytes, str | None, Any]]:
        """(dream_id, embedding, model, updated_at) of these dreams (or of all) that have an embedding."""
        stmt = select(AnalysisRecord.dream_id, AnalysisRecord.embedding, AnalysisRecord.embedding_model,
                      AnalysisRecord.updated_at).where(AnalysisRecord.embedding.is_not(None))
        parts: Iterable[Sequence[str] | None] = [None] if dream_ids is None else chunks(list(dream_ids))
        # Streamed on a connection and transaction of its own: a server-side cursor needs a transaction,
        # and the search that loads the vectors may read in autocommit (``Database.read_only_session``).
        with self.session.get_bind().engine.connect() as conn, conn.begin():
            for part in parts:
                chosen = stmt if part is None else stmt.where(AnalysisRecord.dream_id.in_(part))
                for r in conn.execution_options(yield_per=5000).execute(chosen):
                    yield r[0], r[1], r[2], r[3]  # type: ignore[misc]

    def match_doc_ids(self, viewer: User | None, node: Node | None) -> list[int]:
        """Every matching ``doc_id`` in archive order, in one scan (used for regular expressions, whose
        count and page would otherwise each read every candidate text)."""
        stmt = self.scope(viewer, node).with_only_columns(ArchiveDoc.doc_id, maintain_column_froms=True)
        return list(self.session.scalars(stmt.order_by(ArchiveDoc.doc_id)))

    def page_of(self, viewer: User | None, doc_ids: Sequence[int]) -> list[tuple[Dream, int, int, str | None]]:
        """These documents' dreams (through the gate again), in ``doc_ids`` order."""
        if not doc_ids:
            return []
        stmt = self.scope(viewer, None).with_only_columns(
            Dream, ArchiveDoc.doc_id, ArchiveDoc.words, maintain_column_froms=True).where(
            ArchiveDoc.doc_id.in_(list(doc_ids))).order_by(ArchiveDoc.doc_id).options(*RESULT_COLUMNS)
        return [(r[0], r[1], r[2], r[0].collection.slug if r[0].collection else None)
                for r in self.session.execute(stmt)]

    def bodies(self, dream_ids: Sequence[str]) -> list[tuple[str, int, str]]:
        """(dream_id, doc_id, body) of these dreams, in archive order. Callers pass ids that came from
        :meth:`ids`, that is through the consent gate."""
        out: list[tuple[str, int, str]] = []
        for part in chunks(list(dream_ids)):
            out.extend(tuple(r) for r in self.session.execute(  # type: ignore[misc]
                select(ArchiveDoc.dream_id, ArchiveDoc.doc_id, ArchiveDoc.body).where(ArchiveDoc.dream_id.in_(part))))
        return sorted(out, key=lambda r: r[1])

    # Themes.
    def themes(self, owner: User, scope: str) -> list[ArchiveTheme]:
        return list(self.session.scalars(
            select(ArchiveTheme).where(ArchiveTheme.owner_id == owner.id, ArchiveTheme.scope == scope)
            .order_by(ArchiveTheme.number)))

    def theme_members(self, viewer: User, theme_ids: Sequence[str]) -> list[tuple[str, str, float, int | None,
                                                                                    int | None]]:
        """(theme_id, dream_id, score, year, decade) of members the viewer may still read."""
        if not theme_ids:
            return []
        stmt = (
            select(ArchiveThemeMember.theme_id, Dream.id, ArchiveThemeMember.score, ArchiveDoc.year,
                   ArchiveDoc.decade)
            .select_from(ArchiveThemeMember)
            .join(ArchiveDoc, ArchiveDoc.doc_id == ArchiveThemeMember.doc_id)
            .join(Dream, Dream.id == ArchiveDoc.dream_id)
            .where(ArchiveThemeMember.theme_id.in_(list(theme_ids)), consent.readable_clause(viewer))
        )
        return [tuple(r) for r in self.session.execute(stmt)]  # type: ignore[misc]

    def readable_dreams(self, viewer: User | None, dream_ids: Sequence[str]) -> dict[str, Dream]:
        out: dict[str, Dream] = {}
        for part in chunks(list(dream_ids)):
            for d in self.session.scalars(consent.readable_dreams(viewer).where(Dream.id.in_(part))):
                out[d.id] = d
        return out

    def research_count(self, viewer: User | None, dream_ids: Sequence[str]) -> int:
        """How many of ``dream_ids`` are still research-consented (an export is valid only if all are)."""
        total = 0
        for part in chunks(list(dream_ids)):
            stmt = consent.research_dreams(viewer).where(Dream.id.in_(part)).with_only_columns(func.count())
            total += int(self.session.scalar(stmt) or 0)
        return total


__all__ = ["ArchiveRepository", "Compiler", "bump_generation", "drop_docs", "index_all",
           "rebuild_text_index", "sync_docs"]
