"""The operator CLI: ``python -m stacks <command> …``.

Each command lives in its own module in `stacks.commands` that exposes ``register(subparsers)``;
the module adds its parser and sets ``handler`` (a function of the parsed args returning an exit
code). Modules are discovered, so adding a command touches no other file. A user error
(bad config, bad component argument, a bad plan file) prints one clear message, no traceback,
and exits 2.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence


def command_modules() -> list[str]:
    """Every module of `stacks.commands`, in name order (the order ``--help`` lists them)."""
    import stacks.commands

    return sorted(f"stacks.commands.{m.name}" for m in pkgutil.iter_modules(stacks.commands.__path__))


class UserError(Exception):
    """An error the operator can fix; printed without a traceback."""


def _user_error_types() -> tuple[type[BaseException], ...]:
    from components._errors import ComponentArgsError
    from stacks.plan import PlanFormatError
    from stacks.stack_files import StackFileError

    types: list[type[BaseException]] = [UserError, ComponentArgsError, PlanFormatError, StackFileError]
    try:
        from stacks.config import ConfigError

        types.append(ConfigError)
    except ImportError:  # pragma: no cover - config module is optional while the stacks grow
        pass
    return tuple(types)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m stacks",
        description="Plan, check, price, draw and operate the streaming platform's environments.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in command_modules():
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except _user_error_types() as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `python -m stacks plan dev | head`
        return 0
