"""The body of the Pulumi program: read the stack's typed config and build the environment."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi.runtime.config import CONFIG, get_config_env

from stacks.config import PlatformConfig, load_config


def engine_config() -> dict[str, str]:
    """Every config value the engine handed to this program, keyed ``namespace:key``."""
    values: dict[str, Any] = {**get_config_env(), **CONFIG.get()}
    return {k: v if isinstance(v, str) else str(v) for k, v in values.items()}


def read_config() -> PlatformConfig:
    stack = pulumi.get_stack()
    return load_config(engine_config(), env=stack, source=f"Pulumi.{stack}.yaml")


def main() -> None:
    config = read_config()
    region = pulumi.Config("aws").get("region") or "us-east-1"
    provider = aws.Provider(
        "aws",
        region=region,
        default_tags=aws.ProviderDefaultTagsArgs(
            tags={"Project": pulumi.get_project(), "Environment": pulumi.get_stack(), "ManagedBy": "pulumi"}
        ),
    )
    pulumi.export("region", provider.region)
    pulumi.export("profile", config.profile)
