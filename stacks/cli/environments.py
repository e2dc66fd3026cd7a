"""``ENV`` or ``--all``: the commands that plan an environment can plan every one in one process.

``python -m stacks check --all`` (and ``plan``, ``policy``, ``cost``) runs the command for every
``Pulumi.<env>.yaml`` of the project in one interpreter, so the imports of the program (most of a
plan's wall time is importing ``pulumi_aws``) are paid once instead of once per environment.
Each run of the program gets a fresh Pulumi runtime (`stacks.offline.mocks.run_program` runs it
in a new context), so a plan made after another is byte-identical to one made alone. The exit
code is the worst of the environments' (2, a user error, over 1, a failed check, over 0).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

#: The order environments are run and printed in: the promotion order, then any others by name.
PROMOTION_ORDER = ("dev", "staging", "prod")


def add_env_arguments(parser: argparse.ArgumentParser, env_help: str) -> None:
    """Add ``env`` (optional) and ``--all`` to a command's parser."""
    parser.add_argument("env", nargs="?", help=env_help)
    parser.add_argument(
        "--all",
        action="store_true",
        help="every environment of the project (each Pulumi.<env>.yaml), one after the other in one process",
    )


def project_environments(root: Path | None = None) -> list[str]:
    """Every environment with a ``Pulumi.<env>.yaml`` in the project, in promotion order."""
    from stacks.environment.stack_files import available_envs, project_root

    found = available_envs(root or project_root())
    return [e for e in PROMOTION_ORDER if e in found] + sorted(e for e in found if e not in PROMOTION_ORDER)


def selected_environments(args: argparse.Namespace, command: str) -> list[str]:
    """The environments ``args`` name: ``[args.env]``, or every one with ``--all``."""
    from stacks.cli.main import UserError

    if args.all and args.env:
        raise UserError(f"{command}: give an environment or --all, not both (got {args.env!r} and --all)")
    if args.all:
        envs = project_environments()
        if not envs:
            raise UserError(f"{command} --all: no Pulumi.<env>.yaml in the project; create one per environment")
        return envs
    if not args.env:
        raise UserError(f"{command}: name an environment (dev, staging, prod) or pass --all")
    return [args.env]


def run_each(envs: list[str], run_one: Callable[[str], int]) -> int:
    """Run ``run_one`` for each environment and return the worst exit code.

    With several environments each one's output is headed ``== <env>``, and a user error in one
    (say a bad value in its stack file) is printed and counted (exit 2) without stopping the others.
    """
    if len(envs) == 1:
        return run_one(envs[0])
    from stacks.cli.main import _user_error_types

    errors = _user_error_types()
    worst = 0
    for i, env in enumerate(envs):
        if i:
            print()
        print(f"== {env}", flush=True)
        try:
            code = run_one(env)
        except errors as exc:
            print(f"error: {env}: {exc}", file=sys.stderr, flush=True)
            code = 2
        sys.stdout.flush()
        worst = max(worst, code)
    return worst
