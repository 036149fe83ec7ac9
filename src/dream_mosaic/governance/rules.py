"""The audit chain's arithmetic, without I/O."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def entry_hash(prev_hash: str, at: datetime, actor_id: str | None, action: str, subject: str | None,
               detail: dict[str, Any]) -> str:
    body = json.dumps(
        {"prev": prev_hash, "at": as_utc_text(at), "actor": actor_id, "action": action, "subject": subject,
         "detail": detail},
        sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def as_utc_text(at: datetime) -> str:
    """One spelling of an instant whatever the database hands back (SQLite drops the zone)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")
