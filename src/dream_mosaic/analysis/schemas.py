"""Pydantic models of one dream's analysis (Hall & Van de Castle content categories and more)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

EmotionCode = Literal["AN", "AP", "SD", "CO", "HA"]
EMOTION_CODES: tuple[str, ...] = ("AN", "AP", "SD", "CO", "HA")
EMOTION_NAMES: dict[str, str] = {
    "AN": "anger",
    "AP": "apprehension",
    "SD": "sadness",
    "CO": "confusion",
    "HA": "happiness",
}
Span = tuple[int, int]


class Emotion(BaseModel):
    """One emotion class felt by one character, with the words that state it."""

    code: EmotionCode
    character: str = Field(description='"D" for the dreamer, else an HVdC character code or "other"')
    spans: list[Span] = Field(default_factory=list, description="character offsets into the text")
    words: list[str] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)


class Character(BaseModel):
    """A character of the dream, coded as Hall & Van de Castle do: number, sex, identity, age."""

    code: str = Field(description="e.g. 1MKA = one male, known, adult; 2ANI = animals; 1CZZ = creature")
    text: str
    span: Span
    count: int = Field(default=1, description="mentions of this character in the report")
    number: Literal["1", "2"] = "1"
    sex: Literal["M", "F", "J", "I", ""] = "I"
    identity: str = "U"
    age: str = "A"
    kind: Literal["human", "animal", "creature"] = "human"


class Interaction(BaseModel):
    """A social interaction: aggression, friendliness or sexuality, initiator to recipient."""

    kind: Literal["aggression", "friendliness", "sexuality"]
    initiator: str = Field(description='"D", a character code, or "" when unknown')
    recipient: str
    span: Span
    words: list[str] = Field(default_factory=list)
    physical: bool = False


class Setting(BaseModel):
    location: Literal["indoor", "outdoor"]
    familiarity: Literal["familiar", "unfamiliar", "questionable"]
    span: Span
    words: list[str] = Field(default_factory=list)


class Event(BaseModel):
    """A misfortune, good fortune, success or failure, and whom it involves."""

    kind: Literal["misfortune", "good_fortune", "success", "failure"]
    character: str = "D"
    span: Span
    words: list[str] = Field(default_factory=list)
    bodily: bool = False


class DistressSignal(BaseModel):
    """A statement about the dreamer's waking life that suggests risk. Shown to guides only."""

    kind: Literal["self_harm", "suicidal_ideation", "hopelessness", "worthlessness", "crisis"]
    sentence: str
    span: Span
    confidence: float = Field(ge=0.0, le=1.0)
    rule: str = ""


class AnalysisContent(BaseModel):
    """What the analysis says about a dream, without distress signals: what every reader may see."""

    emotions: list[Emotion] = Field(default_factory=list)
    valence: float = Field(default=0.0, ge=-1.0, le=1.0)
    characters: list[Character] = Field(default_factory=list)
    dreamer_present: bool = False
    interactions: list[Interaction] = Field(default_factory=list)
    settings: list[Setting] = Field(default_factory=list)
    misfortunes: list[Event] = Field(default_factory=list)
    good_fortunes: list[Event] = Field(default_factory=list)
    successes: list[Event] = Field(default_factory=list)
    failures: list[Event] = Field(default_factory=list)
    motifs: list[str] = Field(default_factory=list)


class DreamAnalysis(AnalysisContent):
    distress: list[DistressSignal] = Field(default_factory=list)
    versions: dict[str, str] = Field(default_factory=dict)

    def emotion_codes(self, character: str | None = None) -> set[str]:
        """The emotion classes present (optionally only those felt by ``character``)."""
        return {e.code for e in self.emotions if character is None or e.character == character}
