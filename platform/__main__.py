"""The Pulumi program that ``pulumi up -s <env>`` runs (``main: platform/`` in Pulumi.yaml).

This directory is deliberately not a package (no ``__init__.py``): a package named ``platform``
would shadow Python's standard-library module. All logic lives in the importable `stacks` package;
the offline plan (``python -m stacks plan <env>``) runs this very file under the mock runtime.
"""

from stacks.environment.program import main

main()
