"""The one consent gate. Every query that reads dreams for someone starts from here.

A dream is readable by:
- its dreamer, always;
- members of a circle it is shared into, while its visibility is ``circle`` or wider;
- any signed-in member, while its visibility is ``community`` or ``research``.
``research`` dreams are also the only ones a research export may contain, and only anonymised.
Nobody else, whatever their role, reads a dream: admins and guardians govern, they do not read journals.

The rules are plain functions over SQLAlchemy expressions; they do no I/O themselves.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select

from dream_mosaic.core.models import (
    ATTRIBUTION_STRICTNESS,
    Attribution,
    CircleMember,
    Dream,
    DreamCircle,
    User,
    Visibility,
)

SHAREABLE = (Visibility.circle.value, Visibility.community.value, Visibility.research.value)
COMMUNITY = (Visibility.community.value, Visibility.research.value)


def reads_community(viewer: User | None) -> bool:
    """Whether ``viewer`` reads every ``community`` and ``research`` dream (any active signed-in person).
    :func:`readable_clause` is built on it; the archive's text index counts those dreams apart on it."""
    return viewer is not None and not viewer.disabled


def readable_clause(viewer: User | None) -> ColumnElement[bool]:
    """A WHERE clause true exactly for the dreams ``viewer`` may read."""
    if viewer is None or not reads_community(viewer):
        return false()
    in_my_circle = exists(
        select(DreamCircle.dream_id)
        .join(CircleMember, CircleMember.circle_id == DreamCircle.circle_id)
        .where(DreamCircle.dream_id == Dream.id, CircleMember.user_id == viewer.id)
    )
    return or_(
        Dream.owner_id == viewer.id,
        Dream.visibility.in_(COMMUNITY),
        and_(Dream.visibility.in_(SHAREABLE), in_my_circle),
    )


def readable_dreams(viewer: User | None) -> Select[Dream]:
    """All dreams ``viewer`` may read; narrow it further, never widen it."""
    return select(Dream).where(readable_clause(viewer))


def circle_dreams(viewer: User | None, circle_id: str) -> Select[Dream]:
    """The dreams shared into one circle that ``viewer`` may read there (members only)."""
    if viewer is None or viewer.disabled:
        return select(Dream).where(false())
    is_member = exists(
        select(CircleMember.user_id).where(
            CircleMember.circle_id == circle_id, CircleMember.user_id == viewer.id
        )
    )
    return (
        select(Dream)
        .join(DreamCircle, DreamCircle.dream_id == Dream.id)
        .where(DreamCircle.circle_id == circle_id, Dream.visibility.in_(SHAREABLE), is_member)
    )


def own_dreams(viewer: User) -> Select[Dream]:
    return select(Dream).where(Dream.owner_id == viewer.id)


def research_dreams(viewer: User | None) -> Select[Dream]:
    """Dreams whose dreamers consented to research use. Only archivists, guardians and admins export."""
    allowed = viewer is not None and not viewer.disabled and viewer.role in {"archivist", "guardian", "admin"}
    return select(Dream).where(Dream.visibility == Visibility.research.value if allowed else false())


def community_clause() -> ColumnElement[bool]:
    """Dreams that may be counted in community-wide statistics."""
    return Dream.visibility.in_(COMMUNITY)


def is_owner(viewer: User | None, dream: Dream) -> bool:
    return viewer is not None and dream.owner_id == viewer.id


def stricter_attribution(*modes: str) -> str:
    """The strictest of several attribution modes (anonymous beats alias beats named)."""
    return max((Attribution(m) for m in modes), key=ATTRIBUTION_STRICTNESS.__getitem__).value


def author_label(dream: Dream, viewer: User | None, circle_mode: str | None = None) -> dict[str, str | None]:
    """How the dreamer is shown to ``viewer``: as the dreamer chose, never less strict."""
    if is_owner(viewer, dream):
        return {"attribution": "self", "name": dream.owner.display_name}
    mode = stricter_attribution(dream.attribution, circle_mode or Attribution.named.value)
    return {"attribution": mode, "name": shown_name(mode, dream.owner)}


def shown_name(mode: str, person: User) -> str | None:
    """The name an attribution mode shows: the display name, the alias, or nothing at all."""
    if mode == Attribution.named.value:
        return person.display_name
    if mode == Attribution.alias.value:
        return person.alias
    return None


__all__ = [
    "author_label",
    "circle_dreams",
    "community_clause",
    "is_owner",
    "own_dreams",
    "readable_clause",
    "readable_dreams",
    "reads_community",
    "research_dreams",
    "shown_name",
    "stricter_attribution",
]
