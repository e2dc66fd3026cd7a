"""``python -m stacks check <env>`` (or ``check --all``): the main job, offline: plan, policy verdict and monthly cost.

Plans the environment once, prints a one-screen summary of what it builds, runs the policy pack's
rules over the plan, and prices it. Exits 1 when a mandatory policy fails, like ``policy``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from insight.cost import CostError, age_note, estimate
from insight.plan import Plan, component_class, is_component, is_provider
from policies.offline import check_plan, render_text
from policies.rules.config import PolicyConfigError
from stacks.cli.environments import add_env_arguments, run_each, selected_environments
from stacks.cli.main import UserError
from stacks.environment.stack_files import project_root
from stacks.offline.plan import build_plan


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="plan ENV offline, then print its policy verdict and its monthly cost (the quick start's main job)",
    )
    add_env_arguments(parser, "environment (dev, staging, prod)")
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="also write the plan document to FILE (with --all: a directory that gets one <env>.json each)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="policy config to use instead of policies/config/<profile>.json (the stack's profile)",
    )
    parser.set_defaults(handler=run)


def summary(plan: Plan) -> str:
    custom = [r for r in plan.resources if not is_component(r) and not is_provider(r)]
    components = Counter(component_class(r) for r in plan.resources if is_component(r))
    lines = [
        f"Plan of {plan.stack}: {len(custom)} AWS resources in {sum(components.values())} components "
        f"({', '.join(f'{n} {c}' if n > 1 else c for c, n in sorted(components.items()))})"
    ]
    for key in ("url", "albDnsName", "databaseEndpoint", "cacheEndpoint", "imageUri"):
        if key in plan.outputs:
            lines.append(f"  {key:<17}{plan.outputs[key]}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    envs = selected_environments(args, "check")
    if not args.all:
        return run_one(args.env, args.json, args.config)
    if args.json is not None:
        if args.json.exists() and not args.json.is_dir():
            raise UserError(
                f"check --all --json {args.json}: not a directory; give a directory for the <env>.json files"
            )
        args.json.mkdir(parents=True, exist_ok=True)
    return run_each(
        envs, lambda env: run_one(env, None if args.json is None else args.json / f"{env}.json", args.config)
    )


def run_one(env: str, json_file: Path | None, config_file: Path | None = None) -> int:
    plan = build_plan(env)
    if json_file is not None:
        json_file.write_text(plan.to_json())
    print(summary(plan))
    print()
    try:
        verdict = check_plan(plan, env, config_file=config_file, project=project_root())
    except PolicyConfigError as exc:
        raise UserError(str(exc)) from exc
    if verdict.mandatory:
        print(render_text(verdict))
    else:
        advisory = sorted({f.rule for f in verdict.advisory})
        print(
            f"Policy: PASSED, {verdict.rules_run} rules, 0 mandatory violations, {len(verdict.advisory)} advisory"
            + (f" ({', '.join(advisory)}; details: python -m stacks policy {env})" if advisory else "")
        )
    print()
    try:
        report = estimate(plan)
    except CostError as exc:
        print(f"Monthly cost of {env}: not priced ({exc}; the policy verdict above does not depend on it)")
        return 0 if verdict.passed else 1
    components = report.by_component(plan)
    print(f"Monthly cost of {env}: ${report.total:,.2f} (USD, {report.region}, default usage profile)")
    width = max((len(label) for label in components), default=10) + 2
    for label, monthly in sorted(components.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {label:<{width}}${monthly:>9,.2f}")
    if report.unpriced:
        print(f"  unpriced: {', '.join(sorted({u['type'] for u in report.unpriced}))}")
    note = age_note(report)
    if note:
        print(note)
    return 0 if verdict.passed else 1
