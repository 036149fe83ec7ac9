"""The journal's rules applied: create, edit, consent, delete, present, export and import dreams."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from dream_mosaic.core import consent, events
from dream_mosaic.core.errors import Conflict, Invalid, NotFound
from dream_mosaic.core.models import Dream, DreamCircle, IdempotencyKey, User, new_id, utcnow
from dream_mosaic.journal.repository import DreamRepository
from dream_mosaic.journal.rules import content_hash, request_fingerprint
from dream_mosaic.journal.schemas import Author, ConsentUpdate, DreamCreate, DreamOut, DreamUpdate

NOT_FOUND = "No dream with that id, or it is not yours to see."


def present(dream: Dream, viewer: User | None, circle_mode: str | None = None) -> DreamOut:
    """A dream as ``viewer`` may see it: consent details only for its dreamer."""
    mine = consent.is_owner(viewer, dream)
    return DreamOut(
        id=dream.id,
        title=dream.title,
        text=dream.text,
        dreamt_on=dream.dreamt_on,
        tags=list(dream.tags or []),
        lucid=dream.lucid,
        nightmare=dream.nightmare,
        recurring=dream.recurring,
        mood=dream.mood,
        author=_author(dream, viewer, circle_mode),
        created_at=dream.created_at,
        updated_at=dream.updated_at,
        analysis_status=dream.analysis_status,
        visibility=dream.visibility if mine else None,  # type: ignore[arg-type]
        attribution=dream.attribution if mine else None,  # type: ignore[arg-type]
        circle_ids=dream.circle_ids if mine else None,
        collection=dream.collection.slug if dream.collection else None,
    )


def _author(dream: Dream, viewer: User | None, circle_mode: str | None) -> Author:
    label = consent.author_label(dream, viewer, circle_mode)
    return Author(attribution=label["attribution"] or "anonymous", name=label["name"])


def _check_circles(repo: DreamRepository, viewer: User, data: ConsentUpdate | DreamCreate) -> list[str]:
    wanted = list(dict.fromkeys(data.circle_ids))
    if data.visibility == "circle" and not wanted:
        raise Invalid("Choose at least one circle to share this dream into, or pick another visibility.")
    allowed = repo.member_circle_ids(viewer, wanted)
    missing = [c for c in wanted if c not in allowed]
    if missing:
        raise Invalid("You can share a dream only into circles you belong to.", circles=missing)
    return wanted


def create_dream(
    session: Session, viewer: User, data: DreamCreate, idempotency_key: str | None = None
) -> tuple[Dream, bool]:
    """Store a new dream. Returns (dream, created); a retried create with the same key returns the first."""
    repo = DreamRepository(session)
    fingerprint = request_fingerprint(data.model_dump_json())
    one_writer_per_person(session, viewer.id)
    if idempotency_key:
        seen = repo.idempotent(viewer.id, idempotency_key)
        if seen is not None:
            if seen.request_hash != fingerprint:
                raise Conflict("This Idempotency-Key was already used for a different dream.")
            dream = repo.get_own(viewer, seen.resource_id)
            if dream is None:
                raise Conflict("This Idempotency-Key belongs to a dream that has since been deleted.")
            return dream, False
    circles = _check_circles(repo, viewer, data)
    dream = Dream(
        owner_id=viewer.id,
        title=data.title,
        text=data.text,
        dreamt_on=data.dreamt_on,
        tags=data.tags,
        lucid=data.lucid,
        nightmare=data.nightmare,
        recurring=data.recurring,
        mood=data.mood,
        visibility=data.visibility,
        attribution=data.attribution,
    )
    dream.id = new_id()
    dream.content_hash = _unique_hash(repo, dream)
    dream.circle_links = [DreamCircle(circle_id=c) for c in circles]
    session.add(dream)
    if idempotency_key:
        session.add(
            IdempotencyKey(
                user_id=viewer.id, key=idempotency_key, request_hash=fingerprint, resource_id=dream.id
            )
        )
    session.flush()
    events.notify_dreams(session, [dream.id], events.CREATED)
    return dream, True


def one_writer_per_person(session: Session, user_id: str) -> None:
    """Serialise the creates of one person's dreams until this transaction ends.

    Creates read before they write (the Idempotency-Key, the content hash): two racing retries would
    both find nothing and both insert, and the loser would hit a unique constraint (a 500). SQLite
    already runs one writer at a time (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped
    advisory lock keyed by the person, so other people's writes never wait.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(user_id.encode()) - 2**31
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": _LOCK_SPACE, "key": key})


_LOCK_SPACE = 7224202  # advisory lock namespace of dream writes (the audit chain uses 7224201)


def _unique_hash(repo: DreamRepository, dream: Dream) -> str:
    """The dream's content hash, so that re-importing an export finds it. The same words on the same
    night may be typed twice by hand (only imports de-duplicate): the second copy gets a salted hash."""
    plain = content_hash(dream.text, dream.dreamt_on)
    if plain == dream.content_hash or not repo.hashes_of(dream.owner_id, [plain]):
        return plain
    return content_hash(dream.text + "\x1f" + dream.id, dream.dreamt_on)


def own_dream(session: Session, viewer: User, dream_id: str) -> Dream:
    dream = DreamRepository(session).get_own(viewer, dream_id)
    if dream is None:
        raise NotFound(NOT_FOUND)
    return dream


def readable_dream(session: Session, viewer: User | None, dream_id: str) -> Dream:
    dream = DreamRepository(session).get_readable(viewer, dream_id)
    if dream is None:
        raise NotFound(NOT_FOUND)
    return dream


def update_dream(session: Session, viewer: User, dream_id: str, data: DreamUpdate) -> Dream:
    dream = own_dream(session, viewer, dream_id)
    changes = data.model_dump(exclude_unset=True)
    for field in ("text", "lucid", "nightmare", "recurring"):
        if field in changes and changes[field] is None:
            raise Invalid(f"'{field}' cannot be empty.")
    for field, value in changes.items():
        setattr(dream, field, value if field != "title" else (value or ""))
    if "text" in changes or "dreamt_on" in changes:
        one_writer_per_person(session, viewer.id)
        dream.analysis_status = "pending"
        dream.content_hash = _unique_hash(DreamRepository(session), dream)
    dream.updated_at = utcnow()
    session.flush()
    events.notify_dreams(session, [dream.id], events.UPDATED)
    return dream


def set_consent(session: Session, viewer: User, dream_id: str, data: ConsentUpdate) -> Dream:
    """Change who may see a dream. Takes effect at once: the next read anywhere sees the new consent."""
    repo = DreamRepository(session)
    dream = own_dream(session, viewer, dream_id)
    circles = _check_circles(repo, viewer, data)
    dream.visibility = data.visibility
    dream.attribution = data.attribution
    session.execute(delete(DreamCircle).where(DreamCircle.dream_id == dream.id))
    session.flush()
    session.expire(dream, ["circle_links"])
    for circle_id in circles:
        session.add(DreamCircle(dream_id=dream.id, circle_id=circle_id))
    dream.updated_at = utcnow()
    session.flush()
    session.refresh(dream)
    events.notify_dreams(session, [dream.id], events.CONSENT)
    return dream


def delete_dream(session: Session, viewer: User, dream_id: str) -> None:
    """Withdraw a dream entirely: listeners remove it from everything derived from it."""
    dream = own_dream(session, viewer, dream_id)
    events.notify_dreams(session, [dream.id], events.DELETED)
    session.delete(dream)
    session.flush()


EXPORT_FIELDS = [
    "id", "title", "text", "dreamt_on", "tags", "lucid", "nightmare", "recurring", "mood",
    "visibility", "attribution", "created_at", "updated_at",
]


def export_record(dream: Dream) -> dict[str, Any]:
    return {
        "id": dream.id,
        "title": dream.title,
        "text": dream.text,
        "dreamt_on": dream.dreamt_on.isoformat() if dream.dreamt_on else None,
        "tags": list(dream.tags or []),
        "lucid": dream.lucid,
        "nightmare": dream.nightmare,
        "recurring": dream.recurring,
        "mood": dream.mood,
        "visibility": dream.visibility,
        "attribution": dream.attribution,
        "created_at": dream.created_at.isoformat(),
        "updated_at": dream.updated_at.isoformat(),
    }


def export_journal(session: Session, viewer: User) -> Iterator[dict[str, Any]]:
    for dream in DreamRepository(session).iter_own(viewer):
        yield export_record(dream)


def import_records(
    session: Session,
    owner: User,
    records: Iterable[dict[str, Any]],
    *,
    visibility: str | None = None,
    collection_id: str | None = None,
    collection_slug: str | None = None,
    batch_size: int = 1000,
    errors: list[str] | None = None,
) -> tuple[int, int]:
    """Insert records in batches, skipping any the owner already has. Returns (imported, skipped).

    Records are dicts as produced by ``journal.formats``; they are validated by ``DreamCreate``.
    An invalid record raises ``ValidationError`` (nothing of the batch is inserted), unless ``errors`` is
    given: then it is left out, described in ``errors``, and the import goes on (bulk imports of real
    corpora must not stop on one dream longer than the journal accepts). Skipped-as-invalid records
    are not counted in ``skipped``. The caller commits (and decides how often, to bound memory).
    """
    imported = skipped = 0
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            i, s = _insert_batch(session, owner, batch, visibility, collection_id, collection_slug, errors)
            imported, skipped = imported + i, skipped + s
            batch = []
    if batch:
        i, s = _insert_batch(session, owner, batch, visibility, collection_id, collection_slug, errors)
        imported, skipped = imported + i, skipped + s
    return imported, skipped


def describe_invalid(record: dict[str, Any], exc: ValidationError) -> str:
    """One line a person can act on: which dream (its source or title) and what was wrong with it."""
    where = record.get("source_ref") or record.get("id") or record.get("title") or str(record.get("text", ""))[:40]
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'dream'}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors()[:3]
    )
    return f"{where}: {problems}"


