from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dream_mosaic.journal.schemas import clean_text


class CircleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    purpose: str = Field(default="", max_length=2000)
    capacity: int = Field(default=12, ge=2, le=10_000)
    attribution_mode: Literal["named", "alias", "anonymous"] = "alias"

    @field_validator("name", "purpose")
    @classmethod
    def _clean(cls, v: str) -> str:
        return clean_text(v.strip(), "The text")


class CircleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    purpose: str | None = Field(default=None, max_length=2000)
    capacity: int | None = Field(default=None, ge=2, le=10_000)
    attribution_mode: Literal["named", "alias", "anonymous"] | None = None


class MemberAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    role: Literal["guide", "participant"] = "participant"


class MemberOut(BaseModel):
    name: str
    role: str
    is_you: bool


class CircleOut(BaseModel):
    id: str
    name: str
    purpose: str
    capacity: int
    attribution_mode: str
    member_count: int
    guides: list[str]
    is_member: bool
    my_role: str | None
    created_at: datetime
