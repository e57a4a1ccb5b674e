"""``loupe plan-reliability [--alpha-min 0.8] [--p 0.05] (--values K | --smallest P)``:
the minimum number of overlap units for a reliability test (Krippendorff's table)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.agreement.sample_size import SampleSize


def _number(low: float, high: float, what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        if not low < value < high:
            raise argparse.ArgumentTypeError(f"{what} must lie between {low:g} and {high:g}, not {text}")
        return value

    return parse


def _values(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"a variable needs at least 2 values, not {text}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan-reliability", help="the minimum number of overlap units for a reliability test",
        description="Print the minimum number of units every coder must code so that an alpha "
        "of at least --alpha-min is not reached by chance at significance --p "
        "(Krippendorff 2004, Table 11.1; after Bloch & Kraemer 1989), for K equiprobable "
        "values or a given probability of the least frequent value.",
    )
    parser.add_argument(
        "--alpha-min", type=_number(0.0, 1.0, "alpha-min"), default=0.8, metavar="A",
        help="smallest acceptable alpha (default 0.8; Krippendorff names 0.667, 0.8 and 0.9)",
    )
    parser.add_argument(
        "--p", type=_number(0.0, 0.5, "p"), default=0.05, metavar="P",
        help="significance level, one-sided (default 0.05)",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--values", type=_values, metavar="K", help="number of equiprobable values (default 2)")
    group.add_argument(
        "--smallest", type=_number(0.0, 0.5000001, "the smallest probability"), metavar="P_C",
        help="probability of the least frequent value instead of --values",
    )
    parser.set_defaults(handler=run)


def format_plan(size: SampleSize) -> str:
    from app.agreement.sample_size import FORMULA, REFERENCE

    values = (
        f"{size.values} equiprobable values (P_c = 1/{size.values} = {size.smallest_probability:.4g})"
        if size.values is not None
        else f"least frequent value with probability P_c = {size.smallest_probability:g}"
    )
    return "\n".join([
        f"Minimum number of units: {size.units}",
        f"  smallest acceptable alpha  {size.alpha_min:g}",
        f"  significance level p       {size.p:g} (z_p = {size.z:.4f}, one-sided)",
        f"  values                     {values}",
        f"  formula                    {FORMULA} = {size.exact:.2f}",
        f"  reference                  {REFERENCE}",
        "Every unit is coded by every coder of the overlap.",
    ])


def run(args: argparse.Namespace) -> int:
    from app.agreement.sample_size import minimum_units

    if args.smallest is not None:
        size = minimum_units(args.alpha_min, args.p, smallest_probability=args.smallest)
    else:
        size = minimum_units(args.alpha_min, args.p, values=args.values or 2)
    print(format_plan(size))
    return 0
