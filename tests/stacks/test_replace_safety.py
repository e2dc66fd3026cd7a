"""Every resource with a fixed physical name survives a replacement (issue 13, item 3).

Pulumi replaces a resource by creating the new one first, then deleting the old one; with a fixed
physical name the create fails with "already exists". A planned resource is replace-safe when:

* its physical name is left to Pulumi (auto-named: the input is absent), or
* no input that forces a replacement is set besides the name (a replacement then always comes
  with a new name), or
* its name carries `replacement_suffix` of the replacement-forcing inputs that it does not
  embed already (checked here from the plan; the variants below prove the name changes), or
* it has ``deleteBeforeReplace`` and, if it holds data, ``protect`` or deletion protection.

The table says, per type, which input is the physical name and which inputs force a replacement
(``ForceNew`` in terraform-provider-aws, the schema pulumi-aws bridges; the file is named per row).
Inputs that only *reference* another resource (a VPC id, a cluster ARN) are left out: they change
when that resource is replaced, and the ones that matter there are listed in docs/operations.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from components._naming import CUSTOMER_KEY, TARGET_GROUP_NAME_DEFAULTS, replacement_suffix
from components.cache import REPLICATION_GROUP_NAME_DEFAULTS
from components.container_image import REPOSITORY_NAME_DEFAULTS
from components.postgres import INSTANCE_NAME_DEFAULTS
from insight.plan import Plan
from stacks.offline.plan import build_plan

ENVS = ("dev", "staging", "prod")


@dataclass(frozen=True)
class Naming:
    name: str
    """The input that is the resource's physical name (unique per account and region)."""
    forcing: tuple[str, ...] = ()
    """Other inputs that force a replacement (ForceNew), as wire names."""
    defaults: dict[str, Any] = field(default_factory=dict)
    """For names that carry `replacement_suffix`: the values the suffix is "" for."""
    stateful: bool = False
    truncated_at: int | None = None
    """`physical_name`'s length limit: a name cut there ends in a hash of all its parts, suffix included."""
    source: str = ""


