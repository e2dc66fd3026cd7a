"""Every rule of the pack, registered in `REGISTRY` (see `_core`), in a stable order.

The same pure functions back the CrossGuard policies (`rules.crossguard`) and the offline check
(`policies.offline`).
"""

from __future__ import annotations

from . import alb, cloudfront, cloudwatch, ecr, ecs, elasticache, iam, logs, network, rds, s3, stack, tags
from ._core import REGISTRY, SECRET, UNKNOWN, Level, ResourceView, Rule, StackFinding
from .config import Finding, PolicyConfig, evaluate, load_config, resolve_config

__all__ = [
    "REGISTRY",
    "SECRET",
    "UNKNOWN",
    "Finding",
    "Level",
    "PolicyConfig",
    "ResourceView",
    "Rule",
    "StackFinding",
    "alb",
    "cloudfront",
    "cloudwatch",
    "ecr",
    "ecs",
    "elasticache",
    "evaluate",
    "iam",
    "load_config",
    "logs",
    "network",
    "rds",
    "resolve_config",
    "s3",
    "stack",
    "tags",
]
