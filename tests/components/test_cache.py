"""Cache: an encrypted Valkey/Redis OSS replication group with AUTH, reachable from SGs only."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components.cache import Cache, CacheArgs, CacheAuthMode, CacheEngine
from components.errors import ComponentArgsError
from components.subnet import SubnetRef
from components.tags import REQUIRED_TAG_KEYS
from stacks.offline.mocks import ProgramRun, Registration
from tests.conftest import MockRuntime

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
USER = "aws:elasticache/user:User"
SUBNETS = [SubnetRef("us-east-1a", "subnet-0aaa"), SubnetRef("us-east-1b", "subnet-0bbb")]
UNTAGGABLE = {"random:index/randomPassword:RandomPassword", "aws:secretsmanager/secretVersion:SecretVersion"}
OUTPUTS = (
    "primary_endpoint",
    "reader_endpoint",
    "port",
    "auth_secret_arn",
    "auth_username",
    "security_group_id",
    "arn",
)


def args(**overrides: Any) -> CacheArgs:
    return CacheArgs(**{"vpc_id": "vpc-0123", "subnets": SUBNETS, **overrides})


def build(pulumi_mocks: MockRuntime, name: str = "sessions", **overrides: Any) -> ProgramRun:
    def program() -> None:
        cache = Cache(name, args(**overrides))
        for key in OUTPUTS:
            pulumi.export(key, getattr(cache, key))

    return pulumi_mocks.run(program)


def sg_id(sg: Registration) -> str:
    """The id the mocks gave a security group (the tail of its ARN)."""
    found = re.fullmatch(r"arn:aws:ec2:us-east-1:123456789012:security-group/(sg-[0-9a-f]{17})", sg.outputs["arn"])
    assert found
    return found[1]


def assert_rejected(pulumi_mocks: MockRuntime, make: Callable[[], object], message: str) -> None:
    """The error matches ``message`` exactly and nothing, not even the component, was registered."""

    def program() -> None:
        with pytest.raises(ComponentArgsError, match=f"^{re.escape(message)}$"):
            make()

    assert pulumi_mocks.run(program).registrations == {}


# -- the replication group -------------------------------------------------------------------------
def test_by_default_one_encrypted_valkey_node_with_an_auth_token_in_isolated_subnets(
    pulumi_mocks: MockRuntime,
) -> None:
    # GIVEN a Cache with only the network arguments
    run = build(pulumi_mocks)
    rg = run.named("sessions-rg").inputs
    # THEN it is one Valkey 8.0 t4g.micro node on 6379, cluster mode off, with the pinned family
    assert rg["replicationGroupId"] == "sessions"
    assert (rg["engine"], rg["engineVersion"], rg["nodeType"]) == ("valkey", "8.0", "cache.t4g.micro")
    assert (rg["numCacheClusters"], rg["port"]) == (1, 6379)
    assert (rg["automaticFailoverEnabled"], rg["multiAzEnabled"]) == (False, False)
    # AND encrypted at rest and in transit (TLS required), authenticated by a secret token
    assert rg["atRestEncryptionEnabled"] is True
    assert "kmsKeyId" not in rg
    assert (rg["transitEncryptionEnabled"], rg["transitEncryptionMode"]) == (True, "required")
    assert rg["authToken"] == "[secret]"
    assert "userGroupIds" not in rg
    # AND in its own subnet group, parameter group and security group
    assert rg["subnetGroupName"] == "sessions"
    assert rg["parameterGroupName"] == "sessions-valkey8"
    assert rg["securityGroupIds"] == [sg_id(run.named("sessions-sg"))]
    # AND with snapshots, a maintenance window, minor upgrades, and changes held for the window
    assert (rg["snapshotRetentionLimit"], rg["snapshotWindow"]) == (1, "03:00-04:00")
    assert rg["maintenanceWindow"] == "sun:05:00-sun:06:00"
    assert rg["autoMinorVersionUpgrade"] is True
    assert rg["applyImmediately"] is False


def test_the_slow_log_is_delivered_as_json_to_its_own_log_group_with_a_retention(pulumi_mocks: MockRuntime) -> None:
    run = build(pulumi_mocks, log_retention_days=14)
    group = run.named("sessions-slow-log").inputs
    assert (group["name"], group["retentionInDays"]) == ("/aws/elasticache/sessions/slow-log", 14)
    assert run.named("sessions-rg").inputs["logDeliveryConfigurations"] == [
        {
            "destination": "/aws/elasticache/sessions/slow-log",
            "destinationType": "cloudwatch-logs",
            "logFormat": "json",
            "logType": "slow-log",
        }
    ]


def test_the_auth_token_is_generated_into_a_secrets_manager_secret_under_the_stack_path(
    pulumi_mocks: MockRuntime,
) -> None:
    run = build(
        pulumi_mocks, secret_recovery_window_days=0, secret_kms_key_id="arn:aws:kms:us-east-1:123456789012:key/abcd"
    )
    # THEN a 64-character alphanumeric token is generated
    token = run.named("sessions-auth-token").inputs
    assert (token["length"], token["special"]) == (64, False)
    # AND stored, as a secret value, in a secret named after project, stack and component
    secret = run.named("sessions-auth")
    assert secret.inputs["name"] == "test-project/test/sessions/auth"
    assert secret.inputs["recoveryWindowInDays"] == 0
    assert secret.inputs["kmsKeyId"] == "arn:aws:kms:us-east-1:123456789012:key/abcd"
    version = run.named("sessions-auth-value")
    assert version.inputs["secretString"] == "[secret]"
    assert secret.urn in version.dependencies
    assert run.outputs["auth_secret_arn"] == secret.outputs["arn"]
    assert run.outputs["auth_secret_arn"].startswith(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:test-project/test/sessions/auth-"
    )


def test_the_secret_keeps_a_seven_day_recovery_window_by_default(pulumi_mocks: MockRuntime) -> None:
    secret = build(pulumi_mocks).named("sessions-auth").inputs
    assert secret["recoveryWindowInDays"] == 7
    assert "kmsKeyId" not in secret


def test_the_outputs_are_the_endpoints_port_secret_user_group_and_arn(pulumi_mocks: MockRuntime) -> None:
    run = build(pulumi_mocks)
    rg = run.named("sessions-rg").outputs
    assert run.outputs["primary_endpoint"] == rg["primaryEndpointAddress"]
    assert run.outputs["reader_endpoint"] == rg["readerEndpointAddress"]
    assert run.outputs["port"] == 6379
    assert run.outputs["auth_username"] == "default"
    assert run.outputs["security_group_id"] == sg_id(run.named("sessions-sg"))
    assert run.outputs["arn"] == "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:sessions"


@pytest.mark.parametrize("nodes", [2, 3, 6])
def test_two_or_more_nodes_turn_on_automatic_failover_and_multi_az(pulumi_mocks: MockRuntime, nodes: int) -> None:
    rg = build(pulumi_mocks, num_nodes=nodes).named("sessions-rg").inputs
    assert (rg["numCacheClusters"], rg["automaticFailoverEnabled"], rg["multiAzEnabled"]) == (nodes, True, True)


def test_forcing_failover_on_with_replicas_is_accepted(pulumi_mocks: MockRuntime) -> None:
    rg = (
        build(pulumi_mocks, num_nodes=2, automatic_failover_enabled=True, multi_az_enabled=True)
        .named("sessions-rg")
        .inputs
    )
    assert (rg["automaticFailoverEnabled"], rg["multiAzEnabled"]) == (True, True)


@pytest.mark.parametrize(
    ("engine", "version", "family", "group_name"),
    [
        (CacheEngine.REDIS, None, "redis7", "sessions-redis7"),
        (CacheEngine.REDIS, "6.2", "redis6.x", "sessions-redis6-x"),
        (CacheEngine.VALKEY, "7.2", "valkey7", "sessions-valkey7"),
        (CacheEngine.VALKEY, "8.2", "valkey8", "sessions-valkey8"),
    ],
)
def test_the_parameter_group_family_follows_engine_and_version(
    pulumi_mocks: MockRuntime, engine: CacheEngine, version: str | None, family: str, group_name: str
) -> None:
    run = build(pulumi_mocks, engine=engine, engine_version=version)
    params = run.named("sessions-params").inputs
    assert (params["family"], params["name"]) == (family, group_name)
    rg = run.named("sessions-rg").inputs
    assert rg["engine"] == engine.value
    assert rg["engineVersion"] == (version or "7.1")
    assert rg["parameterGroupName"] == group_name


def test_extra_parameters_go_into_the_parameter_group(pulumi_mocks: MockRuntime) -> None:
    params = (
        build(pulumi_mocks, parameters={"maxmemory-policy": "allkeys-lru", "timeout": "300"})
        .named("sessions-params")
        .inputs
    )
    assert params["parameters"] == [
        {"name": "maxmemory-policy", "value": "allkeys-lru"},
        {"name": "timeout", "value": "300"},
    ]


def test_a_customer_key_encrypts_the_cache_at_rest(pulumi_mocks: MockRuntime) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    rg = build(pulumi_mocks, kms_key_id=key).named("sessions-rg").inputs
    assert (rg["atRestEncryptionEnabled"], rg["kmsKeyId"]) == (True, key)


def test_the_subnet_group_holds_exactly_the_isolated_subnets(pulumi_mocks: MockRuntime) -> None:
    group = build(pulumi_mocks).named("sessions-subnets").inputs
    assert (group["name"], group["subnetIds"]) == ("sessions", ["subnet-0aaa", "subnet-0bbb"])


# -- RBAC ------------------------------------------------------------------------------------------
def test_rbac_mode_uses_a_user_group_with_the_app_user_and_a_disabled_default_user(pulumi_mocks: MockRuntime) -> None:
    # GIVEN RBAC instead of a token
    run = build(pulumi_mocks, auth_mode=CacheAuthMode.RBAC, rbac_username="catalog")
    # THEN the application user authenticates with the generated (secret) password
    users = {r.name: r.inputs for r in run.of_type(USER)}
    assert users["sessions-user"] == {
        "userId": "sessions-catalog",
        "userName": "catalog",
        "engine": "valkey",
        "accessString": "on ~* +@all -@dangerous",
        "authenticationMode": {"type": "password", "passwords": ["[secret]"]},
        "tags": users["sessions-user"]["tags"],
    }
    # AND the default user exists but is switched off
    default = users["sessions-default-user"]
    assert (default["userName"], default["userId"], default["accessString"]) == (
        "default",
        "sessions-default",
        "off -@all",
    )
    assert default["authenticationMode"] == {"type": "password", "passwords": ["[secret]"]}
    # AND both are in the group the replication group uses instead of an AUTH token
    group = run.named("sessions-users").inputs
    assert (group["userGroupId"], group["engine"]) == ("sessions-users", "valkey")
    assert group["userIds"] == ["sessions-default", "sessions-catalog"]
    rg = run.named("sessions-rg").inputs
    assert rg["userGroupIds"] == ["sessions-users"]
    assert "authToken" not in rg
    assert run.outputs["auth_username"] == "catalog"
    assert run.named("sessions-auth").inputs["description"] == "RBAC password of cache sessions"


def test_plain_strings_are_accepted_for_the_modes(pulumi_mocks: MockRuntime) -> None:
    run = build(pulumi_mocks, engine="redis", auth_mode="rbac")
    assert run.named("sessions-rg").inputs["engine"] == "redis"
    assert run.named("sessions-user").inputs["engine"] == "redis"
    assert run.named("sessions-users").inputs["engine"] == "redis"


def test_token_mode_creates_no_rbac_users(pulumi_mocks: MockRuntime) -> None:
    run = build(pulumi_mocks)
    assert run.of_type(USER) == []
    assert run.of_type("aws:elasticache/userGroup:UserGroup") == []
    assert run.named("sessions-auth").inputs["description"] == "AUTH token of cache sessions"


# -- network access --------------------------------------------------------------------------------
def test_the_security_group_admits_6379_only_from_the_given_groups(pulumi_mocks: MockRuntime) -> None:
    run = build(pulumi_mocks, allowed_security_group_ids={"catalog": "sg-0cat", "accounts": "sg-0acc"})
    sg = run.named("sessions-sg")
    assert sg.inputs["vpcId"] == "vpc-0123"
    assert "ingress" not in sg.inputs and "egress" not in sg.inputs
    rules = {r.name: r.inputs for r in run.of_type(INGRESS)}
    assert set(rules) == {"sessions-from-catalog", "sessions-from-accounts"}
    for label, client in (("catalog", "sg-0cat"), ("accounts", "sg-0acc")):
        rule = rules[f"sessions-from-{label}"]
        assert (rule["securityGroupId"], rule["referencedSecurityGroupId"]) == (sg_id(sg), client)
        assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 6379, 6379)
        assert not {"cidrIpv4", "cidrIpv6", "prefixListId"} & set(rule)
    assert not run.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")


def test_allow_from_adds_a_rule_after_construction_and_rejects_a_reused_label(pulumi_mocks: MockRuntime) -> None:
    def program() -> None:
        cache = Cache("sessions", args(allowed_security_group_ids={"catalog": "sg-0cat"}))
        cache.allow_from("accounts", "sg-0acc")
        with pytest.raises(
            ComponentArgsError,
            match=re.escape(
                "Cache 'sessions': [allow_from] label 'accounts' is already used; give each client security group "
                "its own label."
            ),
        ):
            cache.allow_from("accounts", "sg-0other")

    run = pulumi_mocks.run(program)
    rules = {r.name: r.inputs["referencedSecurityGroupId"] for r in run.of_type(INGRESS)}
    assert rules == {"sessions-from-catalog": "sg-0cat", "sessions-from-accounts": "sg-0acc"}


# -- naming and tags -------------------------------------------------------------------------------
def test_every_child_is_parented_named_after_the_component_and_tagged(pulumi_mocks: MockRuntime) -> None:
    # GIVEN every optional child (RBAC users and a client rule) and an extra tag
    run = build(
        pulumi_mocks,
        auth_mode=CacheAuthMode.RBAC,
        allowed_security_group_ids={"catalog": "sg-0cat"},
        tags={"CostCentre": "streaming"},
    )
    parent = run.named("sessions").urn
    kids = [r for r in run.registrations.values() if r.parent == parent]
    # THEN all 13 resources are its children, named <name>-..., and the taggable ones carry the layered tags
    assert len(kids) == len(run.registrations) - 1 == 13
    for child in kids:
        assert child.name.startswith("sessions-"), child.name
        if child.type in UNTAGGABLE:
            continue
        tags = child.inputs["tags"]
        assert set(REQUIRED_TAG_KEYS) <= set(tags), child.name
        assert (tags["Component"], tags["Project"], tags["Environment"]) == ("Cache", "test-project", "test")
        assert tags["CostCentre"] == "streaming"
        assert tags["Name"].startswith("sessions")


def test_the_replication_group_id_comes_from_the_name_or_is_given(pulumi_mocks: MockRuntime) -> None:
    long_name = "sessions-" + "x" * 50
    derived = build(pulumi_mocks, name=long_name).named(f"{long_name}-rg").inputs["replicationGroupId"]
    assert len(derived) == 40 and derived.startswith("sessions-xxx")
    run = build(pulumi_mocks, replication_group_id="prod-sessions")
    assert run.named("sessions-rg").inputs["replicationGroupId"] == "prod-sessions"
    assert run.named("sessions-subnets").inputs["name"] == "prod-sessions"
    assert run.named("sessions-slow-log").inputs["name"] == "/aws/elasticache/prod-sessions/slow-log"


def test_in_vpc_takes_the_vpc_id_and_its_isolated_subnets() -> None:
    class FakeVpc:
        vpc_id = pulumi.Output.from_input("vpc-0fake")
        isolated_subnets = SUBNETS

    made = CacheArgs.in_vpc(FakeVpc(), num_nodes=2)
    assert (made.subnets, made.num_nodes, made.vpc_id) == (SUBNETS, 2, FakeVpc.vpc_id)


# -- validation: one test per rule, nothing registered ---------------------------------------------
INVALID: list[tuple[dict[str, Any], str]] = [
    (
        {"replication_group_id": "Sessions"},
        "[replication_group_id] 'Sessions' is not a valid identifier; use 1-40 lower-case letters, digits and hyphens, "
        "starting with a letter, without '--' or a trailing '-'.",
    ),
    (
        {"subnets": [SUBNETS[0]]},
        "[subnets] 1 subnet(s) in 1 AZ(s) ['us-east-1a']; use at least 2 isolated subnets in distinct AZs: pass "
        "Vpc.isolated_subnets of a VPC with az_count >= 2.",
    ),
    (
        {"subnets": ["subnet-0aaa", "subnet-0bbb"]},
        "[subnets] must be SubnetRef values (e.g. Vpc.isolated_subnets); wrap ids as SubnetRef(az='us-east-1a', id=...).",
    ),
    (
        {"subnets": [*SUBNETS, SubnetRef("us-east-1c", "subnet-0bbb")]},
        "[subnets] ['subnet-0aaa', 'subnet-0bbb', 'subnet-0bbb'] repeats a subnet; give each isolated subnet once.",
    ),
    (
        {"allowed_security_group_ids": {"10.0.0.0/8": "sg-0cat"}},
        "[allowed_security_group_ids] label '10.0.0.0/8' is not valid; use 1-32 lower-case letters, digits and hyphens, "
        "not starting or ending with a hyphen, e.g. 'catalog'.",
    ),
    ({"engine": "memcached"}, "[engine] 'memcached' is not valid; choose CacheEngine.VALKEY or CacheEngine.REDIS."),
    (
        {"engine_version": "7.1"},
        "[engine_version] '7.1' is not a supported valkey version; choose one of 7.2, 8.0, 8.1, 8.2.",
    ),
    (
        {"engine": CacheEngine.REDIS, "engine_version": "8.0"},
        "[engine_version] '8.0' is not a supported redis version; choose one of 6.2, 7.0, 7.1.",
    ),
    (
        {"node_type": "t4g.micro"},
        "[node_type] 't4g.micro' is not an ElastiCache node type; use 'cache.<family>.<size>', e.g. 'cache.t4g.micro'.",
    ),
    ({"num_nodes": 0}, "[num_nodes] 0 is outside 1-6 (one primary and up to five replicas)."),
    ({"num_nodes": 7}, "[num_nodes] 7 is outside 1-6 (one primary and up to five replicas)."),
    (
        {"num_nodes": 1, "automatic_failover_enabled": True},
        "[automatic_failover_enabled] True with num_nodes=1: it must be False (impossible with 1 node); leave it "
        "unset, or use num_nodes >= 2 to get a replica to fail over to.",
    ),
    (
        {"num_nodes": 1, "multi_az_enabled": True},
        "[multi_az_enabled] True with num_nodes=1: it must be False (impossible with 1 node); leave it unset, or use "
        "num_nodes >= 2 to get a replica to fail over to.",
    ),
    (
        {"num_nodes": 2, "automatic_failover_enabled": False},
        "[automatic_failover_enabled] False with num_nodes=2: it must be True (required with 2 or more nodes); set it "
        "to True or leave it unset.",
    ),
    (
        {"num_nodes": 3, "multi_az_enabled": False},
        "[multi_az_enabled] False with num_nodes=3: it must be True (required with 2 or more nodes); set it to True or "
        "leave it unset.",
    ),
    (
        {"kms_key_id": "alias/cache"},
        "[kms_key_id] 'alias/cache' is not a KMS key ARN; ElastiCache needs the full ARN "
        "('arn:aws:kms:<region>:<account>:key/<id>').",
    ),
    ({"auth_mode": "none"}, "[auth_mode] 'none' is not valid; choose CacheAuthMode.TOKEN or CacheAuthMode.RBAC."),
    (
        {"auth_mode": CacheAuthMode.RBAC, "rbac_username": "default"},
        "[rbac_username] 'default' is not valid; use 1-40 lower-case letters, digits and hyphens starting with a "
        "letter, other than 'default', e.g. 'app'.",
    ),
    (
        {"auth_mode": CacheAuthMode.RBAC, "rbac_access_string": "~* +@all"},
        "[rbac_access_string] '~* +@all' must start with 'on' or the user cannot log in; e.g. "
        "'on ~* +@all -@dangerous'.",
    ),
    ({"snapshot_retention_limit": 36}, "[snapshot_retention_limit] 36 is outside 0-35."),
    (
        {"snapshot_window": "03:00"},
        "[snapshot_window] '03:00' is not a daily window; use 'hh24:mi-hh24:mi' in UTC, e.g. '03:00-04:00'.",
    ),
    (
        {"snapshot_window": "03:00-03:30"},
        "[snapshot_window] '03:00-03:30' lasts 30 minutes; make it at least 60 minutes long.",
    ),
    (
        {"maintenance_window": "sun:05:00"},
        "[maintenance_window] 'sun:05:00' is not a weekly window; use 'ddd:hh24:mi-ddd:hh24:mi' in UTC with lower-case "
        "days, e.g. 'sun:05:00-sun:06:00'.",
    ),
    (
        {"maintenance_window": "sun:05:00-sun:05:30"},
        "[maintenance_window] 'sun:05:00-sun:05:30' lasts 30 minutes; make it between 60 and 1440 minutes long.",
    ),
    (
        {"maintenance_window": "mon:02:30-mon:03:30"},
        "[maintenance_window] 'mon:02:30-mon:03:30' overlaps the daily snapshot window '03:00-04:00'; move one of "
        "them.",
    ),
    (
        {"log_retention_days": 10},
        "[log_retention_days] 10 is not a CloudWatch Logs retention period; choose one of 1, 3, 5, 7, 14, 30, 60, 90, "
        "120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.",
    ),
    (
        {"secret_recovery_window_days": 3},
        "[secret_recovery_window_days] 3 is not valid; use 0 (delete at once) or 7-30 days.",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "message"), INVALID, ids=[f"{i}-{next(iter(o))}" for i, (o, _) in enumerate(INVALID)]
)
def test_an_invalid_argument_is_rejected_naming_it_and_the_fix(
    pulumi_mocks: MockRuntime, overrides: dict[str, Any], message: str
) -> None:
    assert_rejected(pulumi_mocks, lambda: Cache("sessions", args(**overrides)), f"Cache 'sessions': {message}")


def test_a_name_that_cannot_become_an_id_asks_for_an_explicit_one(pulumi_mocks: MockRuntime) -> None:
    assert_rejected(
        pulumi_mocks,
        lambda: Cache("9lives", args()),
        "Cache '9lives': [replication_group_id] '9lives' is not a valid identifier; use 1-40 lower-case letters, "
        "digits and hyphens, starting with a letter, without '--' or a trailing '-'. (derived from the component "
        "name; pass replication_group_id explicitly)",
    )


def test_a_name_secrets_manager_rejects_is_refused(pulumi_mocks: MockRuntime) -> None:
    assert_rejected(
        pulumi_mocks,
        lambda: Cache("sessions cache", args(replication_group_id="sessions")),
        "Cache 'sessions cache': [name] the auth secret name 'test-project/test/sessions cache/auth' has characters "
        "Secrets Manager rejects; name the component with letters, digits and '-_+=.@'.",
    )


def test_a_new_kms_key_gives_the_replacement_replication_group_its_own_id(pulumi_mocks: MockRuntime) -> None:
    # GIVEN the id as every existing group was created, and a KMS key (ForceNew) given later
    key = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-0000-4000-8000-000000000000"
    before = build(pulumi_mocks, replication_group_id="prod-sessions").named("sessions-rg").inputs
    after = build(pulumi_mocks, replication_group_id="prod-sessions", kms_key_id=key).named("sessions-rg").inputs

    # THEN the replacement has an id of its own (created before the old group is deleted)
    assert before["replicationGroupId"] == "prod-sessions"
    assert re.fullmatch(r"prod-sessions-[0-9a-f]{8}", after["replicationGroupId"])
    assert after["subnetGroupName"] == after["replicationGroupId"]
