"""The operator CLI: ``python -m stacks <command> …``.

Each command lives in its own module in `stacks.cli.commands` that exposes ``register(subparsers)``;
the module adds its parser and sets ``handler`` (a function of the parsed args returning an exit
code). Modules are discovered, so adding a command touches no other file. A user error
(bad config, bad component argument, a bad plan file) prints one clear message, no traceback,
and exits 2 (`EXIT_CODES`, listed in ``--help``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path


def command_modules() -> list[str]:
    """Every module of `stacks.cli.commands`, in name order (the order ``--help`` lists them)."""
    import stacks.cli.commands

    return sorted(f"stacks.cli.commands.{m.name}" for m in pkgutil.iter_modules(stacks.cli.commands.__path__))


#: What every command's exit status means (shown by ``--help``; commands add their own in their help).
EXIT_CODES = """exit status:
  0    success (check/policy: no mandatory policy violation)
  1    check/policy: a mandatory policy violation (the verdict is printed)
  2    a usage or input error: a bad argument, stack file (YAML, key, value), policy config or plan
       document, or a missing dependency; one message naming the file or argument, no traceback
  130  interrupted (Ctrl-C)"""


def _missing_dependency(exc: ImportError) -> str:
    return (
        f"error: python -m stacks needs {exc.name or 'a dependency'!r}, which is not installed ({exc}); install the "
        "project's dependencies with `pip install -e .` in a virtualenv (or `pip install streaming-platform`)"
    )


class UserError(Exception):
    """An error the operator can fix; printed without a traceback."""


def _user_error_types() -> tuple[type[BaseException], ...]:
    from components import ComponentArgsError
    from insight.plan import PlanFormatError
    from stacks.environment.config import ConfigError
    from stacks.environment.stack_files import StackFileError

    return (UserError, ComponentArgsError, PlanFormatError, StackFileError, ConfigError)


def _enter(directory: Path) -> None:
    """Work in ``directory``, as the Pulumi CLI does with ``--cwd``."""
    if not directory.is_dir():
        raise UserError(f"--cwd {directory}: not a directory; pass your Pulumi project's directory")
    os.chdir(directory)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m stacks",
        description="Plan, check, price, draw and operate the streaming platform's environments.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-C",
        "--cwd",
        metavar="DIR",
        type=Path,
        help="run in DIR, the Pulumi project holding Pulumi.yaml and Pulumi.<env>.yaml (default: the current "
        "directory or the nearest parent with a Pulumi.yaml), as `pulumi --cwd` does",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in command_modules():
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        user_errors = _user_error_types()
    except ImportError as exc:  # the commands import the Pulumi SDKs: run outside the project's venv
        print(_missing_dependency(exc), file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    try:
        if args.cwd is not None:
            _enter(args.cwd)
        return int(args.handler(args))
    except user_errors as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(_missing_dependency(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `python -m stacks plan dev | head`
        return 0