TF = "terraform-provider-aws internal/service/"
NAMING: dict[str, Naming] = {
    "aws:lb/loadBalancer:LoadBalancer": Naming(
        "name", ("internal", "loadBalancerType"), source=TF + "elbv2/load_balancer.go"
    ),
    "aws:lb/targetGroup:TargetGroup": Naming(
        "name",
        ("protocol", "protocolVersion", "targetType", "ipAddressType", "port"),
        TARGET_GROUP_NAME_DEFAULTS,
        truncated_at=32,
        source=TF + "elbv2/target_group.go",
    ),
    "aws:ecs/service:Service": Naming(
        "name", ("launchType", "schedulingStrategy", "deploymentController", "iamRole"), source=TF + "ecs/service.go"
    ),
    "aws:ecs/cluster:Cluster": Naming("name", source=TF + "ecs/cluster.go"),
    "aws:appautoscaling/policy:Policy": Naming(
        "name", ("resourceId", "scalableDimension", "serviceNamespace"), source=TF + "appautoscaling/policy.go"
    ),
    "aws:appautoscaling/scheduledAction:ScheduledAction": Naming(
        "name",
        ("resourceId", "scalableDimension", "serviceNamespace"),
        source=TF + "appautoscaling/scheduled_action.go",
    ),
    "aws:cloudwatch/logGroup:LogGroup": Naming("name", ("logGroupClass",), stateful=True, source=TF + "logs/group.go"),
    "aws:cloudfront/publicKey:PublicKey": Naming("name", ("encodedKey",), source=TF + "cloudfront/public_key.go"),
    "aws:cloudfront/keyGroup:KeyGroup": Naming("name", source=TF + "cloudfront/key_group.go"),
    "aws:cloudfront/originAccessControl:OriginAccessControl": Naming(
        "name", source=TF + "cloudfront/origin_access_control.go"
    ),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": Naming(
        "name", source=TF + "cloudfront/response_headers_policy.go"
    ),
    "aws:cloudfront/function:Function": Naming("name", source=TF + "cloudfront/function.go"),
    "aws:ecr/repository:Repository": Naming(
        "name", ("encryptionConfigurations",), REPOSITORY_NAME_DEFAULTS, stateful=True, source=TF + "ecr/repository.go"
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": Naming(
        "replicationGroupId",
        ("port", "atRestEncryptionEnabled", "kmsKeyId", "snapshotName", "snapshotArns"),
        REPLICATION_GROUP_NAME_DEFAULTS,
        stateful=True,
        source=TF + "elasticache/replication_group.go",
    ),
    # The description names the same group, so it changes only with the name; the family is in the name.
    "aws:elasticache/parameterGroup:ParameterGroup": Naming("name", source=TF + "elasticache/parameter_group.go"),
    "aws:elasticache/subnetGroup:SubnetGroup": Naming("name", source=TF + "elasticache/subnet_group.go"),
    "aws:rds/instance:Instance": Naming(
        "identifier",
        ("engine", "storageEncrypted", "dbName", "username", "kmsKeyId", "availabilityZone", "characterSetName"),
        INSTANCE_NAME_DEFAULTS,
        stateful=True,
        source=TF + "rds/instance.go",
    ),
    "aws:rds/parameterGroup:ParameterGroup": Naming("name", source=TF + "rds/parameter_group.go"),
    "aws:rds/subnetGroup:SubnetGroup": Naming("name", source=TF + "rds/subnet_group.go"),
    "aws:secretsmanager/secret:Secret": Naming("name", stateful=True, source=TF + "secretsmanager/secret.go"),
    "aws:s3/bucket:Bucket": Naming("bucket", stateful=True, source=TF + "s3/bucket.go"),
    "aws:sns/topic:Topic": Naming("name", source=TF + "sns/topic.go"),
    "aws:kms/alias:Alias": Naming("name", source=TF + "kms/alias.go"),
    "aws:wafv2/webAcl:WebAcl": Naming("name", ("scope",), source=TF + "wafv2/web_acl.go"),
    "aws:iam/role:Role": Naming("name", source=TF + "iam/role.go"),
}

#: Name-like inputs that are not a unique physical name of their resource.
NOT_A_NAME = {
    # A new revision of the family on every replacement: RegisterTaskDefinition never collides.
    "aws:ecs/taskDefinition:TaskDefinition",
    # Identified by bucket + key; the buckets are auto-named, so a new bucket is a new identity.
    "aws:s3/bucketObjectv2:BucketObjectv2",
    # `clusterName`/`bucket` point at the resource they configure; they are not names of their own.
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
}
NAME_LIKE = ("name", "bucket", "identifier", "replicationGroupId", "family", "repositoryName", "userId", "userGroupId")
PROTECTION_INPUTS = ("deletionProtection", "enableDeletionProtection")


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {env: build_plan(env) for env in ENVS}


def _as_named(inputs: dict[str, Any], plan_keys: frozenset[str]) -> dict[str, Any]:
    """``inputs`` with the ARN of a KMS key created in the same plan as the component hashed it
    (`key_identity`: unknown when the name was chosen, so the name says "a customer key")."""

    def swap(value: Any) -> Any:
        if isinstance(value, str) and value in plan_keys:
            return CUSTOMER_KEY
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    return {k: swap(v) for k, v in inputs.items()}


