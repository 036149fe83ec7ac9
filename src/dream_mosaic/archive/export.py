"""Research export: a selection of research-consented dreams as CSV, JSON Lines or Parquet, with a data
dictionary, in one ZIP.

- Only ``core.consent.research_dreams(viewer)`` is read: dreams whose dreamers chose ``research``, and only
  for archivists, guardians and admins.
- Dreamers (and, for imported series, the series' dreamer) and records get pseudonyms: HMAC-SHA256 under a
  random salt made for this export and never stored, so they are stable within the export, differ between
  exports, and cannot be reversed or linked back to the platform.
- Names, places and organisations in the text are masked (``rules.mask_entities``); nights are reduced to
  the year.
- Each request, completion and download is written to the audit log that guardians read.
- The ids of the exported dreams are kept beside the file (never in it): a download is refused once any
  of them has been withdrawn from research, and the file is deleted.
"""

from __future__ import annotations

import csv
import json
import logging
import secrets
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dream_mosaic.archive import rules
from dream_mosaic.archive.models import ArchiveDoc, ArchiveExport
from dream_mosaic.archive.query import QueryError, parse
from dream_mosaic.archive.repository import ArchiveRepository, chunks
from dream_mosaic.archive.schemas import ExportOut
from dream_mosaic.core.database import Database
from dream_mosaic.core.errors import Forbidden, Invalid, NotFound
from dream_mosaic.core.models import Collection, Dream, User, utcnow
from dream_mosaic.governance.service import record as audit

log = logging.getLogger(__name__)
EXPORT_ROLES = {"archivist", "guardian", "admin"}
FORMATS = ("csv", "jsonl", "parquet")

DICTIONARY: list[tuple[str, str, str]] = [
    ("record", "string", "Pseudonym of the dream report, stable within this export only (HMAC-SHA256, salt "
     "discarded)."),
    ("dreamer", "string", "Pseudonym of the dreamer; for imported series (DreamBank) of the series' dreamer. "
     "Stable within this export only."),
    ("series", "string", "Collection the report belongs to (e.g. a DreamBank series slug), or empty."),
    ("series_name", "string", "The collection's descriptive name."),
    ("dreamer_sex", "string", "F or M where recorded, else empty."),
    ("dreamer_age", "string", "Age or age group where recorded, else empty."),
    ("language", "string", "Language code of the report where recorded (en, de, …)."),
    ("year", "integer", "Year the dream was dreamt (exact dates are not exported), or empty."),
    ("decade", "integer", "Decade, from the night or from the series' timeframe, or empty."),
    ("words", "integer", "Length of the report in words (before masking)."),
    ("lucid", "boolean", "The dreamer marked the dream as lucid."),
    ("nightmare", "boolean", "The dreamer marked the dream as a nightmare."),
    ("recurring", "boolean", "The dreamer marked the dream as recurring."),
    ("title", "string", "Title, with names, places and organisations masked."),
    ("text", "string", "The report, with names of people, places and organisations replaced by [PERSON], "
     "[PLACE] and [ORG]."),
    ("emotions", "string", "HVdC emotion classes found by Dream Mosaic's analysis (AN AP SD CO HA), "
     "space-separated; empty if none; null if not analysed."),
    ("valence", "number", "Valence from -1 (negative) to 1 (positive) by the analysis, or null."),
    ("characters", "integer", "Characters coded by the analysis, or null."),
    ("aggressions", "integer", "Aggressive interactions coded by the analysis, or null."),
    ("friendlinesses", "integer", "Friendly interactions coded by the analysis, or null."),
    ("sexualities", "integer", "Sexual interactions coded by the analysis, or null."),
]
COLUMNS = [name for name, _, _ in DICTIONARY]


def _may_export(viewer: User) -> None:
    if viewer.role not in EXPORT_ROLES:
        raise Forbidden("Only archivists, guardians and admins may export dreams for research.")


def request(session: Session, viewer: User, query_text: str, fmt: str) -> ArchiveExport:
    """Record an export request (the caller commits, then queues ``archive.export``)."""
    _may_export(viewer)
    if fmt not in FORMATS:
        raise Invalid(f"Choose one of {', '.join(FORMATS)}.", field="format")
    try:
        canonical = parse(query_text).canonical()
    except QueryError as exc:
        raise Invalid(str(exc), field="q") from exc
    export = ArchiveExport(requested_by=viewer.id, query=canonical, format=fmt)
    session.add(export)
    session.flush()
    audit(session, viewer, "archive.export.requested", export.id, query=canonical, format=fmt)
    return export


