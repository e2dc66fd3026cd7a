"""The AWS resource types that take a ``tags`` input, frozen in ``taggable_types.txt``.

The list is generated from the installed pulumi_aws by `stacks.devtools.taggable` (so the pack
itself does not need pulumi_aws: its venv has only pulumi-policy); a test regenerates it and fails
when a pulumi-aws upgrade changes it.
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).with_name("taggable_types.txt")


def load() -> frozenset[str]:
    return frozenset(
        line.strip() for line in DATA.read_text().splitlines() if line.strip() and not line.startswith("#")
    )
