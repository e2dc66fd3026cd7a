"""``python -m stacks cost <env> [--json] [--usage FILE] [--plan FILE] [--region R] [--diff BASE.json]``
and ``cost [<env>] --compare [--region R ...] [--markdown]``.

The monthly cost of an environment from its offline plan (see `insight.cost`): in the plan's own
region or, with ``--region``, the same plan priced in another; ``--compare`` puts dev, staging and
prod side by side, or one environment in several regions (``--region all``: every region of the
price table); ``--diff BASE.json`` prints the monthly delta by resource between a base plan
document (``python -m stacks plan ENV --json BASE.json`` on the base branch) and the current plan.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from insight.cost import (
    CostError,
    CostReport,
    age_note,
    diff,
    estimate,
    load_prices,
    render_compare,
    render_diff_markdown,
    render_diff_text,
    render_markdown,
    render_text,
    table_age,
)
from insight.plan import Plan
from insight.usage import Usage, UsageError, load_usage
from stacks.cli import UserError
from stacks.offline.plan import build_plan

COMPARE_ENVS = ("dev", "staging", "prod")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "cost",
        help="estimate an environment's monthly AWS cost from its offline plan",
        description=(
            "Price every resource of ENV's offline plan from the bundled price table "
            "(insight/prices/aws.json) and a usage profile (insight/prices/usage-default.yaml)."
        ),
    )
    parser.add_argument("env", nargs="?", help="environment (dev, staging, prod); omit with --compare")
    parser.add_argument("--json", action="store_true", help="print the estimate as JSON")
    parser.add_argument("--usage", metavar="FILE", type=Path, help="usage profile overriding the default")
    parser.add_argument("--plan", metavar="FILE", type=Path, help="price this plan document instead of planning ENV")
    parser.add_argument(
        "--region",
        metavar="R",
        action="append",
        help="price the plan in region R instead of its own (repeat, or R1,R2, with --compare; 'all' = every "
        "region of the price table)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="dev, staging and prod side by side; with ENV and --region: ENV in each region side by side",
    )
    parser.add_argument(
        "--diff",
        metavar="BASE.json",
        type=Path,
        help="the monthly delta by resource from the base plan document BASE.json to ENV's plan (or --plan)",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="with --compare: the README's Markdown table; with --diff: a PR comment"
    )
    parser.set_defaults(handler=run)


def load_plan(env: str | None, plan_file: Path | None) -> Plan:
    """The plan to read: ``--plan FILE`` when given, else the offline plan of ``env``."""
    if plan_file is not None:
        try:
            text = sys.stdin.read() if str(plan_file) == "-" else plan_file.read_text()
        except OSError as exc:
            raise UserError(f"{plan_file}: cannot read the plan document: {exc.strerror}") from exc
        return Plan.from_json(text, source=str(plan_file))
    if not env:
        raise UserError("name an environment (dev, staging, prod) or give --plan FILE")
    return build_plan(env)


README_TABLE_BEGIN = "<!-- cost-table:begin (python -m stacks cost --compare --markdown) -->"
README_TABLE_END = "<!-- cost-table:end -->"


def compare_markdown() -> str:
    """The three environments' cost table in Markdown, as the README carries it."""
    return render_markdown([estimate(build_plan(env)) for env in COMPARE_ENVS])


def markdown_table_drift(document: str) -> str | None:
    """``None`` when the cost table between the markers in ``document`` is what the command prints.

    The README carries the table between `README_TABLE_BEGIN` and `README_TABLE_END`; otherwise
    the message says what differs and how to refresh it.
    """
    start, end = document.find(README_TABLE_BEGIN), document.find(README_TABLE_END)
    if start < 0 or end < start:
        return f"no cost table: put the output of `python -m stacks cost --compare --markdown` between {README_TABLE_BEGIN!r} and {README_TABLE_END!r}"
    given = document[start + len(README_TABLE_BEGIN) : end].strip()
    expected = compare_markdown().strip()
    if given == expected:
        return None
    return "the cost table differs from `python -m stacks cost --compare --markdown`; replace it with:\n" + expected