def mine(session: Session, viewer: User) -> list[ArchiveExport]:
    return list(session.scalars(select(ArchiveExport).where(ArchiveExport.requested_by == viewer.id)
                                .order_by(ArchiveExport.created_at.desc()).limit(50)))


def own(session: Session, viewer: User, export_id: str) -> ArchiveExport:
    found = session.get(ArchiveExport, export_id)
    if found is None or found.requested_by != viewer.id:
        raise NotFound("No export with that id, or it is not yours.")
    return found


def present(export: ArchiveExport) -> ExportOut:
    return ExportOut(
        id=export.id, query=export.query, format=export.format, status=export.status, rows=export.rows,
        error=export.error, created_at=export.created_at, finished_at=export.finished_at,
        download=f"/api/v1/archive/exports/{export.id}/download" if export.status == "done" else None,
    )


def _ids_file(path: Path) -> Path:
    return path.with_suffix(".ids.json")


def checked_file(session: Session, viewer: User, export_id: str) -> Path:
    """The export's file, if it is done and every dream in it is still research-consented. Otherwise the
    file is deleted and the export marked withdrawn (the caller commits)."""
    _may_export(viewer)
    export = own(session, viewer, export_id)
    if export.status != "done" or not export.path:
        raise NotFound("This export is not ready (or no longer available).")
    path = Path(export.path)
    ids = json.loads(_ids_file(path).read_text()) if _ids_file(path).exists() else None
    if ids is None or not path.exists() or ArchiveRepository(session).research_count(viewer, ids) != len(ids):
        _discard(path)
        export.status = "withdrawn"
        export.error = "Some dreams in it were withdrawn from research since; export the selection again."
        audit(session, viewer, "archive.export.withdrawn", export.id)
        session.commit()
        raise NotFound(export.error)
    audit(session, viewer, "archive.export.downloaded", export.id, rows=export.rows)
    return path


def _discard(path: Path) -> None:
    path.unlink(missing_ok=True)
    _ids_file(path).unlink(missing_ok=True)


def _rows(session: Session, viewer: User, ids: list[str], salt: bytes,
          lower_counts: Any) -> Iterator[dict[str, Any]]:
    from dream_mosaic.analysis.service import current_analysis

    repo = ArchiveRepository(session)
    common = frozenset(w for w, n in lower_counts.items() if n >= 3)
    for part in chunks(ids, 500):
        rows = session.execute(
            select(Dream, Collection.slug, Collection.name, ArchiveDoc.year, ArchiveDoc.decade, ArchiveDoc.words)
            .join(ArchiveDoc, ArchiveDoc.dream_id == Dream.id)
            .outerjoin(Collection, Collection.id == Dream.collection_id)
            .where(Dream.id.in_(list(part)))
            .where(Dream.id.in_(repo.scope(viewer, None, research=True)))  # the research gate, again
            .order_by(ArchiveDoc.doc_id)
        ).all()
        records = repo.analyses([r[0].id for r in rows])
        for dream, slug, series_name, year, decade, words in rows:
            found = current_analysis(dream, records.get(dream.id))
            emotions = (" ".join(sorted({e["code"] for e in found.get("emotions", [])})) if found else None)
            interactions = found.get("interactions", []) if found else []
            yield {
                "record": rules.pseudonym(salt, "record", dream.id),
                "dreamer": rules.pseudonym(salt, "dreamer", f"{dream.owner_id}:{dream.collection_id or ''}"),
                "series": slug or "",
                "series_name": series_name or "",
                "dreamer_sex": dream.dreamer_sex or "",
                "dreamer_age": dream.dreamer_age or "",
                "language": dream.language or "",
                "year": year,
                "decade": decade,
                "words": words,
                "lucid": dream.lucid,
                "nightmare": dream.nightmare,
                "recurring": dream.recurring,
                "title": rules.mask_entities(dream.title or "", lower_counts, common),
                "text": rules.mask_entities(dream.text, lower_counts, common),
                "emotions": emotions,
                "valence": found.get("valence") if found else None,
                "characters": len(found.get("characters", [])) if found else None,
                "aggressions": sum(1 for i in interactions if i.get("kind") == "aggression") if found else None,
                "friendlinesses": sum(1 for i in interactions if i.get("kind") == "friendliness") if found else None,
                "sexualities": sum(1 for i in interactions if i.get("kind") == "sexuality") if found else None,
            }