def verdict(resource: dict[str, Any], plan_keys: frozenset[str] = frozenset()) -> str | None:
    """None when ``resource`` is replace-safe, else why not (``plan_keys``: ARNs of the plan's KMS keys)."""
    typ, inputs, options = resource["type"], _as_named(resource["inputs"], plan_keys), resource["options"]
    naming = NAMING.get(typ)
    if naming is None:
        found = [k for k in NAME_LIKE if k in inputs]
        if found and not typ.startswith("aws:s3/bucket") and typ not in NOT_A_NAME:
            return f"{typ} sets {found}: add it to NAMING with its schema's ForceNew inputs"
        return None
    name = inputs.get(naming.name)
    if name is None:
        return None  # auto-named
    if options["deleteBeforeReplace"]:
        if naming.stateful and not (options["protect"] or any(inputs.get(k) is True for k in PROTECTION_INPUTS)):
            return f"{name!r} holds data: deleteBeforeReplace needs protect or deletion protection"
        return None
    if naming.truncated_at and len(str(name)) >= naming.truncated_at - 1 and re.search(r"-[0-9a-f]{7}$", str(name)):
        return None  # cut by physical_name: the tail hashes every part, the port and the suffix too
    present = {k: inputs[k] for k in naming.forcing if k in inputs}
    uncovered = {k: v for k, v in present.items() if str(v) not in str(name)}
    if not uncovered:
        return None
    if naming.defaults:
        suffix = replacement_suffix(uncovered, naming.defaults)
        return None if str(name).endswith(suffix) else f"{name!r} lacks the suffix {suffix!r} of {uncovered}"
    return f"{name!r} is fixed but {sorted(uncovered)} force a replacement: auto-name, suffix or deleteBeforeReplace"


@pytest.mark.parametrize("env", ENVS)
def test_every_planned_resource_with_a_fixed_name_is_replace_safe(plans: dict[str, Plan], env: str) -> None:
    # GIVEN every resource the environment plans WHEN each is judged by the table
    # The plan records no outputs: a KMS key ARN in an input is the plan's own key when the plan creates
    # keys (the platform takes no key ARN from the stack file).
    creates_keys = any(r["type"] == "aws:kms/key:Key" for r in plans[env].resources)
    keys = frozenset(re.findall(r"arn:aws:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]+", json.dumps(plans[env].document)))
    keys = keys if creates_keys else frozenset()
    problems = [f"{r['name']}: {why}" for r in plans[env].resources if r["custom"] and (why := verdict(r, keys))]

    # THEN none would collide with itself on a replacement
    assert problems == []


def test_the_judge_refuses_a_fixed_name_that_a_forcing_input_could_collide_with() -> None:
    # GIVEN a load balancer with a fixed name and `internal` set, without deleteBeforeReplace
    options = {"protect": False, "deleteBeforeReplace": False}
    alb = {"type": "aws:lb/loadBalancer:LoadBalancer", "inputs": {"name": "web", "internal": False}, "options": options}
    # THEN the judge names the collision; with deleteBeforeReplace it passes
    assert "force a replacement" in str(verdict(alb))
    assert verdict({**alb, "options": {**options, "deleteBeforeReplace": True}}) is None
    # and a database with deleteBeforeReplace but no protection is refused
    db = {
        "type": "aws:rds/instance:Instance",
        "inputs": {"identifier": "db"},
        "options": {**options, "deleteBeforeReplace": True},
    }
    assert "holds data" in str(verdict(db))
    # and an unknown named type must be classified
    assert "add it to NAMING" in str(verdict({"type": "aws:foo/bar:Bar", "inputs": {"name": "x"}, "options": options}))


def _named(plan: Plan, typ: str) -> list[str]:
    return sorted(str(r["inputs"][NAMING[typ].name]) for r in plan.of_type(typ))


def test_a_new_container_port_gives_the_target_groups_new_names(plans: dict[str, Plan]) -> None:
    # GIVEN dev, and a variant with another container port (a target group's port forces a replacement)
    variant = build_plan("dev", overrides={"streaming-platform:services": {"containerPort": 8080}})

    # THEN every replacement target group has a name of its own (the components' own variants:
    # tests/components for the database, the cache and the repository)
    before = _named(plans["dev"], "aws:lb/targetGroup:TargetGroup")
    after = _named(variant, "aws:lb/targetGroup:TargetGroup")
    assert len(before) == len(after) == 3 and not set(before) & set(after)
