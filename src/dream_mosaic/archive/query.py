"""The archive's query language, parsed into a small syntax tree. Pure: no database, no I/O.

    teeth                      a word (case-insensitive, matched as a whole word, never stemmed)
    teeth*   *eeth   t*th      wildcards (a trailing ``*`` is a prefix; elsewhere it becomes a regex)
    "my teeth fell out"        a phrase
    /teeth? (fell|fall)/       a regular expression over the text (case-insensitive, a safe subset)
    a AND b   a b              both (AND may be left out)
    a OR b                     either
    NOT a   -a                 not
    ( … )                      grouping
    series:norms-f             a field filter; see FIELDS for every field and its values

Operators are upper-case (``and``/``or``/``not`` in lower case are searched as words). The top-level
conjuncts made only of field filters form the *selection* (what DreamBank calls the set of dreams a
share is computed over); the whole query gives the *matches*.

The mosaic and other features reuse :func:`parse` and then ``archive.service.search``.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib regex parser, to check a pattern is safe before running it
from dataclasses import dataclass, field
from datetime import date
from typing import Union

MAX_QUERY_CHARS = 1000
MAX_REGEX_CHARS = 200
MAX_TERMS = 40


class QueryError(ValueError):
    """A query that cannot be understood; the message says what to change."""


# --- the syntax tree -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    text: str  # lower-case word characters only
    prefix: bool = False

    def __str__(self) -> str:
        return self.text + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]

    def __str__(self) -> str:
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True)
class Regex:
    pattern: str
    literals: tuple[str, ...] = ()  # substrings every match must contain (a cheap pre-filter)
    any_of: tuple[str, ...] = ()  # substrings of which every match contains at least one

    def __str__(self) -> str:
        return "/" + self.pattern + "/"


@dataclass(frozen=True)
class Filter:
    """A field filter, normalised: ``name`` is canonical, ``op`` one of in, >=, <=, =, between, like."""

    name: str
    op: str
    value: tuple[str | int, ...]

    def __str__(self) -> str:
        if self.op == "in":
            suffix = "s" if self.name == "decade" else ""
            return f"{self.name}:{','.join(f'{v}{suffix}' for v in self.value)}"
        if self.op == "between":
            return f"{self.name}:{self.value[0]}-{self.value[1]}"
        if self.op in (">=", "<="):
            return f"{self.name}:{self.op}{self.value[0]}"
        if self.name == "decade":
            return f"decade:{self.value[0]}s"
        return f"{self.name}:{self.value[0]}"


@dataclass(frozen=True)
class Not:
    item: Node

    def __str__(self) -> str:
        return f"NOT {_wrap(self.item)}"


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(_wrap(i) for i in self.items)


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(_wrap(i) for i in self.items)


Node = Union[Word, Phrase, Regex, Filter, Not, And, Or]  # noqa: UP007 (a runtime alias)
TEXT_NODES = (Word, Phrase, Regex)


def _wrap(node: Node) -> str:
    return f"({node})" if isinstance(node, (And, Or)) else str(node)


@dataclass(frozen=True)
class Query:
    """A parsed query: ``root`` (None for 'everything'), split into selection and match."""

    root: Node | None
    text: str = ""
    words: tuple[str, ...] = field(default=(), compare=False)

    @property
    def conjuncts(self) -> tuple[Node, ...]:
        if self.root is None:
            return ()
        return self.root.items if isinstance(self.root, And) else (self.root,)

    @property
    def selection(self) -> Node | None:
        """The filter-only part: the dreams a share is computed over."""
        parts = tuple(c for c in self.conjuncts if is_filter_only(c))
        return _and(parts)

    @property
    def has_text(self) -> bool:
        """True if the query says anything about the words of a dream (not only filters)."""
        return any(not is_filter_only(c) for c in self.conjuncts)

    def canonical(self) -> str:
        """A normal form: the same query written differently gives the same string."""
        return "" if self.root is None else str(self.root)

    def highlight_terms(self) -> list[Node]:
        """Positive text nodes (not under NOT), for highlighting."""
        out: list[Node] = []

        def walk(node: Node, negated: bool) -> None:
            if isinstance(node, Not):
                walk(node.item, not negated)
            elif isinstance(node, (And, Or)):
                for item in node.items:
                    walk(item, negated)
            elif isinstance(node, TEXT_NODES) and not negated:
                out.append(node)

        if self.root is not None:
            walk(self.root, False)
        return out


def is_filter_only(node: Node) -> bool:
    if isinstance(node, Filter):
        return True
    if isinstance(node, Not):
        return is_filter_only(node.item)
    if isinstance(node, (And, Or)):
        return all(is_filter_only(i) for i in node.items)
    return False


def is_text_only(node: Node) -> bool:
    if isinstance(node, TEXT_NODES):
        return True
    if isinstance(node, Not):
        return is_text_only(node.item)
    if isinstance(node, (And, Or)):
        return all(is_text_only(i) for i in node.items)
    return False


def _and(parts: tuple[Node, ...]) -> Node | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


# --- fields -------------------------------------------------------------------------------------------

EMOTIONS = {
    "an": "AN", "anger": "AN", "angry": "AN",
    "ap": "AP", "apprehension": "AP", "fear": "AP", "afraid": "AP", "anxiety": "AP",
    "sd": "SD", "sadness": "SD", "sad": "SD",
    "co": "CO", "confusion": "CO", "confused": "CO", "surprise": "CO",
    "ha": "HA", "happiness": "HA", "happy": "HA", "joy": "HA",
}
CHARACTERS = ("animal", "creature", "human", "male", "female", "known", "family", "stranger", "prominent",
              "child", "group", "dreamer")
INTERACTIONS = {"aggression": "aggression", "aggressive": "aggression", "physical": "physical",
                "friendliness": "friendliness", "friendly": "friendliness", "sexuality": "sexuality",
                "sexual": "sexuality"}
FLAGS = ("lucid", "nightmare", "recurring")
SEXES = {"f": "F", "female": "F", "woman": "F", "women": "F", "m": "M", "male": "M", "man": "M", "men": "M"}

# Every field, what it filters and an example: the page and the docs show this table.
FIELDS: dict[str, tuple[str, str]] = {
    "series": ("collection (a DreamBank series or an imported journal) by slug; * wildcards, commas = any",
               "series:norms-f,norms-m"),
    "sex": ("the dreamer's sex: F or M", "sex:F"),
    "age": ("the dreamer's age group as recorded, or a range of years of age", "age:18-25"),
    "circle": ("dreams shared into a circle you belong to (id or name)", "circle:\"New Moon Circle\""),
    "year": ("the year the dream was dreamt; from:/to: give a range", "from:1990 to:1999"),
    "decade": ("the decade, from the night or, when only the series' timeframe is known, from it",
               "decade:1950s"),
    "date": ("a day, a year, a range of years or a decade", "date:1995 · date:1990-1999 · date:1990s"),
    "emotion": ("an HVdC emotion found by the analysis: AN, AP, SD, CO, HA (or anger, fear, …)", "emotion:AP"),
    "character": ("a kind of character found by the analysis: " + ", ".join(CHARACTERS), "character:animal"),
    "interaction": ("a social interaction found by the analysis: aggression, physical, friendliness, "
                    "sexuality", "interaction:aggression"),
    "flag": ("a flag the dreamer set: lucid, nightmare, recurring", "flag:nightmare"),
    "words": ("length in words: >N, <N, N-M or N", "words:>100"),
    "lang": ("the language of the report (en, de, …)", "lang:de"),
    "tag": ("a tag the dreamer gave", "tag:water"),
}
ALIASES = {"collection": "series", "language": "lang", "length": "words", "emotions": "emotion",
           "characters": "character", "interactions": "interaction", "flags": "flag", "tags": "tag",
           "gender": "sex"}


def _int(text: str, name: str) -> int:
    if not re.fullmatch(r"\d{1,7}", text):
        raise QueryError(f"{name}: expects a whole number, not {text!r}.")
    return int(text)


def _year(text: str, name: str) -> int:
    year = _int(text, name)
    if not 1 <= year <= 9999:
        raise QueryError(f"{name}: {text!r} is not a year.")
    return year


def _range(name: str, value: str, column: str) -> Filter:
    """``>N``, ``<N``, ``>=N``, ``N-M`` or ``N`` over a numeric column."""
    m = re.fullmatch(r"(>=|<=|>|<)?(\d+)(?:-(\d+))?", value)
    if not m:
        raise QueryError(f"{name}: use >N, <N, N-M or N (for example {name}:>100), not {value!r}.")
    op, low, high = m.group(1), int(m.group(2)), m.group(3)
    if high is not None:
        if op:
            raise QueryError(f"{name}: a range N-M takes no comparison sign.")
        lo, hi = sorted((low, int(high)))
        return Filter(column, "between", (lo, hi))
    if op in (">", ">="):
        return Filter(column, ">=", (low + (op == ">"),))
    if op in ("<", "<="):
        return Filter(column, "<=", (low - (op == "<"),))
    return Filter(column, "between", (low, low))


def _choices(name: str, value: str, allowed: dict[str, str] | tuple[str, ...]) -> Filter:
    mapping = allowed if isinstance(allowed, dict) else {a: a for a in allowed}
    out: list[str] = []
    for part in value.split(","):
        key = part.strip().lower()
        if key not in mapping:
            known = sorted(set(mapping.values()))
            raise QueryError(f"{name}: {part!r} is not known; use one of {', '.join(known)}.")
        out.append(mapping[key])
    return Filter(name, "in", tuple(dict.fromkeys(out)))


def make_filter(raw_name: str, value: str) -> Filter:
    """A field filter from ``name:value`` as typed."""
    name = ALIASES.get(raw_name.lower(), raw_name.lower())
    value = value.strip()
    if not value:
        raise QueryError(f"{name}: needs a value, for example {FIELDS.get(name, ('', name + ':…'))[1]}.")
    if name == "series":
        parts = [p.strip().lower() for p in value.split(",") if p.strip()]
        if not all(re.fullmatch(r"[\w.*-]{1,120}", p) for p in parts):
            raise QueryError("series: a series slug has letters, digits, '-', '_' and '*' only.")
        return Filter("series", "in", tuple(parts))
    if name == "sex":
        return _choices("sex", value, SEXES)
    if name == "age":
        if re.fullmatch(r"[<>]?=?\d+(-\d+)?", value):
            return _range("age", value, "age_years")
        return Filter("age", "in", tuple(p.strip().lower() for p in value.split(",") if p.strip()))
    if name == "circle":
        return Filter("circle", "=", (value[:120],))
    if name in ("from", "to"):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise QueryError(f"{name}: {value!r} is not a date.") from exc
            return Filter("night", ">=" if name == "from" else "<=", (value,))
        year = _year(value, name)
        return Filter("year", ">=" if name == "from" else "<=", (year,))
    if name in ("date", "year", "decade"):
        m = re.fullmatch(r"(\d{3})0s", value)
        if m or name == "decade":
            if not m:
                m = re.fullmatch(r"(\d{3})0s?", value)
            if not m:
                raise QueryError(f"{name}: write a decade like 1950s.")
            return Filter("decade", "in", (int(m.group(1)) * 10,))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise QueryError(f"{name}: {value!r} is not a date.") from exc
            return Filter("night", "=", (value,))
        m = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", value)
        if not m:
            raise QueryError(f"{name}: write a year (1995), a range (1990-1999), a decade (1990s) or a day "
                             "(1995-06-01).")
        lo, hi = sorted((int(m.group(1)), int(m.group(2) or m.group(1))))
        return Filter("year", "between", (lo, hi))
    if name == "emotion":
        return _choices("emotion", value, EMOTIONS)
    if name == "character":
        return _choices("character", value, CHARACTERS)
    if name == "interaction":
        return _choices("interaction", value, INTERACTIONS)
    if name == "flag":
        return _choices("flag", value, FLAGS)
    if name == "words":
        return _range("words", value, "words")
    if name == "lang":
        codes = tuple(p.strip().lower() for p in value.split(",") if p.strip())
        if not all(re.fullmatch(r"[a-z]{2,3}", p) for p in codes):
            raise QueryError("lang: use a language code such as en or de.")
        return Filter("lang", "in", codes)
    if name == "tag":
        return Filter("tag", "=", (value.lower()[:40],))
    known = ", ".join(sorted(FIELDS))
    raise QueryError(f"There is no field {raw_name!r}; the fields are {known}.")


# --- regular expressions -------------------------------------------------------------------------------

_ALLOWED_OPS = {"LITERAL", "NOT_LITERAL", "ANY", "IN", "BRANCH", "SUBPATTERN", "MAX_REPEAT", "MIN_REPEAT",
                "AT", "CATEGORY", "RANGE", "NEGATE"}


def make_regex(pattern: str) -> Regex:
    """A checked regular expression with its pre-filters."""
    literals = check_regex(pattern)
    return Regex(pattern, literals, () if literals else _alternatives(pattern))


def _alternatives(pattern: str) -> tuple[str, ...]:
    """For a pattern whose first part is a group of plain alternatives, ``(gun|knife)s?``, those words:
    every match contains one of them."""
    parsed = sre_parse.parse(pattern, re.IGNORECASE)
    for op, arg in parsed:
        if str(op) != "SUBPATTERN":
            return ()
        body = list(arg[3])
        if len(body) != 1 or str(body[0][0]) != "BRANCH":
            return ()
        words = []
        for branch in body[0][1][1]:
            if not branch or not all(str(o) == "LITERAL" for o, _ in branch):
                return ()
            words.append("".join(chr(a) for _, a in branch).lower())
        return tuple(words) if all(len(w) >= 3 for w in words) else ()
    return ()


def check_regex(pattern: str) -> tuple[str, ...]:
    """Accept only patterns that run in time linear-ish in the text (no backreferences, lookarounds or
    nested repetition, the causes of catastrophic backtracking). Returns literal substrings every match
    contains (lower-case), used as a fast pre-filter."""
    if not pattern:
        raise QueryError("An empty regular expression matches everything; write some text between / /.")
    if len(pattern) > MAX_REGEX_CHARS:
        raise QueryError(f"A regular expression may be at most {MAX_REGEX_CHARS} characters.")
    try:
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
    except re.error as exc:
        raise QueryError(f"The regular expression /{pattern}/ is not valid: {exc}.") from exc

    def walk(items: object, depth_repeat: int) -> None:
        for op, arg in items:  # type: ignore[attr-defined]
            name = str(op)
            if name not in _ALLOWED_OPS:
                raise QueryError(
                    f"/{pattern}/ uses a feature the archive does not run (backreferences, lookaround, "
                    "flags or groups inside patterns); keep to letters, ., [ ], ( | ), ?, *, +, {m,n}, "
                    "\\b, \\w, \\d, \\s, ^ and $.")
            if name in ("MAX_REPEAT", "MIN_REPEAT"):
                if depth_repeat:
                    raise QueryError(f"/{pattern}/ repeats a repetition (like (a+)+), which can take "
                                     "forever; simplify it.")
                walk(arg[2], depth_repeat + 1)
            elif name == "SUBPATTERN":
                walk(arg[3], depth_repeat)
            elif name == "BRANCH":
                for branch in arg[1]:
                    walk(branch, depth_repeat)

    walk(parsed, 0)
    if re.search(r"\\[1-9]|\(\?", pattern):
        raise QueryError(f"/{pattern}/: backreferences and (?…) groups are not supported.")
    # Literal runs at the top level, outside any optional part, must appear in every match.
    literals: list[str] = []
    run: list[str] = []
    for op, arg in parsed:
        if str(op) == "LITERAL":
            run.append(chr(arg))
            continue
        if run:
            literals.append("".join(run))
        run = []
        if str(op) == "MAX_REPEAT" and arg[0] >= 1 and all(str(o) == "LITERAL" for o, _ in arg[2]):
            literals.append("".join(chr(a) for _, a in arg[2]))
    if run:
        literals.append("".join(run))
    if any(str(op) == "BRANCH" for op, _ in parsed):
        literals = []
    return tuple(sorted({lit.lower() for lit in literals if len(lit.strip()) >= 3}, key=len, reverse=True)[:3])


# --- the parser ----------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<field>[A-Za-z_]+):(?P<fvalue>"[^"]*"|[^\s()"]*)
  | (?P<phrase>"[^"]*"?)
  | (?P<regex>/(?:\\.|[^/\\])*/)
  | (?P<minus>-(?=[\w"/(*]))
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_WORD_CHARS = re.compile(r"[^\W_]+(?:\*[^\W_]*)*\*?|\*[^\W_]+(?:\*[^\W_]*)*\*?", re.UNICODE)


def _tokens(text: str) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # pragma: no cover - the word alternative matches anything else
            raise QueryError(f"Cannot read the query near {text[pos:pos + 20]!r}.")
        pos = m.end()
        kind = m.lastgroup or ""
        if kind == "space":
            continue
        if kind in ("field", "fvalue"):
            value = m.group("fvalue")
            out.append(("field", m.group("field"), value[1:-1] if value.startswith('"') else value))
            continue
        out.append((kind, m.group(kind), ""))
    return out


def _word_node(raw: str) -> Node | None:
    """A typed word: a word, a prefix, a regex for inner wildcards, or a phrase if it has punctuation."""
    parts = _WORD_CHARS.findall(raw.lower())
    if not parts:
        return None
    if len(parts) > 1:
        return Phrase(tuple(p.replace("*", "") for p in parts if p.replace("*", "")))
    token = parts[0]
    if "*" not in token:
        return Word(token)
    if token.count("*") == 1 and token.endswith("*"):
        if len(token) < 3:
            raise QueryError(f"{raw!r}: a wildcard needs at least two letters before the *.")
        return Word(token[:-1], prefix=True)
    pattern = r"\b" + r"\w*".join(re.escape(p) for p in token.split("*")) + r"\b"
    return make_regex(pattern)


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, str]]) -> None:
        self.tokens = tokens
        self.i = 0
        self.terms = 0

    def peek(self) -> tuple[str, str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str, str]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse_or(self) -> Node | None:
        items = [self.parse_and()]
        while (tok := self.peek()) is not None and tok[0] == "word" and tok[1] == "OR":
            self.take()
            items.append(self.parse_and())
        present = [i for i in items if i is not None]
        if len(items) == 1 and not present:
            return None
        if len(present) != len(items):
            raise QueryError("OR needs something on both sides.")
        if not present:
            return None
        return present[0] if len(present) == 1 else Or(tuple(_flatten(present, Or)))

    def parse_and(self) -> Node | None:
        items: list[Node] = []
        while (tok := self.peek()) is not None:
            if tok[0] == "rparen" or (tok[0] == "word" and tok[1] == "OR"):
                break
            if tok[0] == "word" and tok[1] == "AND":
                self.take()
                if not items:
                    raise QueryError("AND needs something on both sides.")
                continue
            node = self.parse_unary()
            if node is not None:
                items.append(node)
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(_flatten(items, And)))

    def parse_unary(self) -> Node | None:
        tok = self.peek()
        if tok is not None and (tok[0] == "minus" or (tok[0] == "word" and tok[1] == "NOT")):
            self.take()
            inner = self.parse_unary()
            if inner is None:
                raise QueryError("NOT needs something after it.")
            return inner.item if isinstance(inner, Not) else Not(inner)
        return self.parse_atom()

    def count(self) -> None:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(f"A query may have at most {MAX_TERMS} terms.")

    def parse_atom(self) -> Node | None:
        if self.peek() is None:
            raise QueryError("The query ends too early: something is missing after the last operator.")
        kind, value, extra = self.take()
        if kind == "lparen":
            inner = self.parse_or()
            close = self.peek()
            if close is None or close[0] != "rparen":
                raise QueryError("A '(' is not closed.")
            self.take()
            return inner
        if kind == "rparen":
            raise QueryError("A ')' has no matching '('.")
        self.count()
        if kind == "field":
            return make_filter(value, extra)
        if kind == "phrase":
            if not value.endswith('"') or len(value) < 2:
                raise QueryError('A phrase is not closed: add the second ".')
            words = tuple(w.replace("*", "") for w in _WORD_CHARS.findall(value[1:-1].lower()))
            words = tuple(w for w in words if w)
            if not words:
                return None
            return Word(words[0]) if len(words) == 1 else Phrase(words)
        if kind == "regex":
            pattern = value[1:-1].replace("\\/", "/")
            return make_regex(pattern)
        if kind == "minus":  # pragma: no cover - handled in parse_unary
            return None
        return _word_node(value)


def _flatten(items: list[Node], kind: type[And] | type[Or]) -> list[Node]:
    out: list[Node] = []
    for item in items:
        out.extend(item.items if isinstance(item, (And, Or)) and isinstance(item, kind) else (item,))
    return out


def parse(text: str) -> Query:
    """Parse a query as typed. Raises :class:`QueryError` with a message for a person."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"A query may be at most {MAX_QUERY_CHARS} characters.")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise QueryError("The query contains control characters.")
    if text.count("(") != text.count(")") and not re.search(r'["/]', text):
        raise QueryError("The parentheses do not balance.")
    parser = _Parser(_tokens(text))
    root = parser.parse_or()
    if parser.peek() is not None:
        raise QueryError("A ')' has no matching '('.")
    if root is not None and not isinstance(root, (And, Or, Not, *TEXT_NODES, Filter)):  # pragma: no cover
        raise QueryError("Cannot read the query.")
    if isinstance(root, Not) or (isinstance(root, And) and all(isinstance(i, Not) for i in root.items)):
        pass  # "everything except …" is allowed: it is computed within the selection
    words = tuple(w for n in Query(root).highlight_terms() for w in _node_words(n))
    return Query(root, text, words)


def _node_words(node: Node) -> tuple[str, ...]:
    if isinstance(node, Word):
        return (node.text,)
    if isinstance(node, Phrase):
        return node.words
    return ()


__all__ = [
    "FIELDS", "And", "Filter", "Node", "Not", "Or", "Phrase", "Query", "QueryError", "Regex", "Word",
    "check_regex", "is_filter_only", "is_text_only", "make_filter", "parse",
]
