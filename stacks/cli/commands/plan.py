"""``python -m stacks plan <env> [--json FILE]`` or ``plan --all [--json DIR]``: the offline plan."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stacks.cli.environments import add_env_arguments, run_each, selected_environments
from stacks.cli.main import UserError
from stacks.offline.plan import build_plan, render_counts, render_outputs, render_tree


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="plan an environment offline (what `pulumi preview` would show), no account needed",
        description="Run the Pulumi program for ENV under the mock runtime and print the resource tree.",
    )
    add_env_arguments(parser, "environment: the stack whose Pulumi.<env>.yaml to read (dev, staging, prod)")
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="also write the plan document to FILE ('-' for stdout); with --all, FILE is a directory that gets "
        "one <env>.json per environment",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the counts")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    envs = selected_environments(args, "plan")
    if not args.all:
        return run_one(args.env, args.json, args.quiet)
    if args.json is not None:
        if str(args.json) == "-":
            raise UserError("plan --all --json: give a directory (one <env>.json each), not '-'")
        if args.json.exists() and not args.json.is_dir():
            raise UserError(
                f"plan --all --json {args.json}: not a directory; give a directory for the <env>.json files"
            )
        args.json.mkdir(parents=True, exist_ok=True)
    return run_each(
        envs, lambda env: run_one(env, None if args.json is None else args.json / f"{env}.json", args.quiet)
    )


def run_one(env: str, json_file: Path | None, quiet: bool) -> int:
    plan = build_plan(env)
    if json_file is not None and str(json_file) == "-":
        sys.stdout.write(plan.to_json())
        return 0
    if not quiet:
        print(render_tree(plan))
        print()
    print(render_counts(plan))
    outputs = render_outputs(plan)
    if outputs:
        print()
        print(outputs)
    if json_file is not None:
        json_file.write_text(plan.to_json())
        print(f"\nWrote the plan of {plan.stack} ({len(plan.resources)} resources) to {json_file}")
    return 0
