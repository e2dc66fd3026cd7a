"""``python -m stacks plan <env> [--json FILE]``: the offline plan."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stacks.offline.plan import build_plan, render_counts, render_outputs, render_tree


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="plan an environment offline (what `pulumi preview` would show), no account needed",
        description="Run the Pulumi program for ENV under the mock runtime and print the resource tree.",
    )
    parser.add_argument("env", help="environment: the stack whose Pulumi.<env>.yaml to read (dev, staging, prod)")
    parser.add_argument(
        "--json", metavar="FILE", type=Path, help="also write the plan document to FILE ('-' for stdout)"
    )
    parser.add_argument("--quiet", action="store_true", help="print only the counts")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    plan = build_plan(args.env)
    if args.json is not None and str(args.json) == "-":
        sys.stdout.write(plan.to_json())
        return 0
    if not args.quiet:
        print(render_tree(plan))
        print()
    print(render_counts(plan))
    outputs = render_outputs(plan)
    if outputs:
        print()
        print(outputs)
    if args.json is not None:
        args.json.write_text(plan.to_json())
        print(f"\nWrote the plan of {plan.stack} ({len(plan.resources)} resources) to {args.json}")
    return 0
