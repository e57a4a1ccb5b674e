"""``loupe agreement PROJECT [--json | --methods [--markdown]] [--coders a,b] [--bootstrap N] [--seed S]``."""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from typing import TYPE_CHECKING

from app.cli.common import PROJECT_HELP
from app.core.coefficients import COEFFICIENT_NAMES
from app.core.errors import LoupeError

if TYPE_CHECKING:  # the report's modules load NumPy: import them only when run
    from app.services.agreement.report import AgreementReport, Figure, Measure, OptionAgreement

_ROW = "{:<30} {:<26} {:>7}  {:<17} {:>6} {:>6} {:>7}"
_OPTION = "    {:<34} {:>7} {:>7} {:>7}  {}"
_WIDTH = 106


def resamples(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0 or value == 1:
        raise argparse.ArgumentTypeError("use 0 to switch intervals off, or 2 or more resamples")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "agreement", help="inter-coder agreement of the finished articles",
        description="Measure inter-coder agreement on every article question, span label, "
        "attribute and relation type, over the articles two or more coders marked done.",
    )
    parser.add_argument("project", help=PROJECT_HELP)
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the full report as JSON")
    output.add_argument(
        "--methods", action="store_true",
        help="print a paragraph per measured item for a methods section (plain text)",
    )
    parser.add_argument("--markdown", action="store_true", help="with --methods: write Markdown")
    parser.add_argument(
        "--coders", metavar="A,B", help="compare only these coders (names, comma-separated)"
    )
    parser.add_argument(
        "--bootstrap", metavar="N", type=resamples, default=1000,
        help="resamples per confidence interval (default 1000; 0 switches intervals off)",
    )
    parser.add_argument(
        "--seed", metavar="S", type=int, default=1, help="seed of the resampling (default 1)"
    )
    parser.add_argument(
        "--codebook-version", metavar="N",
        help="measure as of codebook version N (its number in `loupe codebook --history`, or its "
        "version name): only articles coded under N or earlier, only the items that existed then",
    )
    parser.set_defaults(handler=run)


def _number(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.3f}"


def _coefficient(f: Figure) -> str:
    name = COEFFICIENT_NAMES.get(f.coefficient, f.coefficient)
    if f.coefficient == "krippendorff_alpha":
        return f"{name} ({f.level})"
    if f.coefficient == "cohen_kappa" and f.level.endswith("weights"):
        return f"{name} ({f.level.split()[0]})"
    if f.coefficient.startswith("f1") and f.level in ("exact", "overlap"):
        return f"{name} ({f.level})"
    return name


def _row(label: str, f: Figure, disagreements: str = "") -> str:
    interval = "-"
    if f.interval is not None:
        interval = f"[{_number(f.interval.low)}, {_number(f.interval.high)}]"
    return _ROW.format(
        label[:30], _coefficient(f), _number(f.value), interval, f.n_units, f.n_coders,
        disagreements,
    ).rstrip()


def _q_line(f: Figure) -> str | None:
    """KALPHA's q under a pooled alpha's row, aligned with the coefficient."""
    if f.interval is None:
        return None
    q8, q667 = f.interval.q(0.8), f.interval.q(0.667)
    if q8 is None or q667 is None:
        return None
    return f"{'':31}q = {_number(q8)} below 0.800, {_number(q667)} below 0.667"


def format_measure(measure: Measure) -> list[str]:
    """The measure's title, its pooled figures (with alpha's q), its options (a single
    choice), then each coder pair's figures."""
    lines = [f"{measure.name} ({measure.kind})"]
    for i, f in enumerate(measure.figures):
        count = str(len(measure.disagreements)) if i == 0 else ""
        lines.append(_row("  all coders" if i == 0 else "", f, count))
        q = _q_line(f)
        if q is not None:
            lines.append(q)
    lines += format_options(measure.options)
    for i, f in enumerate(measure.pairs):
        first = i == 0 or measure.pairs[i - 1].coders != f.coders
        count = str(len(measure.disagreements_for(coders=f.coders))) if first else ""
        lines.append(_row(f"  {' / '.join(f.coders)}" if first else "", f, count))
    notes = dict.fromkeys(f.note for f in measure.figures if f.note and math.isnan(f.value))
    for note in notes:
        lines += textwrap.wrap(
            f"note: {note}", _WIDTH, initial_indent="  ", subsequent_indent="        "
        )
    return lines


