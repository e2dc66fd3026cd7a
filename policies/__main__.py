"""Entry point of the CrossGuard pack: ``pulumi preview --policy-pack policies``.

The Pulumi CLI runs this directory with ``python -m pulumi.policy <engine> <dir>``, which executes
this file as ``__main__`` with the pack directory first on ``sys.path`` (so the rules import as the
top-level package ``rules``). Constructing a `PolicyPack` starts the analyzer's gRPC server and
blocks, so it happens only under ``__main__``; importing ``policies.__main__`` (tests, tooling)
just exposes `build_policies` and `PACK_NAME`.
"""

from __future__ import annotations

if __package__:  # imported as `policies.__main__`
    from .rules.crossguard import PACK_NAME, build_policies
else:  # run by the Pulumi CLI from the pack directory
    from rules.crossguard import PACK_NAME, build_policies  # type: ignore[no-redef]

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
