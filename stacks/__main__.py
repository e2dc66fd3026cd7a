"""``python -m stacks …``: the operator CLI."""

from stacks.cli import main

raise SystemExit(main())
