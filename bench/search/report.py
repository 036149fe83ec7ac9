"""Print ``bench/results/search.json`` as the Markdown tables of docs/archive.md.

    python -m bench.search.report [PATH]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench import RESULTS

KINDS = ["keyword", "phrase", "regex", "semantic_top20", "filtered", "keyword_with_facets", "first_page",
         "deep_page_100"]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS / "search.json"
    data = json.loads(path.read_text())
    runs = data["runs"]
    print("| corpus | database | dreams | import with indexing | index build | full-text index | "
          "search documents | load average (1 min) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in runs:
        size = r["index_size"]
        extra = f" + trigram {size['trigram_index_mb']} MB" if "trigram_index_mb" in size else ""
        load = r.get("load_average", {})
        print(f"| {r['corpus']} | {r['backend']} | {r['dreams']:,} | {r['import_with_index_s']} s | "
              f"{r['index_build_s']} s | {size['full_text_index_mb']} MB{extra} | {size['search_documents_mb']} MB | "
              f"{load.get('before', ['?'])[0]} → {load.get('after', ['?'])[0]} |")
    for mode, title in (("cold_counts", "every count computed (cache off)"),
                        ("cached_counts", "steady state (count cache on)")):
        print(f"\nLatency through the API, p50 / p95 in ms, {title}:\n")
        heads = [f"{r['corpus']} {r['backend']}" for r in runs]
        print("| query | " + " | ".join(heads) + " |")
        print("| --- |" + " --- |" * len(runs))
        for kind in KINDS:
            cells = []
            for r in runs:
                m = r.get(mode, {}).get(kind)
                cells.append(f"{m['p50_ms']:.0f} / {m['p95_ms']:.0f}" if m else "—")
            print(f"| {kind.replace('_', ' ')} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
