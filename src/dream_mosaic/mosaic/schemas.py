"""The mosaic document and the API's shapes.

A mosaic has two layers. The *individual* layer is ``fragments``: every dream's text exactly as its
dreamer wrote it, with the attribution the dreamer and the circle allow. The *collective* layer is
everything derived from them: shared ``motifs``, the emotional ``arc``, what ``resonated`` most, the
circle's Hall & Van de Castle ``profile`` and connecting ``passages`` whose only words about a dream are
quotations of it. A fragment carries a small summary of its analysis, so a mosaic can be recomposed
(after a withdrawal, or a guide's reordering) without reading or analysing any dream again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FORMATS = ("html", "md", "json", "pdf")
Format = Literal["html", "md", "json", "pdf"]


class Attribution(BaseModel):
    """How a dreamer is shown: ``named``, ``alias`` or ``anonymous`` (``name`` is None when anonymous)."""

    attribution: str
    name: str | None = None


class EmotionMark(BaseModel):
    """One emotion class the analysis found, with where its words stand in the fragment's text."""

    code: str
    character: str = "D"
    spans: list[tuple[int, int]] = Field(default_factory=list)
    confidence: float = 1.0


class FragmentAnalysis(BaseModel):
    """What composition needs from the analysis of one dream (kept so a mosaic can be recomposed)."""

    emotions: list[EmotionMark] = Field(default_factory=list)
    valence: float = 0.0
    motifs: list[str] = Field(default_factory=list)
    hvdc: dict[str, Any] = Field(default_factory=dict, description="the report reduced to HVdC codes")
    available: bool = True


class Association(BaseModel):
    """A circle member's association to a dream ("if it were my dream…"), attributed like a fragment."""

    id: str
    text: str
    attribution: Attribution


class Fragment(BaseModel):
    """One dream, intact. ``text`` is exactly the dreamer's words; a struck fragment has no text left."""

    dream_id: str
    text: str
    title: str = ""
    attribution: Attribution
    dreamt_on: str | None = None
    associations: list[Association] = Field(default_factory=list)
    taps: int = Field(default=0, description="members who tapped 'this resonates' in a live session")
    analysis: FragmentAnalysis = Field(default_factory=FragmentAnalysis)
    phase: str = "still"
    struck: bool = False
    note: str | None = None

    @property
    def who(self) -> str:
        return self.attribution.name or "an anonymous dreamer"


class MotifGroup(BaseModel):
    motif: str
    dream_ids: list[str]
    count: int
    shared: bool = Field(description="found in two or more fragments")


class ArcStep(BaseModel):
    """One fragment's place in the emotional arc: its phase, emotion counts and valence."""

    position: int
    dream_id: str
    phase: str
    emotions: dict[str, int]
    valence: float


class Phase(BaseModel):
    key: str
    title: str
    dream_ids: list[str]


class Resonance(BaseModel):
    dream_id: str
    score: float
    associations: int
    taps: int = 0
    shared_motifs: list[str]


class Part(BaseModel):
    """A piece of connecting text: template words, or a quotation that is an exact substring of a fragment."""

    kind: Literal["text", "quote"]
    text: str
    dream_id: str | None = None


class Passage(BaseModel):
    """A connecting sentence. Template passages quote fragments; generated ones are marked and cite them."""

    phase: str | None = None
    parts: list[Part]
    cites: list[str] = Field(default_factory=list)
    generated: bool = False

    @property
    def plain(self) -> str:
        return "".join(f"“{p.text}”" if p.kind == "quote" else p.text for p in self.parts)


class HvdcRow(BaseModel):
    indicator: str
    value: float | None = None
    male_norm: float | None = None
    female_norm: float | None = None


class MosaicDocument(BaseModel):
    """The whole mosaic: what every format renders and what is stored."""

    model_config = ConfigDict(extra="ignore")

    title: str
    circle_id: str | None = None
    circle_name: str | None = None
    query: str | None = None
    status: Literal["draft", "published"] = "draft"
    version: int | None = None
    woven_at: datetime
    fragments: list[Fragment]
    motifs: list[MotifGroup] = Field(default_factory=list)
    arc: list[ArcStep] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    resonance: list[Resonance] = Field(default_factory=list)
    profile: list[HvdcRow] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    narration: list[Passage] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    def fragment(self, dream_id: str) -> Fragment | None:
        return next((f for f in self.fragments if f.dream_id == dream_id), None)

    @property
    def live_fragments(self) -> list[Fragment]:
        return [f for f in self.fragments if not f.struck]


# --- API shapes -------------------------------------------------------------------------------------


class MosaicCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    circle_id: str | None = Field(default=None, max_length=32)
    query: str | None = Field(default=None, min_length=1, max_length=2000)
    title: str | None = Field(default=None, max_length=200)
    narrate: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> MosaicCreate:
        if (self.circle_id is None) == (self.query is None):
            raise ValueError("Give either circle_id or query, not both.")
        return self


class Arrangement(BaseModel):
    """A guide's review: the order of fragments (dream ids) and the ones left out."""

    model_config = ConfigDict(extra="forbid")

    order: list[str] | None = Field(default=None, max_length=20_000)
    excluded: list[str] | None = Field(default=None, max_length=20_000)
    title: str | None = Field(default=None, max_length=200)


class MosaicOut(BaseModel):
    id: str
    circle_id: str | None
    query: str | None
    title: str
    status: str
    versions: list[int]
    order: list[str]
    excluded: list[str]
    updated_at: datetime
    document: MosaicDocument | None = None


class VersionOut(BaseModel):
    mosaic_id: str
    version: int
    published_at: datetime
    document: MosaicDocument


class NoticeOut(BaseModel):
    id: str
    mosaic_id: str
    circle_id: str | None
    version: int
    message: str
    created_at: datetime
    read: bool