def _count(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def format_options(options: tuple[OptionAgreement, ...]) -> list[str]:
    """A single choice's options: times chosen, category-specific alpha and kappa_j, and
    the other option it meets most often in the coincidence matrix (with that count);
    nothing when no option was chosen."""
    if not any(o.n_chosen for o in options):
        return []
    lines = [_OPTION.format("per option", "chosen", "alpha", "kappa_j", "most confused with")]
    for o in options:
        confused = "-" if o.confused_with is None else f"{str(o.confused_with)[:34]} ({_count(o.n_confused)})"
        lines.append(
            _OPTION.format(str(o.option)[:34], o.n_chosen, _number(o.alpha), _number(o.kappa), confused)
            .rstrip()
        )
    return lines


def format_report(report: AgreementReport) -> str:
    s = report.settings
    lines = [
        f"Agreement in {report.project} (codebook {report.codebook}"
        + (f", as of {report.codebook_version})" if report.codebook_version else ")"),
        f"Coders: {', '.join(report.coders)}. Articles finished by two or more of them: "
        f"{len(report.articles)}; finished by one only (not counted): "
        f"{report.n_excluded_articles}.",
        f"Intervals: {s.confidence:.0%}, {s.n_bootstrap} resamples, seed {s.seed}; alpha by "
        "the KALPHA bootstrap, the kappa family and % agreement by a bootstrap over units, "
        "F1 by a bootstrap over articles; alpha_U has none. q is the probability that alpha "
        "fails to reach 0.800 (or 0.667): the share of KALPHA resamples below it."
        if s.n_bootstrap
        else "Intervals: none (--bootstrap 0).",
        "Figures are pooled over all counted articles; pair rows cover the articles both "
        "coders finished.",
        "Per option of a single choice: the option against all others, Krippendorff's "
        "category-specific alpha (1980) and Fleiss' kappa_j (1971); 'most confused with' is "
        "the other option its values meet most often (coincidences: pairs of values from "
        "different coders in a unit, weighted 1/(m-1)).",
    ]
    header = _ROW.format(
        "Measure", "Coefficient", "Value", f"{s.confidence:.0%} interval", "Units", "Coders",
        "Disagr.",
    )
    for heading, measures in report.sections():
        lines += ["", heading.upper(), header, "-" * _WIDTH]
        for measure in measures:
            lines += format_measure(measure)
    if report.not_measured:
        lines += ["", "NOT MEASURED"]
        lines += [f"  {n.name}: {n.reason}" for n in report.not_measured]
    lines += ["", "METHODS"]
    for text in report.methods.values():
        lines += textwrap.wrap(text, _WIDTH, initial_indent="  ", subsequent_indent="    ")
    lines += ["", "Per-article figures and every disagreement: loupe agreement --json."]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from app.services.agreement.report import project_agreement_report

    if args.markdown and not args.methods:
        raise LoupeError("--markdown formats the methods paragraphs; give it with --methods.")
    coders = None
    if args.coders is not None:
        coders = [name.strip() for name in args.coders.split(",") if name.strip()]
    report = project_agreement_report(
        args.project, coders=coders, n_bootstrap=args.bootstrap, seed=args.seed,
        codebook_version=args.codebook_version,
    )
    if args.json:
        # Written as it is encoded: with 20 coders every pairwise disagreement makes the
        # text a gigabyte or more at 10,000 articles, which need not be held whole.
        encoder = json.JSONEncoder(indent=2, ensure_ascii=False, allow_nan=False)
        sys.stdout.writelines(encoder.iterencode(report.to_dict()))
        sys.stdout.write("\n")
    elif args.methods:
        from app.services.methods_section import methods_document

        print(methods_document(report, markdown=args.markdown), end="")
    else:
        print(format_report(report))
    return 0
