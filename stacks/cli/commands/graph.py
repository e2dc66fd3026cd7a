"""``python -m stacks graph <env> --format mermaid|dot|svg|png [--resources] [--plan FILE] [-o FILE]``.

The architecture diagram of an environment (components grouped as edge, network tiers, services
and data, with the traffic flow), or with ``--resources`` the full resource graph. SVG and PNG are
rendered by Graphviz's ``dot`` (Debian package ``graphviz``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from insight.graph import GraphError, formats, render
from stacks.cli import UserError
from stacks.cli.commands.cost import load_plan


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "graph",
        help="draw an environment's architecture (or its full resource graph) from its offline plan",
        description="Draw ENV's architecture from its offline plan as Mermaid, DOT, SVG or PNG.",
    )
    parser.add_argument("env", nargs="?", help="environment (dev, staging, prod)")
    parser.add_argument("--format", choices=list(formats()), default="mermaid", help="output format (default mermaid)")
    parser.add_argument("--resources", action="store_true", help="every resource and dependency, not just components")
    parser.add_argument("--plan", metavar="FILE", type=Path, help="draw this plan document instead of planning ENV")
    parser.add_argument("-o", "--output", metavar="FILE", type=Path, help="write to FILE instead of stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    plan = load_plan(args.env, args.plan)
    try:
        data = render(plan, args.format, resources=args.resources)
    except GraphError as exc:
        raise UserError(str(exc)) from exc
    if args.output is not None:
        args.output.write_bytes(data)
        print(f"Wrote the {args.format} diagram of {plan.stack} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
