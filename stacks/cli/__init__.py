"""The operator CLI, ``python -m stacks <command>``: `main` and one module per command in `commands`."""

from stacks.cli.main import UserError, main

__all__ = ["UserError", "main"]
