"""Entry point of the CrossGuard pack: ``pulumi preview --policy-pack policies``.

The Pulumi CLI runs this directory with ``python -m pulumi.policy <engine> <dir>``, which executes
this file as ``__main__`` with the pack directory first on ``sys.path``. The rules import the
project's `insight` layer (the budget rule prices the plan), which sits beside the pack: in a
checkout both are folders of the repository, in an installed wheel both are in ``site-packages``.
So the directory that holds the pack goes on ``sys.path`` too, and the rules load as the one
package `policies.rules`, whatever way they were reached. Nothing else of the project is imported:
the pack's own virtualenv needs only ``policies/requirements.txt``.

Constructing a `PolicyPack` starts the analyzer's gRPC server and blocks, so it happens only under
``__main__``; importing ``policies.__main__`` (tests, tooling) just exposes `build_policies` and
`PACK_NAME`.
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run by the Pulumi CLI from the pack directory
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies.rules.crossguard import PACK_NAME, build_policies

__all__ = ["PACK_NAME", "build_policies"]

if __name__ == "__main__":
    from pulumi_policy import EnforcementLevel, PolicyPack

    PolicyPack(
        name=PACK_NAME,
        enforcement_level=EnforcementLevel.MANDATORY,
        policies=build_policies(),
        description="AWS guardrails for the streaming platform: FSBP security controls, reliability and cost.",
        provider="aws",
        tags=["aws", "fsbp", "security", "cost"],
    )
