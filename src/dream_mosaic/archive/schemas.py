"""Pydantic models of the archive's API: search pages, facets, statistics, themes and exports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dream_mosaic.journal.schemas import Author


class SearchHit(BaseModel):
    id: str
    title: str
    text: str
    highlights: list[tuple[int, int]] = Field(default_factory=list,
                                              description="character spans of `text` that matched")
    excerpt: list[tuple[str, bool]] = Field(default_factory=list,
                                            description="a passage around the matches: (text, matched)")
    series: str | None = None
    dreamt_on: date | None = None
    year: int | None = None
    words: int = 0
    dreamer_sex: str | None = None
    lucid: bool = False
    nightmare: bool = False
    recurring: bool = False
    author: Author
    score: float | None = Field(None, description="cosine similarity (semantic search)")
    cursor: int = Field(description="pass as `after` to continue after this result")


class FacetValue(BaseModel):
    value: str
    label: str
    count: int
    filter: str = Field(description="the query filter that selects this value")


class SearchPage(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    query: str = Field(description="the query in normal form")
    semantic: bool = False
    total: int = Field(description="dreams that match the whole query")
    selection_total: int = Field(description="dreams in the selection: the query's filters only")
    share: float | None = Field(description="total / selection_total: the share of the selection that matches")
    results: list[SearchHit]
    next_after: int | None = None
    prev_before: int | None = None
    facets: dict[str, list[FacetValue]] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    took_ms: float = 0.0

    @property
    def items(self) -> list[SearchHit]:
        """The results (the name other features look for)."""
        return self.results


class FrequencyRow(BaseModel):
    key: str
    label: str
    matches: int
    selection: int
    share: float | None


class Frequency(BaseModel):
    query: str
    by: Literal["decade", "year", "series", "sex"]
    total: int
    selection_total: int
    share: float | None
    rows: list[FrequencyRow]
    notes: list[str] = Field(default_factory=list)


class CompareSide(BaseModel):
    selection: str
    matches: int
    selection_total: int
    share: float | None


class Comparison(BaseModel):
    query: str
    a: CompareSide
    b: CompareSide
    cohens_h: float | None
    effect: str
    z: float | None
    p_value: float | None
    significant: bool | None = Field(description="p < 0.05, two-sided")


class ProfileRow(BaseModel):
    indicator: str
    kind: str
    value: float | None
    male_norm: float | None
    female_norm: float | None
    h_vs_male: float | None
    h_vs_female: float | None


class Profile(BaseModel):
    query: str
    dreams: int = Field(description="dreams in the selection")
    analysed: int = Field(description="of those, dreams with a current analysis that the profile uses")
    sampled: bool
    rows: list[ProfileRow]
    notes: list[str] = Field(default_factory=list)


class Fragment(BaseModel):
    dream_id: str
    text: str


class ThemeOut(BaseModel):
    number: int
    label: str
    keywords: list[str]
    size: int
    fragments: list[Fragment]
    over_time: dict[str, int] = Field(description="members per decade")
    runs: int
    new: bool = False


class ThemesOut(BaseModel):
    query: str
    space: str | None = None
    dreams: int
    themes: list[ThemeOut]
    decades: list[str]
    notes: list[str] = Field(default_factory=list)


class ThemeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field("", max_length=1000)
    k: int | None = Field(None, ge=2, le=30)


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field("", max_length=1000)
    format: Literal["csv", "jsonl", "parquet"] = "csv"


class ExportOut(BaseModel):
    id: str
    query: str
    format: str
    status: str
    rows: int
    error: str | None = None
    created_at: datetime
    finished_at: datetime | None = None
    download: str | None = None
