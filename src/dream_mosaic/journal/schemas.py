"""What the journal API accepts and answers. Unknown fields are refused, not silently dropped."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dream_mosaic.core.models import Attribution, Visibility

MAX_TEXT = 20_000
# Control characters other than tab, newline and carriage return have no place in a dream report.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

VisibilityName = Literal["private", "circle", "community", "research"]
AttributionName = Literal["named", "alias", "anonymous"]
SortName = Literal["dreamt_on", "-dreamt_on", "created_at", "-created_at", "title", "-title"]


def clean_text(value: str, what: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(f"{what} contains control characters; remove them and try again")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


Tag = Annotated[str, Field(min_length=1, max_length=40)]


class DreamFields(Strict):
    title: str = Field(default="", max_length=200)
    dreamt_on: date | None = Field(default=None, description="The night the dream was dreamt.")
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    lucid: bool = False
    nightmare: bool = False
    recurring: bool = False
    mood: int | None = Field(default=None, ge=1, le=5, description="Self-rated mood on waking, 1 to 5.")

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return clean_text(v.strip(), "The title")

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        seen: list[str] = []
        for tag in v:
            tag = clean_text(tag.strip().lower(), "A tag")
            if tag and tag not in seen:
                seen.append(tag)
        return seen

    @field_validator("dreamt_on")
    @classmethod
    def _not_future(cls, v: date | None) -> date | None:
        if v is not None and v > date.today().replace(year=date.today().year + 1):
            raise ValueError("the night a dream was dreamt cannot be more than a year in the future")
        return v


class ConsentFields(Strict):
    visibility: VisibilityName = "private"
    attribution: AttributionName = "anonymous"
    circle_ids: list[str] = Field(default_factory=list, max_length=50, description="Circles to share into.")


class DreamCreate(DreamFields, ConsentFields):
    text: str = Field(min_length=1, max_length=MAX_TEXT)

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        v = clean_text(v, "The dream text")
        if not v.strip():
            raise ValueError("the dream text is empty")
        return v


class DreamUpdate(Strict):
    """A partial edit: only the fields given change."""

    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=200)
    dreamt_on: date | None = None
    tags: list[Tag] | None = Field(default=None, max_length=30)
    lucid: bool | None = None
    nightmare: bool | None = None
    recurring: bool | None = None
    mood: int | None = Field(default=None, ge=1, le=5)

    @field_validator("text")
    @classmethod
    def _text(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = clean_text(v, "The dream text")
        if not v.strip():
            raise ValueError("the dream text is empty")
        return v

    @field_validator("title")
    @classmethod
    def _title(cls, v: str | None) -> str | None:
        return None if v is None else clean_text(v.strip(), "The title")

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else DreamFields._tags(v)


class ConsentUpdate(ConsentFields):
    pass


class Author(BaseModel):
    attribution: str
    name: str | None


class DreamOut(BaseModel):
    id: str
    title: str
    text: str
    dreamt_on: date | None
    tags: list[str]
    lucid: bool
    nightmare: bool
    recurring: bool
    mood: int | None
    author: Author
    created_at: datetime
    updated_at: datetime
    analysis_status: str
    # Consent is shown to the dreamer only.
    visibility: Visibility | None = None
    attribution: Attribution | None = None
    circle_ids: list[str] | None = None
    collection: str | None = None


class DreamPage(BaseModel):
    items: list[DreamOut]
    total: int
    limit: int
    offset: int


class ImportReport(BaseModel):
    imported: int
    skipped_duplicates: int
    errors: list[str]
