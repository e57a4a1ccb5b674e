"""Run every benchmark and print, for each, our figure, a baseline measured in the
same run, and the ratio.

    .venv/bin/python -m benchmarks.run [--only SUBSTRING] [--json FILE]

Each ``benchmarks/bench_*.py`` module exposes ``BENCHMARKS``: callables that take no
arguments and return a dict with ``name``, ``ours``, ``baseline``, ``unit``,
``baseline_name``, ``target`` (stated on the ratio ours / baseline) and optionally
``notes``; or ``name`` and ``skipped`` (the reason it cannot run here). Machines are shared and noisy: read the ratios, not the absolute figures.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent


def discover() -> list:
    sys.path.insert(0, str(HERE.parent))
    benchmarks = []
    for path in sorted(HERE.glob("bench_*.py")):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        benchmarks.extend(getattr(module, "BENCHMARKS", []))
    return benchmarks


def ratio_of(result: dict) -> float:
    return result["ours"] / result["baseline"] if result["baseline"] else float("inf")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run benchmarks whose function name contains this")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    results = []
    for bench in discover():
        if args.only and args.only not in bench.__name__:
            continue
        started = time.perf_counter()
        result = bench()
        if result.get("skipped"):  # a benchmark that cannot run here says why
            print(f"{result['name']}\n  skipped   {result['skipped']}", flush=True)
            continue
        result["seconds"] = round(time.perf_counter() - started, 1)
        result["ratio"] = ratio_of(result)
        results.append(result)
        unit = result["unit"]
        print(
            f"{result['name']}\n"
            f"  ours      {result['ours']:.6g} {unit}\n"
            f"  baseline  {result['baseline']:.6g} {unit}  ({result['baseline_name']})\n"
            f"  ratio     {result['ratio']:.3f}  (ours / baseline; target: {result['target']})"
            + (f"\n  notes     {result['notes']}" if result.get("notes") else ""),
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