def _write(rows: Iterator[dict[str, Any]], fmt: str, target: Path) -> int:
    n = 0
    if fmt == "csv":
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
                n += 1
    elif fmt == "jsonl":
        with target.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {"string": pa.string(), "integer": pa.int64(), "boolean": pa.bool_(), "number": pa.float64()}
        schema = pa.schema([(name, types[kind]) for name, kind, _ in DICTIONARY])
        with pq.ParquetWriter(target, schema) as writer:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                n += 1
                if len(batch) >= 2000:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    batch = []
            if batch or n == 0:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return n


def _dictionary(export: ArchiveExport, rows: int, fmt: str) -> str:
    lines = [
        "# Dream Mosaic research export: data dictionary", "",
        f"- Query: `{export.query or '(everything)'}`",
        f"- Rows: {rows} research-consented dream reports (file `data.{fmt}`)",
        f"- Made: {utcnow().isoformat(timespec='seconds')}",
        "- Consent: only dreams whose dreamers chose the `research` visibility are included.",
        "- Pseudonyms: `record` and `dreamer` are HMAC-SHA256 under a random salt made for this export and "
        "discarded; they are stable within this file only and cannot be reversed.",
        "- Masking: names of people, places and organisations in `title` and `text` are replaced by "
        "[PERSON], [PLACE] and [ORG] by a rule-based masker (capitalised words the corpus never writes in "
        "lower case). It is eager but not perfect: read before you publish quotations.",
        "- Dates: only the year (and decade) of each dream are given.",
        "- Sources: imported DreamBank series are from DreamBank (Domhoff & Schneider, dreambank.net); "
        "cite it when you use them.", "",
        "| column | type | meaning |", "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {kind} | {meaning} |" for name, kind, meaning in DICTIONARY]
    return "\n".join(lines) + "\n"


def run(db: Database, export_id: str, data_dir: Path) -> None:
    """Make the export file (the ``archive.export`` job). Idempotent: a finished export is left alone; a
    failure is recorded on the export for its requester to see."""
    try:
        _run(db, export_id, data_dir)
    except Exception as exc:
        log.exception("export %s failed", export_id)
        with db.transaction() as session:
            export = session.get(ArchiveExport, export_id)
            if export is not None:
                export.status, export.error = "failed", f"{type(exc).__name__}: {exc}"[:500]


def _run(db: Database, export_id: str, data_dir: Path) -> None:
    with db.transaction(write=False) as session:
        export = session.get(ArchiveExport, export_id)
        if export is None or export.status in ("done", "withdrawn"):
            return
        viewer = session.get(User, export.requested_by)
        if viewer is None:
            return
        query = parse(export.query)
        repo = ArchiveRepository(session)
        ids = list(session.scalars(repo.scope(viewer, query.root, research=True).order_by(ArchiveDoc.doc_id)))
        lower = rules.casing_stats(
            body for part in chunks(ids, 1000)
            for body in session.scalars(select(ArchiveDoc.body).where(ArchiveDoc.dream_id.in_(list(part))))
        )
        folder = Path(data_dir) / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        work = folder / f"{export_id}.parts"
        work.mkdir(exist_ok=True)
        salt = secrets.token_bytes(32)
        try:
            data = work / f"data.{export.format}"
            rows = _write(_rows(session, viewer, ids, salt, lower), export.format, data)
            del salt
            zip_path = folder / f"{export_id}.zip"
            with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.write(data, data.name)
                archive.writestr("data_dictionary.md", _dictionary(export, rows, export.format))
                archive.writestr("data_dictionary.json", json.dumps(
                    [{"column": n, "type": t, "meaning": m} for n, t, m in DICTIONARY], indent=2))
            _ids_file(zip_path).write_text(json.dumps(ids))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    with db.transaction() as session:
        export = session.get(ArchiveExport, export_id)
        viewer = session.get(User, export.requested_by) if export else None
        if export is None:
            return
        export.status, export.rows, export.path, export.finished_at = "done", rows, str(zip_path), utcnow()
        audit(session, viewer, "archive.export.completed", export.id, rows=rows, format=export.format)


__all__ = ["COLUMNS", "DICTIONARY", "checked_file", "mine", "own", "present", "request", "run"]