_CREATE_FIELDS = frozenset(DreamCreate.model_fields)


def _insert_batch(
    session: Session,
    owner: User,
    records: list[dict[str, Any]],
    visibility: str | None,
    collection_id: str | None,
    collection_slug: str | None,
    errors: list[str] | None = None,
) -> tuple[int, int]:
    rows: dict[str, dict[str, Any]] = {}
    invalid = 0
    for record in records:
        fields = {k: v for k, v in record.items() if k in _CREATE_FIELDS and v is not None}
        if visibility:
            fields["visibility"] = visibility
        if fields.get("visibility") == "circle":
            fields["visibility"] = "private"  # circle links are not portable between installations
            fields.pop("circle_ids", None)
        try:
            data = DreamCreate.model_validate(fields)
        except ValidationError as exc:
            if errors is None:
                raise
            errors.append(describe_invalid(record, exc))
            invalid += 1
            continue
        slug = record.get("collection") or collection_slug
        digest = content_hash(data.text, data.dreamt_on, slug)
        if digest in rows:
            continue
        now = utcnow()
        rows[digest] = {
            "id": new_id(),
            "source_id": record.get("id"),
            "owner_id": owner.id,
            "collection_id": record.get("collection_id") or collection_id,
            "title": data.title,
            "text": data.text,
            "dreamt_on": data.dreamt_on,
            "tags": data.tags,
            "lucid": data.lucid,
            "nightmare": data.nightmare,
            "recurring": data.recurring,
            "mood": data.mood,
            "visibility": data.visibility,
            "attribution": data.attribution,
            "language": record.get("language"),
            "dreamer_sex": record.get("dreamer_sex"),
            "dreamer_age": record.get("dreamer_age"),
            "source_ref": record.get("source_ref"),
            "content_hash": digest,
            "analysis_status": "pending",
            "created_at": now,
            "updated_at": now,
        }
    repo = DreamRepository(session)
    one_writer_per_person(session, owner.id)
    existing = repo.hashes_of(owner.id, list(rows))
    known_ids = repo.own_ids(owner.id, [r["id"] for r in records if isinstance(r.get("id"), str)])
    fresh = [
        row for digest, row in rows.items() if digest not in existing and row["source_id"] not in known_ids
    ]
    for row in fresh:
        del row["source_id"]
    if fresh:
        _bulk_insert(session, fresh)
        events.notify_dreams(session, [row["id"] for row in fresh], events.CREATED, bulk=True)
    return len(fresh), len(records) - len(fresh) - invalid


