"""Deterministic physical names for the few AWS resources whose names have hard length limits."""

from __future__ import annotations

import hashlib
import re

_INVALID = re.compile(r"[^a-zA-Z0-9-]+")


def physical_name(*parts: str, max_length: int) -> str:
    """Join ``parts`` with '-', keep only ``[a-zA-Z0-9-]``, and shorten to ``max_length``.

    A name that fits is returned unchanged (apart from invalid characters). A longer one keeps its
    head and ends in a 7-character hash of the whole name, so two long names that share a prefix
    still differ, and the same input always gives the same output (no replacement on re-run).
    ALB and target group names (32 characters, no leading or trailing '-') are the main users.
    """
    if max_length < 12:
        raise ValueError(f"max_length must be at least 12, got {max_length}")
    name = _INVALID.sub("-", "-".join(p for p in parts if p)).strip("-")
    name = re.sub(r"-{2,}", "-", name)
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:7]
    head = name[: max_length - len(digest) - 1].rstrip("-")
    return f"{head}-{digest}"
