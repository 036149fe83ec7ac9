"""Readers and writers for journal files. Each reader streams: records come one at a time, so a file of
any size is read in constant memory.

A record is a dict with the fields of ``DreamCreate`` plus, where known: ``id`` (from our own exports),
``collection`` (a series slug), ``collection_meta``, ``language``, ``dreamer_sex``, ``dreamer_age`` and
``source_ref``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

import ijson

FORMATS = ("auto", "dreambank", "csv", "json", "jsonl", "text")
csv.field_size_limit(sys.maxsize)

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_SEX = {"female": "F", "f": "F", "male": "M", "m": "M"}


class FormatError(ValueError):
    """The file is not in the format it claims to be; the message says where and why."""


def parse_date(value: Any) -> date | None:
    """ISO dates only; DreamBank's free text (``1977-??-??``, ages, notes) is kept as a note instead."""
    if not value:
        return None
    match = _ISO_DATE.match(str(value).strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


_DREAMBANK_DATE = re.compile(r"^\(?\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})/(\d{1,2})/(\d{2}|\d{4}))\s*\)?$")


def dreambank_date(value: str, timeframe: str | None = None) -> date | None:
    """DreamBank's dates: ``(1985-07-12)``, ``(07/12/85)`` or ``(7/12/1985)`` (month first). A two-digit
    year takes the century that puts it inside the series' timeframe (``1912-1965`` makes ``12`` 1912)."""
    match = _DREAMBANK_DATE.match(value.strip())
    if not match:
        return None
    if match[1]:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        month, day, year = int(match[4]), int(match[5]), int(match[6])
        if len(match[6]) == 2:
            years = [int(y) for y in re.findall(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", timeframe or "")]
            candidates = [c * 100 + year for c in (18, 19, 20)]
            if years:
                low, high = min(years), max(years)
                inside = [c for c in candidates if low <= c <= high + 1]
                year = inside[0] if inside else min(candidates, key=lambda c: abs(c - low))
            else:
                year = 1900 + year
    if not 1850 <= year <= date.today().year:
        return None  # a typo in the source (DreamBank has a few, such as 1190 and 3000)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _bool(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "y", "x"}


def detect_format(path: Path) -> str:
    if path.is_dir() or path.suffix.lower() in {".txt", ".md"}:
        return "text"
    suffix = path.suffix.lower()
    if suffix == ".jsonl" or suffix == ".ndjson":
        return "jsonl"
    if suffix == ".json":
        return "json"
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        header = handle.readline()
    if "\t" in header and "series" in header and "report" in header:
        return "dreambank"
    if suffix in {".csv", ".tsv"}:
        return "csv"
    raise FormatError(f"Cannot tell the format of {path.name}; pass --format.")


def read_path(path: Path, fmt: str = "auto") -> Iterator[dict[str, Any]]:
    """Records from a file or folder in the given format (or the detected one)."""
    if not path.exists():
        raise FormatError(f"{path} does not exist.")
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt not in FORMATS:
        raise FormatError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if fmt == "text":
        yield from read_text_files(path)
        return
    with path.open("rb") as raw:
        if fmt == "json":
            yield from read_json(raw)
            return
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")
        try:
            if fmt == "jsonl":
                yield from read_jsonl(text)
            elif fmt == "csv":
                yield from read_csv(text)
            else:
                yield from read_dreambank(text)
        except UnicodeDecodeError as exc:
            raise FormatError(f"{path.name} is not valid UTF-8 (byte {exc.start}).") from exc


def read_json(raw: IO[bytes]) -> Iterator[dict[str, Any]]:
    """Our own JSON export ({"dreams": [...]}) or a bare list of dream objects, streamed with ijson."""
    head = raw.read(1)
    while head and head.isspace():
        head = raw.read(1)
    raw.seek(raw.tell() - 1 if head else 0)
    prefix = "item" if head == b"[" else "dreams.item"
    try:
        for item in ijson.items(raw, prefix, use_float=True):
            if not isinstance(item, dict):
                raise FormatError("Each dream in a JSON file must be an object.")
            yield _from_export(item)
    except ijson.JSONError as exc:
        raise FormatError(f"The JSON file is malformed: {exc}") from exc


def read_jsonl(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FormatError(f"Line {number} is not valid JSON: {exc.msg}.") from exc
        if not isinstance(item, dict):
            raise FormatError(f"Line {number} must be a JSON object.")
        yield _from_export(item)


def read_csv(handle: IO[str]) -> Iterator[dict[str, Any]]:
    sample = handle.read(4096)
    handle.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
    except csv.Error:  # one column, or too little text to tell: plain commas it is
        dialect = csv.excel
    reader = csv.DictReader(handle, dialect=dialect)
    if not reader.fieldnames or "text" not in reader.fieldnames:
        raise FormatError("A CSV journal needs a 'text' column (and may have title, dreamt_on, tags, …).")
    for row in reader:
        record: dict[str, Any] = {k: v for k, v in row.items() if k and v not in (None, "")}
        if "tags" in record:
            record["tags"] = [t for t in re.split(r"[;,]", record["tags"]) if t.strip()]
        for flag in ("lucid", "nightmare", "recurring"):
            if flag in record:
                record[flag] = _bool(record[flag])
        if "mood" in record:
            record["mood"] = int(record["mood"]) if str(record["mood"]).isdigit() else None
        yield _from_export(record)


def read_dreambank(handle: IO[str]) -> Iterator[dict[str, Any]]:
    """DreamBank's TSV: each series becomes a collection carrying its long name, sex and timeframe."""
    reader = csv.DictReader(handle, delimiter="\t")
    missing = {"series", "report"} - set(reader.fieldnames or [])
    if missing:
        raise FormatError(f"Not a DreamBank TSV: missing column(s) {', '.join(sorted(missing))}.")
    for row in reader:
        text = (row.get("report") or "").strip()
        if not text:
            continue
        series = (row.get("series") or "unknown").strip()
        sex = _SEX.get((row.get("dreamer_sex") or "").strip().lower())
        raw_date = (row.get("date") or "").strip()
        timeframe = (row.get("timeframe") or "").strip() or None
        night = parse_date(raw_date) or dreambank_date(raw_date, timeframe)
        yield {
            "text": text,
            "dreamt_on": night,
            "collection": series,
            "collection_meta": {
                "name": (row.get("series_long_name") or series).strip(),
                "dreamer_sex": (row.get("dreamer_sex") or "").strip() or None,
                "timeframe": timeframe,
                "source": "DreamBank",
            },
            "language": _language_code(row.get("language")),
            "dreamer_sex": sex,
            "source_ref": f"dreambank:{series}:{(row.get('n') or '').strip()}"[:255],
            "date_note": raw_date if raw_date and not night else None,
        }


def _language_code(value: str | None) -> str | None:
    """DreamBank writes codes (``en``, ``de``); a longer name would not fit the column, so it is left out
    rather than failing the whole import on PostgreSQL."""
    code = (value or "").strip()
    return code if 0 < len(code) <= 8 else None


def read_text_files(path: Path) -> Iterator[dict[str, Any]]:
    """A folder of plain-text files (or one file): one dream each, titled by the file name."""
    files = sorted(p for p in path.rglob("*") if p.suffix.lower() in {".txt", ".md"}) if path.is_dir() else [path]
    for file in files:
        try:
            text = file.read_text(encoding="utf-8").strip()
        except UnicodeDecodeError as exc:
            raise FormatError(f"{file.name} is not valid UTF-8.") from exc
        if text:
            yield {"text": text, "title": file.stem.replace("_", " ")[:200], "dreamt_on": parse_date(file.stem)}


# What a journal file may say about a dream. Anything else in it (owners, collections, internal columns)
# is never taken from a file: it could point at other people's rows or overflow a column.
PORTABLE_FIELDS = frozenset(
    {"id", "title", "text", "dreamt_on", "tags", "lucid", "nightmare", "recurring", "mood", "visibility",
     "attribution"}
)


def _from_export(item: dict[str, Any]) -> dict[str, Any]:
    record = {k: v for k, v in item.items() if k in PORTABLE_FIELDS}
    if not isinstance(record.get("id"), str):
        record.pop("id", None)  # only our own exports' ids help to recognise a dream already imported
    if isinstance(record.get("dreamt_on"), str):
        record["dreamt_on"] = parse_date(record["dreamt_on"])
    if not isinstance(record.get("text"), str):
        raise FormatError("Every dream needs a 'text' string.")
    return record


def write_json(records: Iterable[dict[str, Any]], out: IO[str]) -> None:
    """Streams ``{"format": …, "dreams": [...]}`` without holding the journal in memory."""
    out.write('{"format": "dream-mosaic-journal", "version": 1, "dreams": [')
    for i, record in enumerate(records):
        out.write(("," if i else "") + "\n" + json.dumps(record, ensure_ascii=False))
    out.write("\n]}\n")


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[str]) -> None:
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_csv(records: Iterable[dict[str, Any]], out: IO[str], fields: list[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        row = dict(record)
        row["tags"] = ";".join(row.get("tags") or [])
        writer.writerow(row)
