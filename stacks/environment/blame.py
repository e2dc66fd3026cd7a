"""Map a component's refusal back to the stack-file key its value came from.

The typed config (`stacks.environment.config`) refuses what it knows a component would refuse; for
anything else a component raises `ComponentArgsError` naming its own argument (``FargateService
'streaming-accounts': [memory] …``), which a stack-file user cannot find. `config_error` turns it
into ``Pulumi.dev.yaml: streaming-platform:services.accounts.memory = 4096: FargateService …``.
"""

from __future__ import annotations

import json
from typing import Any

from components.errors import ComponentArgsError
from stacks.environment.config import NAMESPACE, ConfigError, PlatformConfig
from stacks.environment.profiles import lookup

_SERVICE_KEYS = {
    "cpu": "services.{service}.cpu",
    "memory": "services.{service}.memory",
    "desired_count": "services.{service}.desiredCount",
    "autoscaling": "services.{service}.minCount",
    "image": "services.image",
    "container_port": "services.containerPort",
    "architecture": "services.architecture",
    "capacity": "services.capacity",
    "log_retention_days": "services.logRetentionDays",
}

#: (component kind, argument) -> the stack-file key (dotted camelCase below the namespace).
ARGUMENT_KEYS: dict[tuple[str, str], str] = {
    ("Vpc", "cidr"): "network.cidr",
    ("Vpc", "az_count"): "network.azCount",
    ("Vpc", "nat"): "network.natMode",
    ("Vpc", "flow_log_retention_days"): "network.flowLogRetentionDays",
    ("Vpc", "interface_endpoints"): "network.interfaceEndpoints",
    ("LoadBalancer", "certificate_arn"): "edge.certificateArn",
    ("LoadBalancer", "ingress_cidrs"): "edge.albIngressCidrs",
    ("Cdn", "aliases"): "edge.cdnDomainNames",
    ("Cdn", "certificate_arn"): "edge.cdnCertificateArn",
    ("Cdn", "geo_countries"): "edge.geoRestriction.countries",
    ("Cdn", "geo_restriction"): "edge.geoRestriction.mode",
    ("Cdn", "price_class"): "edge.priceClass",
    ("Cdn", "web_acl_id"): "edge.wafWebAclArn",
    ("Postgres", "engine_version"): "database.engineVersion",
    ("Postgres", "instance_class"): "database.instanceClass",
    ("Postgres", "allocated_storage"): "database.allocatedStorage",
    ("Postgres", "max_allocated_storage"): "database.maxAllocatedStorage",
    ("Postgres", "backup_retention_days"): "database.backupRetentionDays",
    ("Cache", "node_type"): "cache.nodeType",
    ("Cache", "num_nodes"): "cache.nodes",
    ("Cache", "snapshot_retention_limit"): "cache.snapshotRetentionDays",
    **{("FargateService", arg): key for arg, key in _SERVICE_KEYS.items()},
    **{("BlueGreen", f"service_template.{arg}"): key for arg, key in _SERVICE_KEYS.items()},
    ("BlueGreen", "settings.weights"): "blueGreen.{service}.weights",
    ("BlueGreen", "settings.active_color"): "blueGreen.{service}.activeColor",
    ("BlueGreen", "settings.test_header"): "blueGreen.{service}.testHeader",
}


def stack_key(error: ComponentArgsError, platform_name: str) -> str | None:
    """The stack-file key (below the namespace) behind ``error``, or None when no key sets it."""
    template = ARGUMENT_KEYS.get((error.kind, error.argument))
    if template is None:
        return None
    service = error.name.removeprefix(f"{platform_name}-").removesuffix("-blue").removesuffix("-green")
    return template.format(service=service)


def config_error(error: ComponentArgsError, config: PlatformConfig, platform_name: str, source: str) -> ConfigError:
    """``error`` as a `ConfigError` naming ``source``, the key and its value; unmapped errors keep their text."""
    key = stack_key(error, platform_name)
    if key is None:
        return ConfigError(f"{source}: {error}")
    value: Any = lookup(config.model_dump(mode="json", by_alias=True), key)
    return ConfigError(f"{source}: {NAMESPACE}:{key} = {json.dumps(value, default=str)}: {error}")
