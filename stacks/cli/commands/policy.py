"""``python -m stacks policy <env> [--plan FILE] [--config FILE] [--json]`` or ``policy --all``: the offline policy check."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stacks.cli import UserError
from stacks.cli.environments import add_env_arguments, run_each, selected_environments


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    parser = subparsers.add_parser(
        "policy",
        help="check an environment's plan against the CrossGuard policy pack, offline",
        description=(
            "Run the rules of the policy pack in policies/ over the offline plan of ENV (or a plan document "
            "written by `plan --json`), with policies/config/<profile>.json (the stack's profile). Exits 1 on any "
            "mandatory violation, 2 on bad input (including a --plan of another stack, unless --allow-stack-mismatch)."
        ),
    )
    add_env_arguments(
        parser,
        "the stack to plan (dev, staging, prod, dev-alice, …); its profile picks policies/config/<profile>.json",
    )
    parser.add_argument("--plan", metavar="FILE", type=Path, help="check this plan document instead of planning ENV")
    parser.add_argument(
        "--config", metavar="FILE", type=Path, help="policy config to use instead of policies/config/<profile>.json"
    )
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    parser.add_argument(
        "--allow-stack-mismatch",
        action="store_true",
        help="check a --plan document of another stack than ENV (refused by default: ENV's config would judge it)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    envs = selected_environments(args, "policy")
    if args.all and args.json:
        raise UserError("policy --all --json: --json prints one environment's verdict; name the environment")
    if args.all and (args.plan is not None or args.config is not None):
        raise UserError(
            "policy --all plans each environment with its own policies/config/<env>.json; drop --plan/--config"
        )
    return run_each(envs, lambda env: run_one(env, args))


def run_one(env: str, args: argparse.Namespace) -> int:
    from insight.plan import Plan
    from policies.offline import check_plan, render_json, render_text
    from policies.rules.config import PolicyConfigError
    from stacks.environment.stack_files import project_root
    from stacks.offline.plan import build_plan

    if args.plan is not None:
        try:
            text = sys.stdin.read() if str(args.plan) == "-" else args.plan.read_text()
        except OSError as exc:
            raise UserError(f"{args.plan}: cannot read the plan document: {exc.strerror}") from exc
        plan = Plan.from_json(text, source=str(args.plan))
        if plan.stack != args.env and not args.allow_stack_mismatch:
            raise UserError(
                f"--plan {args.plan}: the plan is of stack {plan.stack!r}, not {args.env!r}; checking it as "
                f"{args.env!r} would judge it by the wrong config. Run `python -m stacks policy {plan.stack} "
                f"--plan {args.plan}`, or pass --allow-stack-mismatch if that is what you mean"
            )
    else:
        plan = build_plan(env)
    try:
        verdict = check_plan(plan, env, config_file=args.config, project=project_root())
    except PolicyConfigError as exc:
        raise UserError(str(exc)) from exc
    sys.stdout.write(render_json(verdict) if args.json else render_text(verdict) + "\n")
    return 0 if verdict.passed else 1
