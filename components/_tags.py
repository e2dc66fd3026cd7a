"""Tag layering shared by every component: ``Name`` + common tags + the caller's tags.

Common tags are ``Project``, ``Environment`` (the Pulumi stack), ``Component`` (the component's
kind) and ``ManagedBy``. The stack also sets them as the provider's ``default_tags``; components set
them explicitly as well so that every resource carries them whatever provider it is created with,
and so that the offline plan (which shows inputs, not provider-merged ``tags_all``) shows them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

MANAGED_BY = "pulumi"

#: The tag keys every taggable resource carries (checked by tests and by the policy pack).
REQUIRED_TAG_KEYS = ("Project", "Environment", "Component", "ManagedBy")


def common_tags(kind: str) -> dict[str, str]:
    """The common tags for a component of ``kind`` in the current project and stack."""
    return {
        "Project": pulumi.get_project(),
        "Environment": pulumi.get_stack(),
        "Component": kind,
        "ManagedBy": MANAGED_BY,
    }


def layered_tags(kind: str, name_tag: str, extra: Mapping[str, str] | None = None, **more: str) -> dict[str, str]:
    """``{"Name": name_tag, **common_tags(kind), **extra, **more}``: later layers win."""
    return {"Name": name_tag, **common_tags(kind), **dict(extra or {}), **more}
