"""Collections (series) that imports create on the fly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dream_mosaic.core.models import Collection, User


class CollectionCache:
    def __init__(self, session: Session, owner: User) -> None:
        self.session = session
        self.owner = owner
        self._ids: dict[str, str] = {}

    def id_for(self, slug: str, meta: dict[str, Any]) -> str:
        if slug in self._ids:
            return self._ids[slug]
        found = self.session.scalar(select(Collection).where(Collection.slug == slug))
        if found is None:
            found = Collection(
                slug=slug,
                name=meta.get("name") or slug,
                owner_id=self.owner.id,
                dreamer_sex=meta.get("dreamer_sex"),
                timeframe=meta.get("timeframe"),
                meta={k: v for k, v in meta.items() if k not in {"name", "dreamer_sex", "timeframe"}},
            )
            self.session.add(found)
            self.session.flush()
        self._ids[slug] = found.id
        return found.id
