"""``python -m bench NAME [ARGS…]`` runs ``bench/NAME``; ``python -m bench`` lists and runs them all.

Generic on purpose: any folder ``bench/<name>/`` with a ``__main__.py`` is a benchmark (names may be
Python keywords such as ``import``: modules are found by string, never by an import statement).
"""

from __future__ import annotations

import runpy
import sys

from bench import ROOT


def available() -> list[str]:
    return sorted(p.parent.name for p in ROOT.glob("*/__main__.py"))


def main(argv: list[str]) -> int:
    names = available()
    if argv and argv[0] in {"-h", "--help"}:
        print("usage: python -m bench [NAME [ARGS...]]\nbenchmarks: " + ", ".join(names))
        return 0
    if argv and argv[0] not in names:
        print(f"unknown benchmark {argv[0]!r}; choose one of: {', '.join(names)}", file=sys.stderr)
        return 2
    todo = [(argv[0], argv[1:])] if argv else [(n, []) for n in names]
    for name, args in todo:
        print(f"== bench {name} ==", flush=True)
        saved = sys.argv
        sys.argv = [f"bench.{name}", *args]
        try:
            runpy.run_module(f"bench.{name}", run_name="__main__", alter_sys=True)
        except SystemExit as exc:
            if exc.code not in (0, None):
                return int(exc.code) if isinstance(exc.code, int) else 1
        finally:
            sys.argv = saved
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
