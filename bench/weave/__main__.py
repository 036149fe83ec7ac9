"""How fast the mosaic weaves: ``python -m bench.weave [--dreams N] [--circle N] [--tsv PATH]``.

1. 10,000 DreamBank dreams (an even stride through ../shared/data/dreambank/dreambank.tsv, read through
   ``journal.formats.read_path``): analysed once with the analysis engine on every core (what the analysis
   feature does when dreams are stored), then woven from those analyses (composition) and rendered as JSON
   and Markdown. Goal: weaving in at most 10 s.
2. A 100-fragment circle through the real service on an embedded SQLite database: consent query,
   analysis, composition, as a guide does it. Goal: at most 1 s.

Writes ``bench/results/weave.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as py_platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[1]

GOAL_ARCHIVE_S = 10.0
GOAL_CIRCLE_S = 1.0


def _records(tsv: Path, n: int) -> list[dict[str, Any]]:
    from dream_mosaic.journal.formats import read_path

    everything = [r for r in read_path(tsv, "dreambank") if (r.get("text") or "").strip()]
    step = max(1, len(everything) // n)
    return everything[::step][:n]


def _fragments(records: list[dict[str, Any]]) -> list[Any]:
    from dream_mosaic.mosaic.schemas import Attribution, Fragment

    return [
        Fragment(dream_id=f"{r.get('collection') or 'db'}-{i}", text=r["text"], title="",
                 attribution=Attribution(attribution="anonymous"),
                 dreamt_on=r["dreamt_on"].isoformat() if r.get("dreamt_on") else None)
        for i, r in enumerate(records)
    ]


def archive_weave(tsv: Path, n: int) -> dict[str, Any]:
    from dream_mosaic.mosaic.render import render
    from dream_mosaic.mosaic.service import analyse_texts
    from dream_mosaic.mosaic.weave import compose

    t0 = time.perf_counter()
    records = _records(tsv, n)
    read_s = time.perf_counter() - t0
    fragments = _fragments(records)
    t0 = time.perf_counter()
    summaries = analyse_texts([f.text for f in fragments])
    analyse_s = time.perf_counter() - t0
    for f, s in zip(fragments, summaries, strict=True):
        f.analysis = s
    t0 = time.perf_counter()
    doc = compose(fragments, title="DreamBank", query=f"{n} DreamBank dreams")
    compose_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    as_json = render(doc, "json")
    json_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    as_md = render(doc, "md")
    md_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    as_html = render(doc, "html")
    html_s = time.perf_counter() - t0
    weave_s = compose_s + json_s
    return {
        "dreams": len(fragments),
        "read_seconds": round(read_s, 2),
        "analysis_seconds_all_cores": round(analyse_s, 2),
        "analysis_dreams_per_second": round(len(fragments) / analyse_s, 1),
        "compose_seconds": round(compose_s, 3),
        "render_json_seconds": round(json_s, 3),
        "render_markdown_seconds": round(md_s, 3),
        "render_html_seconds": round(html_s, 3),
        "weave_seconds": round(weave_s, 3),
        "cold_seconds_including_analysis": round(analyse_s + weave_s, 2),
        "json_megabytes": round(len(as_json) / 1e6, 1),
        "markdown_megabytes": round(len(as_md) / 1e6, 1),
        "html_megabytes": round(len(as_html) / 1e6, 1),
        "shared_motifs": sum(1 for m in doc.motifs if m.shared),
        "phases": {p.key: len(p.dream_ids) for p in doc.phases},
        "goal_seconds": GOAL_ARCHIVE_S,
        "meets_goal": weave_s <= GOAL_ARCHIVE_S,
        "measures": "weave = composition + JSON from the dreams' analyses (stored by the analysis feature); "
                    "the cold figure adds analysing every dream now.",
    }


def circle_weave(tsv: Path, n: int) -> dict[str, Any]:
    from dream_mosaic.core import auth
    from dream_mosaic.core.models import Circle, CircleMember, Dream, DreamCircle
    from dream_mosaic.core.platform import Platform
    from dream_mosaic.core.settings import Settings
    from dream_mosaic.migrations import upgrade
    from dream_mosaic.mosaic import service
    from dream_mosaic.mosaic.render import render

    records = _records(tsv, n)
    with tempfile.TemporaryDirectory(prefix="bench-weave-") as tmp:
        settings = Settings(data_dir=Path(tmp), queue_url="memory://", secret_key="bench", analysis_enabled=False)
        platform = Platform(settings)
        upgrade(platform.db.url)
        with platform.db.transaction() as session:
            guide = auth.create_user(session, "guide", "bench-password-1", "guide", "Guide")
            circle = Circle(name="Bench circle", attribution_mode="alias", created_by=guide.id)
            circle.members = [CircleMember(user_id=guide.id, role="guide")]
            session.add(circle)
            dreamers = [auth.create_user(session, f"d{i}", "bench-password-1", "dreamer", f"Dreamer {i}")
                        for i in range(10)]
            circle.members += [CircleMember(user_id=d.id) for d in dreamers]
            for i, r in enumerate(records):
                dream = Dream(owner_id=dreamers[i % 10].id, text=r["text"], visibility="circle",
                              attribution=("named", "alias", "anonymous")[i % 3], content_hash=f"{i:064d}")
                session.add(dream)
                session.flush()
                session.add(DreamCircle(dream_id=dream.id, circle_id=circle.id))
            circle_id, guide_id = circle.id, guide.id

        def once() -> tuple[float, float, int]:
            with platform.db.transaction(write=False) as session:
                viewer = session.get(type(guide), guide_id)
                t0 = time.perf_counter()
                doc = service.weave_circle(session, viewer, circle_id)
                woven = time.perf_counter() - t0
                t0 = time.perf_counter()
                render(doc, "html")
                return woven, time.perf_counter() - t0, len(doc.fragments)

        cold, html_s, count = once()
        stored = None
        try:
            from dream_mosaic.analysis import service as analysis_service

            with platform.db.transaction(write=False) as session:
                ids = [d for (d,) in session.execute(
                    DreamCircle.__table__.select().with_only_columns(DreamCircle.dream_id))]
            analysis_service.analyse_dreams(platform.db, ids)
            stored, _, _ = once()
        except ImportError:
            pass
        platform.close()
    best = min(cold, stored) if stored is not None else cold
    return {
        "fragments": count,
        "seconds_analysing_now": round(cold, 3),
        "seconds_with_stored_analyses": None if stored is None else round(stored, 3),
        "render_html_seconds": round(html_s, 3),
        "goal_seconds": GOAL_CIRCLE_S,
        "meets_goal": cold <= GOAL_CIRCLE_S,
        "best_seconds": round(best, 3),
        "measures": "service.weave_circle on SQLite: consent query, analysis (cold: now; warm: stored), composition",
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench weave")
    parser.add_argument("--dreams", type=int, default=10_000)
    parser.add_argument("--circle", type=int, default=100)
    parser.add_argument("--tsv", type=Path,
                        default=BENCH.parent.parent / "shared" / "data" / "dreambank" / "dreambank.tsv")
    args = parser.parse_args()
    if not args.tsv.exists():
        print(f"DreamBank not found at {args.tsv}", file=sys.stderr)
        raise SystemExit(2)
    archive = archive_weave(args.tsv, args.dreams)
    print(f"archive: {archive['dreams']} dreams woven in {archive['weave_seconds']} s "
          f"(compose {archive['compose_seconds']} s, JSON {archive['render_json_seconds']} s); "
          f"analysing them first took {archive['analysis_seconds_all_cores']} s on all cores "
          f"({archive['analysis_dreams_per_second']}/s); goal <= {GOAL_ARCHIVE_S} s: "
          f"{'met' if archive['meets_goal'] else 'NOT met'}", flush=True)
    circle = circle_weave(args.tsv, args.circle)
    print(f"circle: {circle['fragments']} fragments woven in {circle['seconds_analysing_now']} s analysing now, "
          f"{circle['seconds_with_stored_analyses']} s with stored analyses; goal <= {GOAL_CIRCLE_S} s: "
          f"{'met' if circle['meets_goal'] else 'NOT met'}", flush=True)
    result = {
        "benchmark": "weave",
        "archive": archive,
        "circle": circle,
        "machine": {"cpus": os.cpu_count(), "python": py_platform.python_version()},
    }
    path = BENCH / "results" / "weave.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
