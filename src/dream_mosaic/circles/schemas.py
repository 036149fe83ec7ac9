from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dream_mosaic.journal.schemas import clean_text

MAX_CONTRIBUTION = 8000


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


class PhaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=32)
    label: str | None = Field(default=None, max_length=60)
    allows: list[Literal["dream", "association", "reflection", "tap"]] | None = None
    minutes: int | None = Field(default=None, ge=1, le=600)
    hint: str | None = Field(default=None, max_length=300)


class SessionOpen(BaseModel):
    """A guide opens a live session of a circle."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=200)
    phases: list[PhaseIn] | None = Field(default=None, max_length=12,
                                         description="Defaults: gathering, sharing, associating, weaving, "
                                                     "reflection, closed (or the circle's own list).")
    moderation: Literal["permissive", "strict"] = "permissive"
    hold_until_reveal: bool = False
    admission: Literal["waitlist", "lottery"] = "waitlist"
    capacity: int | None = Field(default=None, ge=1, le=10_000, description="Seats; default the circle's.")
    max_waiting: int = Field(default=500, ge=0, le=50_000)
    min_group: int = Field(default=3, ge=2, le=50, description="k: aggregates need k people present.")


class SessionControl(BaseModel):
    """What a guide changes while the session runs."""

    model_config = ConfigDict(extra="forbid")

    phase: str | None = Field(default=None, max_length=32)
    paused: bool | None = None
    locked: bool | None = None
    moderation: Literal["permissive", "strict"] | None = None
    hold_until_reveal: bool | None = None
    draw: bool | None = Field(default=None, description="Lottery: draw the free seats now.")


class ContributionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                           description="The client's own id: resending it never makes a second one.")
    kind: Literal["dream", "association", "reflection"] = "dream"
    text: str | None = Field(default=None, max_length=MAX_CONTRIBUTION)
    dream_id: str | None = Field(default=None, max_length=32, description="Offer a dream from your journal.")
    parent_id: str | None = Field(default=None, max_length=32, description="The fragment an association answers.")
    attribution: Literal["named", "alias", "anonymous"] | None = Field(
        default=None, description="Your choice; the circle's mode applies if it is stricter.")

    @field_validator("text")
    @classmethod
    def _text(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = clean_text(v, "The text").strip()
        if not v:
            raise ValueError("the text is empty")
        return v

    @model_validator(mode="after")
    def _shape(self) -> ContributionIn:
        if self.kind == "dream" and (self.text is None) == (self.dream_id is None):
            raise ValueError("offer a dream from your journal (dream_id) or write one (text), not both")
        if self.kind != "dream" and (self.text is None or self.dream_id is not None):
            raise ValueError(f"an {self.kind} is written text")
        if self.kind == "association" and self.parent_id is None:
            raise ValueError("an association answers a fragment: give its parent_id")
        return self


class ModerationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reveal", "release", "hide", "hold", "remove"]


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(default="I noticed your words and wanted to check in. Would you like to talk after "
                                 "the circle?", min_length=1, max_length=1000)
