"""``python -m stacks cost <env> [--json] [--usage FILE] [--plan FILE]``, ``cost --all`` and ``cost --compare [--markdown]``.

The monthly cost of an environment from its offline plan (see `insight.cost`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from insight.cost import CostError, estimate, render_compare, render_markdown, render_text
from insight.plan import Plan
from insight.usage import UsageError, load_usage
from stacks.cli import UserError
from stacks.cli.environments import run_each, selected_environments
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
        "--all", action="store_true", help="every environment of the project (each Pulumi.<env>.yaml), in one process"
    )
    parser.add_argument("--compare", action="store_true", help="dev, staging and prod side by side")
    parser.add_argument("--markdown", action="store_true", help="with --compare: the README's Markdown table")
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


def run(args: argparse.Namespace) -> int:
    try:
        usage = load_usage(args.usage)
        if args.compare:
            if args.plan is not None or args.env:
                raise UserError("--compare plans dev, staging and prod itself; drop ENV and --plan")
            reports = [estimate(build_plan(env), usage=usage) for env in COMPARE_ENVS]
            if args.markdown:
                sys.stdout.write(render_markdown(reports))
            else:
                print(render_compare(reports))
            return 1 if any(r.unpriced for r in reports) else 0
        if args.markdown:
            raise UserError("--markdown goes with --compare")
        if args.all and args.plan is not None:
            raise UserError("cost --all plans every environment itself; drop --plan")
        if args.all and args.json:
            raise UserError("cost --all --json: --json prints one environment's estimate; name the environment")
        envs = selected_environments(args, "cost") if args.all or args.plan is None else [args.env]
    except (UsageError, CostError) as exc:
        raise UserError(str(exc)) from exc

    def run_one(env: str | None) -> int:
        try:
            report = estimate(load_plan(env, args.plan), usage=usage)
        except (UsageError, CostError) as exc:
            raise UserError(str(exc)) from exc
        if args.json:
            sys.stdout.write(report.to_json())
        else:
            print(render_text(report))
        return 0

    return run_each(envs, run_one)
