"""What the analysis API answers (the engine's own models are in ``schemas.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from dream_mosaic.analysis.schemas import AnalysisContent, DistressSignal


class SharedAnalysis(AnalysisContent):
    """The analysis as anyone who may read the dream sees it: never any distress signal."""


class DreamerAnalysis(SharedAnalysis):
    """The analysis as its dreamer sees it, with the sentences that raised a distress signal."""

    distress: list[DistressSignal]


class AnalysisOut(BaseModel):
    dream_id: str
    status: Literal["pending", "done", "failed"] = Field(
        description="pending: queued or being retried; done: analysed; failed: gave up (see error)")
    analysis: DreamerAnalysis | SharedAnalysis | None = Field(
        None, description="Absent until the dream's current text has been analysed.")
    versions: dict[str, str] = Field(default_factory=dict, description="Component versions that produced it.")
    analysed_at: datetime | None = None
    attempts: int | None = Field(None, description="Tries so far (the dreamer only).")
    error: str | None = Field(None, description="Why the last try failed (the dreamer only).")


class IndicatorRow(BaseModel):
    indicator: str
    kind: Literal["percent", "index"]
    value: float | None
    male_norm: float | None
    female_norm: float | None
    h_vs_male: float | None = Field(None, description="Cohen's h against the male norm")
    h_vs_female: float | None = Field(None, description="Cohen's h against the female norm")


class IndicatorsOut(BaseModel):
    """Hall & Van de Castle content indicators of a set of dreams, beside the published norms."""

    dreams: int = Field(description="Dreams in the set")
    analysed: int = Field(description="Of those, analysed and counted (a random sample when there are many)")
    sampled: bool
    rows: list[IndicatorRow]


class CastPerson(BaseModel):
    name: str = Field(min_length=1, max_length=60, description="As you write it in your dreams: 'Frank'.")
    relation: str = Field(
        min_length=1, max_length=40,
        description="Who they are to you: husband, wife, mother, father, son, daughter, brother, sister, "
                    "grandmother, grandfather, aunt, uncle, cousin, relative, boyfriend, girlfriend, partner, "
                    "friend, colleague, neighbour, teacher, doctor, therapist, public figure, pet; or an HVdC "
                    "character code such as 1MHA.")


class CastIn(BaseModel):
    people: list[CastPerson] = Field(max_length=100)


class CastPersonOut(CastPerson):
    code: str = Field(description="The HVdC character code the analysis gives this name.")


class CastOut(BaseModel):
    people: list[CastPersonOut]
    reanalysing: int = Field(0, description="How many of your dreams were queued to be analysed again.")