def _bulk_insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert many dreams in the session's transaction, as fast as the database allows.

    PostgreSQL: one ``COPY … FROM STDIN`` (several times faster than a pipelined executemany).
    SQLite: a Core insert of the table, i.e. one ``executemany`` without the ORM's per-row bookkeeping.
    """
    connection = session.connection()
    columns = list(rows[0])
    driver = connection.connection.driver_connection
    assert driver is not None
    if connection.dialect.name != "postgresql":
        # Each column's conversion comes from SQLAlchemy's own type for this dialect; only the loop is ours.
        dialect = connection.dialect
        table = Dream.__table__
        convert = [(c, f) for c in columns
                   if (f := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
        sql = (f"INSERT INTO {Dream.__tablename__} ({', '.join(columns)}) "
               f"VALUES ({', '.join(':' + c for c in columns)})")
        cursor = driver.cursor()
        try:
            cursor.executemany(sql, [row | {c: f(row[c]) for c, f in convert} for row in rows])
        finally:
            cursor.close()
        return
    with driver.cursor() as cursor, cursor.copy(
        f"COPY {Dream.__tablename__} ({', '.join(columns)}) FROM STDIN"
    ) as copy:
        for row in rows:
            # JSON columns travel as their JSON text, exactly as SQLAlchemy's JSON type would store them.
            copy.write_row([json.dumps(row[c]) if c == "tags" else row[c] for c in columns])


def import_stream(
    session: Session,
    owner: User,
    records: Iterable[dict[str, Any]],
    *,
    visibility: str | None = None,
    commit_every: int = 5000,
    on_progress: Any = None,
    errors: list[str] | None = None,
) -> tuple[int, int]:
    """Import records that may span several collections, committing as it goes so memory stays flat.

    Series named in records become collections (created once, with their metadata). With ``errors``,
    invalid records are left out and described there instead of stopping the import.
    """
    from dream_mosaic.journal.collections import CollectionCache

    collections = CollectionCache(session, owner)
    imported = skipped = 0
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal imported, skipped
        i, s = import_records(session, owner, pending, visibility=visibility, batch_size=len(pending) or 1,
                              errors=errors)
        session.commit()
        imported, skipped = imported + i, skipped + s
        if on_progress:
            on_progress(len(pending))
        pending.clear()

    for record in records:
        slug = record.get("collection")
        if slug:
            record["collection_id"] = collections.id_for(slug, record.get("collection_meta") or {})
        pending.append(record)
        if len(pending) >= commit_every:
            flush()
    if pending:
        flush()
    return imported, skipped
