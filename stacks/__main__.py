"""``python -m stacks …``: the operator CLI."""

import os
import sys

from stacks.cli import main

code = main()
sys.stdout.flush()
sys.stderr.flush()
# The mock runtime leaves hundreds of thousands of small objects and idle executor threads;
# tearing the interpreter down costs about a second and does nothing useful for a CLI run.
os._exit(code)
