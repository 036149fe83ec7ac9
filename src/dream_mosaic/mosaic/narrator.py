"""Optional narration by any OpenAI-compatible chat endpoint, off unless a URL is configured.

Configure ``MOSAIC_NARRATOR_URL`` (e.g. ``http://127.0.0.1:8080/v1``), optionally ``MOSAIC_NARRATOR_MODEL``
and ``MOSAIC_NARRATOR_API_KEY``. The model is shown the fragments as the mosaic attributes them (never
more) and asked for sentences that each end with the fragments they draw on, as ``[F3]``. What comes back
is checked, not trusted: a sentence without a valid citation is dropped, and so is one that puts in
quotation marks anything that is not, word for word, in a fragment it cites. What is kept is marked as
generated wherever it is shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from dream_mosaic.mosaic.schemas import Fragment, Part, Passage

MAX_FRAGMENTS = 40
MAX_CHARS = 1200
_CITE = re.compile(r"\[\s*F(\d+)\s*\]")
_CITED = re.compile(r"([^\[]+?)\s*((?:\[\s*F\d+\s*\]\s*)+)([.!?])?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_QUOTED = re.compile(r"[“\"]([^”\"]{3,})[”\"]")

SYSTEM = (
    "You connect dream fragments shared in a dream group into a short collective narrative. Rules: "
    "write 3 to 6 sentences; end every sentence with the fragments it draws on, as [F1] or [F2][F5]; "
    "never say what a dreamer felt, meant or thought beyond what their fragment says; never invent "
    "quotations; refer to dreamers only by the labels given; no interpretation of anyone's life."
)


@dataclass
class NarratorConfig:
    url: str
    model: str = "default"
    api_key: str | None = None
    timeout: float = 30.0

    @property
    def endpoint(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


def configured(settings: object | None = None) -> NarratorConfig | None:
    """The narrator from settings (``narrator_url``) or the environment, or None: off by default."""
    url = getattr(settings, "narrator_url", None) or os.environ.get("MOSAIC_NARRATOR_URL")
    if not url:
        return None
    return NarratorConfig(url=url, model=os.environ.get("MOSAIC_NARRATOR_MODEL", "default"),
                          api_key=os.environ.get("MOSAIC_NARRATOR_API_KEY") or None)


def prompt(fragments: Sequence[Fragment]) -> str:
    lines = ["Fragments:"]
    for i, f in enumerate(fragments, 1):
        text = f.text if len(f.text) <= MAX_CHARS else f.text[:MAX_CHARS] + " …"
        lines.append(f"[F{i}] ({f.who}): {text}")
    return "\n".join(lines)


def parse(content: str, fragments: Sequence[Fragment]) -> list[Passage]:
    """Sentences with at least one valid citation and no invented quotation, marked as generated.

    Text before a citation counts only back to the last sentence end: an uncited sentence is dropped.
    """
    out: list[Passage] = []
    for m in _CITED.finditer(content.replace("\n", " ")):
        words = _SENTENCE_END.split(m.group(1).strip())[-1].strip()
        numbers = [int(n) for n in _CITE.findall(m.group(2))]
        cited = [fragments[n - 1] for n in dict.fromkeys(numbers) if 1 <= n <= len(fragments)]
        if not words or not cited or len(cited) != len(set(numbers)):
            continue
        if any(not any(q in f.text for f in cited) for q in _QUOTED.findall(words)):
            continue
        words = words.rstrip(" ,;:") + (m.group(3) or ".")
        out.append(Passage(parts=[Part(kind="text", text=words)], cites=[f.dream_id for f in cited],
                           generated=True))
    return out


def narrate(fragments: Sequence[Fragment], config: NarratorConfig) -> tuple[list[Passage], str | None]:
    """Ask the endpoint for narration of (at most the first ``MAX_FRAGMENTS``) fragments.

    Returns (passages, None) or ([], a note saying why there is no narration): a narrator that is down
    never stops a mosaic from being woven.
    """
    shown = [f for f in fragments if not f.struck][:MAX_FRAGMENTS]
    if not shown:
        return [], None
    headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
    body = {"model": config.model, "temperature": 0.3,
            "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt(shown)}]}
    try:
        response = httpx.post(config.endpoint, json=body, headers=headers, timeout=config.timeout)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        return [], f"Narration was asked for but the narrator did not answer usefully ({type(exc).__name__})."
    passages = parse(str(content), shown)
    if not passages:
        return [], "The narrator's answer had no sentence that cites the fragments properly; none is shown."
    return passages, None
