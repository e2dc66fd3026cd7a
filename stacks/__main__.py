"""``python -m stacks …``: the operator CLI."""

import gc
import os
import sys

# What the CLI imports (pulumi_aws's modules: tens of thousands of classes) and plans lives until it
# exits; collecting young objects every 700 allocations re-traverses them for nothing to free.
gc.set_threshold(100_000, 50, 100)

from stacks.cli import main  # noqa: E402 (after the collector is tuned)

code = main()
sys.stdout.flush()
sys.stderr.flush()
# The mock runtime leaves hundreds of thousands of small objects and idle executor threads;
# tearing the interpreter down costs about a second and does nothing useful for a CLI run.
os._exit(code)