def regions_of(values: list[str] | None) -> list[str]:
    """``--region`` values as a list (repeated or comma-separated; ``all`` = every priced region), checked."""
    if not values:
        return []
    known = load_prices().regions
    regions: list[str] = []
    for value in values:
        for region in (v.strip() for v in value.split(",")):
            if region == "all":
                regions += [r for r in known if r not in regions]
            elif region and region not in regions:
                if region not in known:
                    raise UserError(
                        f"--region {region}: no bundled prices for that region; use one of the "
                        f"{len(known)} commercial regions of insight/prices/aws.json ({', '.join(known)})"
                    )
                regions.append(region)
    return regions


def _oldest_note(*reports: CostReport) -> str:
    """The age line of the oldest prices among ``reports``."""
    return age_note(max(reports, key=lambda r: table_age(r.prices_as_of) if r.prices_as_of else -1))


def _note(args: argparse.Namespace, *reports: CostReport) -> None:
    """The price table's age (the oldest of ``reports``): on stdout after text, on stderr after JSON or Markdown."""
    note = _oldest_note(*reports)
    if note:
        print(note, file=sys.stderr if args.json or args.markdown else sys.stdout)


def _compare(args: argparse.Namespace, usage: Usage, regions: list[str]) -> int:
    if args.diff is not None:
        raise UserError("--diff and --compare do not combine; give one")
    if args.env or args.plan is not None:
        if len(regions) < 2:
            raise UserError(
                "--compare with ENV or --plan puts regions side by side: give two or more with "
                "--region R1,R2 (or --region all); without ENV it compares dev, staging and prod"
            )
        plan = load_plan(args.env, args.plan)
        reports = [estimate(plan, usage=usage, region=r) for r in regions]
        by = "region"
    else:
        if len(regions) > 1:
            raise UserError("--compare of dev, staging and prod prices them in one region: give one --region")
        region = regions[0] if regions else None
        reports = [estimate(build_plan(env), usage=usage, region=region) for env in COMPARE_ENVS]
        by = "env"
    if args.markdown:
        sys.stdout.write(render_markdown(reports, by))
    else:
        print(render_compare(reports, by))
    _note(args, *reports)
    return 1 if any(r.unpriced for r in reports) else 0


def _diff(args: argparse.Namespace, usage: Usage, region: str | None) -> int:
    base_plan = load_plan(None, args.diff)
    head_plan = load_plan(args.env, args.plan)
    if base_plan.stack != head_plan.stack:
        raise UserError(
            f"--diff {args.diff}: the base plan is of stack '{base_plan.stack}', the current one of "
            f"'{head_plan.stack}'; plan the same environment on the base branch"
        )
    change = diff(estimate(base_plan, usage=usage, region=region), estimate(head_plan, usage=usage, region=region))
    if args.json:
        sys.stdout.write(change.to_json())
    elif args.markdown:
        # The PR comment is read by people: the prices' age goes in it (as a last paragraph).
        sys.stdout.write(render_diff_markdown(change))
        note = _oldest_note(change.base, change.head)
        print("\n" + note.replace("\n", "\n\n") if note else "")
        return 0
    else:
        print(render_diff_text(change))
    _note(args, change.base, change.head)
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        usage = load_usage(args.usage)
        regions = regions_of(args.region)
        if args.compare:
            return _compare(args, usage, regions)
        if len(regions) > 1:
            raise UserError(f"--region: {len(regions)} regions given; price several side by side with --compare")
        region = regions[0] if regions else None
        if args.diff is not None:
            return _diff(args, usage, region)
        if args.markdown:
            raise UserError("--markdown goes with --compare or --diff")
        report = estimate(load_plan(args.env, args.plan), usage=usage, region=region)
    except (UsageError, CostError) as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        sys.stdout.write(report.to_json())
        _note(args, report)
    else:
        print(render_text(report))
    return 0
