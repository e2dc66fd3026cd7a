"""``python -m stacks deploy-time <env> [--plan FILE] [--json]``: the estimated first-deploy time.

The longest path through the plan's dependency graph, weighted by typical creation times (see
`insight.deploy_time`), with its critical path resource by resource.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stacks.cli.commands.cost import load_plan


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "deploy-time",
        help="estimate how long a first `pulumi up` of an environment takes, and its critical path",
        description="Estimate the first `pulumi up` of ENV from its offline plan's dependency graph.",
    )
    parser.add_argument("env", nargs="?", help="environment (dev, staging, prod)")
    parser.add_argument("--plan", metavar="FILE", type=Path, help="read this plan document instead of planning ENV")
    parser.add_argument("--json", action="store_true", help="print the estimate as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from insight.deploy_time import estimate, render, to_document

    plan = load_plan(args.env, args.plan)
    est = estimate(plan)
    if args.json:
        sys.stdout.write(json.dumps(to_document(est, plan), indent=2) + "\n")
    else:
        print(render(est, plan))
    return 0
