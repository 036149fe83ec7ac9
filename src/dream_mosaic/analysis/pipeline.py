"""A spaCy-style pipeline of named, versioned components over one dream document.

Components register by name with :func:`register_component`; a :class:`Pipeline` is built from a list of
names (the configuration). Each component adds its part to ``doc.analysis`` and the result records
``{name: version}``, so a new version of one component re-analyses only what it changes
(:meth:`Pipeline.stale_components`, :meth:`Pipeline.update`). Plain Python, no I/O beyond a component's
own lazily loaded model file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .schemas import DreamAnalysis
from .text import Sentence, Token, tokenize


@dataclass
class DreamDoc:
    """One dream flowing through the pipeline: text, tokens, and the analysis being built."""

    text: str
    tokens: list[Token]
    sentences: list[Sentence]
    analysis: DreamAnalysis = field(default_factory=DreamAnalysis)
    # Intermediate results shared between components (e.g. character mentions for interactions).
    scratch: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str, analysis: DreamAnalysis | None = None) -> DreamDoc:
        tokens, sentences = tokenize(text)
        return cls(text, tokens, sentences, analysis if analysis is not None else DreamAnalysis())

    def sentence_text(self, s_i: int) -> str:
        s = self.sentences[s_i]
        return self.text[s.start : s.end]


def normalise_cast(cast: Mapping[str, str]) -> dict[str, str]:
    """Lower-case names; keep only well-formed codes (``1FWA``, ``1MKA``, ``1ANI``...)."""
    out: dict[str, str] = {}
    for name, code in cast.items():
        code = code.strip().upper()
        if name.strip() and len(code) == 4 and code[0] in "12" and code[1] in "MFJIAC":
            out[name.strip().lower()] = code
    return out


class Component(Protocol):
    name: str
    version: str
    requires: tuple[str, ...]

    def __call__(self, doc: DreamDoc) -> None: ...


@dataclass
class _Registered:
    factory: Callable[[], Callable[[DreamDoc], None]]
    version: str
    requires: tuple[str, ...]


_REGISTRY: dict[str, _Registered] = {}


def register_component(
    name: str, version: str, requires: Iterable[str] = ()
) -> Callable[[Callable[[], Callable[[DreamDoc], None]]], Callable[[], Callable[[DreamDoc], None]]]:
    """Register a component factory: a zero-argument callable returning ``fn(doc) -> None``.

    ``requires`` names components whose output this one reads; they must come earlier in the config.
    """

    def deco(factory: Callable[[], Callable[[DreamDoc], None]]) -> Callable[[], Callable[[DreamDoc], None]]:
        _REGISTRY[name] = _Registered(factory, version, tuple(requires))
        return factory

    return deco


def registered_components() -> dict[str, str]:
    """Names and versions of every registered component."""
    _load_builtin_components()
    return {name: reg.version for name, reg in _REGISTRY.items()}


def _load_builtin_components() -> None:
    from . import components  # noqa: F401  (registers the built-in components)


DEFAULT_CONFIG: tuple[str, ...] = (
    "characters",
    "emotions",
    "valence",
    "interactions",
    "settings",
    "fortunes",
    "motifs",
    "distress",
)


@dataclass
class _Bound:
    name: str
    version: str
    requires: tuple[str, ...]
    fn: Callable[[DreamDoc], None]


class Pipeline:
    """Components run in configured order over a :class:`DreamDoc`."""

    def __init__(self, config: Iterable[str] = DEFAULT_CONFIG) -> None:
        _load_builtin_components()
        self._components: list[_Bound] = []
        seen: set[str] = set()
        for name in config:
            if name not in _REGISTRY:
                raise KeyError(f"unknown analysis component {name!r}; known: {sorted(_REGISTRY)}")
            reg = _REGISTRY[name]
            missing = [r for r in reg.requires if r not in seen]
            if missing:
                raise ValueError(f"component {name!r} needs {missing} earlier in the pipeline")
            self._components.append(_Bound(name, reg.version, reg.requires, reg.factory()))
            seen.add(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self._components]

    @property
    def versions(self) -> dict[str, str]:
        return {c.name: c.version for c in self._components}

    def __call__(self, text: str, cast: Mapping[str, str] | None = None) -> DreamAnalysis:
        """Analyse ``text``. ``cast`` maps names the dreamer has declared to HVdC character codes
        (``{"Mary": "1FWA"}``: Mary is the dreamer's wife), which no text alone can tell."""
        doc = DreamDoc.from_text(text)
        if cast:
            doc.scratch["cast"] = normalise_cast(cast)
        for c in self._components:
            c.fn(doc)
            doc.analysis.versions[c.name] = c.version
        return doc.analysis

    def stale_components(self, versions: dict[str, str]) -> list[str]:
        """Components whose stored version differs, plus every component that reads their output."""
        stale: set[str] = set()
        for c in self._components:
            if versions.get(c.name) != c.version or any(r in stale for r in c.requires):
                stale.add(c.name)
        return [c.name for c in self._components if c.name in stale]

    def update(self, text: str, previous: DreamAnalysis, cast: Mapping[str, str] | None = None) -> DreamAnalysis:
        """Re-run only the stale components, keeping the rest of ``previous``.

        Components that stale ones read from are re-run too (their output is needed in ``scratch``),
        which gives the same result as a full run for everything that changed.
        """
        stale = set(self.stale_components(previous.versions))
        if not stale:
            return previous
        needed = set(stale)
        for c in reversed(self._components):
            if c.name in needed:
                needed.update(c.requires)
        fresh = DreamDoc.from_text(text)
        if cast:
            fresh.scratch["cast"] = normalise_cast(cast)
        kept = previous.model_copy(deep=True)
        for c in self._components:
            if c.name in needed:
                c.fn(fresh)
        for name in stale:
            for fld in _FIELDS_BY_COMPONENT.get(name, ()):
                setattr(kept, fld, getattr(fresh.analysis, fld))
            kept.versions[name] = self.versions[name]
        return kept


# Which fields of DreamAnalysis each built-in component writes (used by Pipeline.update).
_FIELDS_BY_COMPONENT: dict[str, tuple[str, ...]] = {
    "characters": ("characters", "dreamer_present"),
    "emotions": ("emotions",),
    "valence": ("valence",),
    "interactions": ("interactions",),
    "settings": ("settings",),
    "fortunes": ("misfortunes", "good_fortunes", "successes", "failures"),
    "motifs": ("motifs",),
    "distress": ("distress",),
}


def declare_fields(name: str, fields: tuple[str, ...]) -> None:
    """Declare which analysis fields a (third-party) component writes, for :meth:`Pipeline.update`."""
    _FIELDS_BY_COMPONENT[name] = fields
