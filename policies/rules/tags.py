"""Tags: every taggable AWS resource carries the ownership tags."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import _taggable
from ._core import ResourceView, is_unknown, resource_rule

TAGGABLE = _taggable.load()


@resource_rule(
    "tags-required",
    description=(
        "Every taggable AWS resource (one whose pulumi-aws type has a `tags` input) sets the tags "
        "requiredKeys (default Project, Environment, ManagedBy) with non-empty values. A tags map unknown until deploy passes."
    ),
    types=TAGGABLE,
    category="governance",
    params={
        "requiredKeys": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["Project", "Environment", "ManagedBy"],
        }
    },
)
def required_tags(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    tags = r.props.get("tags")
    if is_unknown(tags):
        return
    tags = tags if isinstance(tags, Mapping) else {}
    missing = [k for k in config["requiredKeys"] if not tags.get(k)]
    if missing:
        yield (
            f"{r.label}: missing tag(s) {', '.join(missing)}. Pass tags=layered_tags(...) from components/_tags.py "
            f"(Project, Environment, Component, ManagedBy) to this resource."
        )
