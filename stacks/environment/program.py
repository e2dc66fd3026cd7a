"""The body of the Pulumi program: read the stack's typed config and build the environment."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi.runtime.config import CONFIG, get_config_env

from components import MANAGED_BY, ComponentArgsError
from stacks.environment.blame import config_error
from stacks.environment.config import PlatformConfig, load_config
from stacks.environment.regions import DEFAULT_REGION
from stacks.environment.streaming_platform import StreamingPlatform, StreamingPlatformArgs

#: The StreamingPlatform's logical name; every resource's name starts with it.
PLATFORM_NAME = "streaming"


def engine_config() -> dict[str, str]:
    """Every config value the engine handed to this program, keyed ``namespace:key``."""
    values: dict[str, Any] = {**get_config_env(), **CONFIG.get()}
    return {k: v if isinstance(v, str) else str(v) for k, v in values.items()}


def read_config() -> PlatformConfig:
    stack = pulumi.get_stack()
    return load_config(engine_config(), env=stack, source=f"Pulumi.{stack}.yaml")


def main() -> None:
    config = read_config()
    region = pulumi.Config("aws").get("region")
    if region is None:
        region = DEFAULT_REGION
        stack = pulumi.get_stack()
        pulumi.log.warn(
            f"Pulumi.{stack}.yaml: aws:region is not set; using {region} "
            f"(set it with `pulumi config set aws:region <region> -s {stack}`)"
        )
    provider = aws.Provider(
        "aws",
        region=region,
        default_tags=aws.ProviderDefaultTagsArgs(
            tags={"Project": pulumi.get_project(), "Environment": pulumi.get_stack(), "ManagedBy": MANAGED_BY}
        ),
        # The blue-green switch keeps its lock and history in tags starting with "Switch" on the
        # listener rule; Pulumi must neither remove them nor report them as drift.
        ignore_tags=aws.ProviderIgnoreTagsArgs(key_prefixes=["Switch"]),
    )
    try:
        platform = StreamingPlatform(
            PLATFORM_NAME, StreamingPlatformArgs(config=config), pulumi.ResourceOptions(providers={"aws": provider})
        )
    except ComponentArgsError as exc:  # a value from the stack file: name the file and the key
        raise config_error(exc, config, PLATFORM_NAME, f"Pulumi.{pulumi.get_stack()}.yaml") from None
    pulumi.export("profile", config.profile)
    pulumi.export("region", region)
    pulumi.export("url", platform.url)
    pulumi.export("albDnsName", platform.alb_dns_name)
    pulumi.export("clusterName", platform.cluster_name)
    pulumi.export("serviceNames", platform.service_names)
    pulumi.export("imageUri", platform.image_uri)
    pulumi.export("databaseEndpoint", platform.database_endpoint)
    pulumi.export("cacheEndpoint", platform.cache_endpoint)
    pulumi.export("siteBucketName", platform.site_bucket_name)
    pulumi.export("mediaBucketName", platform.media_bucket_name)
