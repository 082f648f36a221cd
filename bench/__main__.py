"""Run every benchmark module in bench/ that has a ``main(argv) -> int``, in name order.

Arguments are passed on to each main that takes them (e.g. ``python -m bench --quick``).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    worst = 0
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        run = getattr(module, "main", None)
        if callable(run):
            print(f"\n## bench.{info.name}\n", flush=True)
            takes_args = bool(inspect.signature(run).parameters)
            try:
                result = run(list(argv)) if takes_args else run()
                if inspect.isawaitable(result):  # an async main (bench.record)
                    result = asyncio.run(result)
                code = result or 0
            except SystemExit as exc:  # a bench's argparse refusing an option: go on
                code = exc.code if isinstance(exc.code, int) else 1
            worst = max(worst, int(code))
    return worst


if __name__ == "__main__":
    sys.exit(main())
