"""Deterministic physical names for the few AWS resources whose names have hard length limits."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

#: What a replacement suffix hashes for a KMS key given as an Output (a key created in the same
#: program, whose ARN is unknown when names are chosen): turning a customer key on or off changes the
#: name; the key itself is never replaced by this library (rotation is in place).
CUSTOMER_KEY = "customer-managed-key"


def key_identity(key: object) -> object:
    """A KMS key input as a replacement suffix hashes it: the ARN when known, else `CUSTOMER_KEY`."""
    return key if isinstance(key, str) else CUSTOMER_KEY


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


def replacement_suffix(forcing: Mapping[str, Any], defaults: Mapping[str, Any]) -> str:
    """A physical name's guard against create-before-delete collisions: "" or 8 hex digits.

    ``forcing`` maps the wire names of a resource's replacement-forcing inputs (other than the
    name itself) to their wire values; ``defaults`` holds the values the name was first made
    with. The suffix is "" while every input keeps its default (so existing names never change),
    and otherwise a hash of the inputs that differ, so any change that forces a replacement also
    gives the replacement a name of its own, and Pulumi can create it before deleting the old one.
    """
    changed = {k: v for k, v in sorted(forcing.items()) if k not in defaults or defaults[k] != v}
    if not changed:
        return ""
    canonical = json.dumps(changed, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:8]


#: The replacement-forcing inputs of an ALB target group that the name does not already carry
#: (terraform-provider-aws internal/service/elbv2/target_group.go: protocol, protocol_version,
#: target_type, ip_address_type and port are ForceNew; the port is part of every name), with the
#: values every existing name was made with.
TARGET_GROUP_NAME_DEFAULTS: dict[str, Any] = {"protocol": "HTTP", "protocolVersion": "HTTP1", "targetType": "ip"}


def target_group_name(*parts: str, protocol: str, protocol_version: str, target_type: str) -> str:
    """A target group's physical name (at most 32 characters): ``parts`` (which hold the port) and,
    when protocol, version or target type differ from `TARGET_GROUP_NAME_DEFAULTS`, their suffix."""
    forcing = {"protocol": protocol, "protocolVersion": protocol_version, "targetType": target_type}
    return physical_name(*parts, replacement_suffix(forcing, TARGET_GROUP_NAME_DEFAULTS), max_length=32)


def with_suffix(name: str, suffix: str, *, max_length: int) -> str:
    """``name-suffix`` (or ``name`` when ``suffix`` is ""), shortened from the head to ``max_length``."""
    if not suffix:
        return name
    head = name[: max_length - len(suffix) - 1].rstrip("-")
    return f"{head}-{suffix}"
