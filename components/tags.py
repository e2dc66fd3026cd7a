"""Tag layering shared by every component: ``Name`` + common tags + the caller's tags.

Common tags are ``Project``, ``Environment`` (the Pulumi stack), ``Component`` (the component's
kind) and ``ManagedBy``. The stack also sets them as the provider's ``default_tags``; components set
them explicitly as well so that every resource carries them whatever provider it is created with,
and so that the offline plan (which shows inputs, not provider-merged ``tags_all``) shows them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.errors import ComponentArgsError

__all__ = [
    "MANAGED_BY",
    "MAX_KEY_LENGTH",
    "MAX_VALUE_LENGTH",
    "REQUIRED_TAG_KEYS",
    "common_tags",
    "layered_tags",
    "tag_problem",
    "validate_tags",
]

MANAGED_BY = "pulumi"

#: AWS's tag limits (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html):
#: keys of 1 to 128 and values of up to 256 Unicode characters; the ``aws:`` prefix is AWS's own.
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256
_RESERVED_PREFIX = "aws:"

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


def tag_problem(key: object, value: object) -> str | None:
    """Why AWS would refuse the tag ``key: value``, or None when it is fine."""
    if not isinstance(key, str) or not isinstance(value, str):
        return f"{key!r}: {value!r} must map a string key to a string value."
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        return (
            f"key {key[:40]!r}… is {len(key)} characters; AWS allows 1 to {MAX_KEY_LENGTH}."
            if key
            else ("an empty key is not allowed; tag keys have 1 to 128 characters.")
        )
    if key.lower().startswith(_RESERVED_PREFIX):
        return f"key {key!r} starts with 'aws:', which AWS reserves for its own tags; choose another prefix."
    if len(value) > MAX_VALUE_LENGTH:
        return f"the value of {key!r} is {len(value)} characters; AWS allows at most {MAX_VALUE_LENGTH}."
    return None


def validate_tags(kind: str, name: str, tags: Mapping[str, str], argument: str = "tags") -> None:
    """Raise `ComponentArgsError` naming the first tag AWS would refuse (before anything is created)."""
    if not isinstance(tags, Mapping):
        raise ComponentArgsError(kind, name, argument, f"{tags!r} must be a mapping of tag keys to values.")
    for key, value in tags.items():
        problem = tag_problem(key, value)
        if problem:
            raise ComponentArgsError(kind, name, argument, problem)
