"""Postgres: a private, encrypted RDS instance with an RDS-managed password, reachable from SGs only."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components.errors import ComponentArgsError
from components.postgres import LogStatement, Postgres, PostgresArgs
from components.subnet import SubnetRef
from components.tags import REQUIRED_TAG_KEYS
from stacks.offline.mocks import ProgramRun, Registration
from tests.conftest import MockRuntime

RDS = "aws:rds/instance:Instance"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SUBNETS = [SubnetRef("us-east-1a", "subnet-0aaa"), SubnetRef("us-east-1b", "subnet-0bbb")]
UNTAGGABLE = {"aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:secretsmanager/secretRotation:SecretRotation"}


def args(**overrides: Any) -> PostgresArgs:
    return PostgresArgs(**{"vpc_id": "vpc-0123", "subnets": SUBNETS, **overrides})


def build(pulumi_mocks: MockRuntime, name: str = "orders-db", **overrides: Any) -> ProgramRun:
    def program() -> None:
        db = Postgres(name, args(**overrides))
        for key in (
            "address",
            "endpoint",
            "port",
            "database_name",
            "username",
            "secret_arn",
            "security_group_id",
            "arn",
            "identifier",
            "resource_id",
        ):
            pulumi.export(key, getattr(db, key))

    return pulumi_mocks.run(program)


def children(run: ProgramRun, component: str = "orders-db") -> list[Registration]:
    parent = run.named(component).urn
    return [r for r in run.registrations.values() if r.parent == parent]


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


# -- the instance ----------------------------------------------------------------------------------
def test_by_default_the_instance_is_encrypted_private_pinned_and_protected(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a Postgres with only the network arguments
    # WHEN it is planned
    db = build(pulumi_mocks).named("orders-db-db").inputs
    # THEN the instance has the secure defaults
    assert db["identifier"] == "orders-db"
    assert (db["engine"], db["engineVersion"], db["allowMajorVersionUpgrade"]) == ("postgres", "16", False)
    assert db["instanceClass"] == "db.t4g.micro"
    assert (db["storageType"], db["allocatedStorage"], db["maxAllocatedStorage"]) == ("gp3", 20, 100)
    assert db["storageEncrypted"] is True
    assert "kmsKeyId" not in db
    assert db["publiclyAccessible"] is False
    assert db["dbSubnetGroupName"] == "orders-db"
    assert db["parameterGroupName"] == "orders-db-postgres16"
    assert db["caCertIdentifier"] == "rds-ca-rsa2048-g1"
    assert (db["dbName"], db["username"], db["port"]) == ("app", "app", 5432)
    assert db["iamDatabaseAuthenticationEnabled"] is False
    assert db["multiAz"] is False
    assert (db["backupRetentionPeriod"], db["backupWindow"]) == (7, "03:00-04:00")
    assert db["maintenanceWindow"] == "sun:05:00-sun:06:00"
    assert db["deletionProtection"] is True
    assert (db["skipFinalSnapshot"], db["finalSnapshotIdentifier"]) == (False, "orders-db-final")
    assert (db["performanceInsightsEnabled"], db["performanceInsightsRetentionPeriod"]) == (True, 7)
    assert db["monitoringInterval"] == 0
    assert "monitoringRoleArn" not in db
    assert db["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert db["autoMinorVersionUpgrade"] is True
    assert db["copyTagsToSnapshot"] is True
    assert db["applyImmediately"] is False


def test_the_master_password_is_managed_by_rds_and_never_in_the_program_or_state(pulumi_mocks: MockRuntime) -> None:
    # GIVEN the default Postgres
    run = build(pulumi_mocks)
    db = run.named("orders-db-db")
    # THEN RDS manages the password, no resource receives one, and no secret or random password is created
    assert db.inputs["manageMasterUserPassword"] is True
    assert "masterUserSecretKmsKeyId" not in db.inputs
    for reg in run.registrations.values():
        assert not {"password", "passwordWo"} & set(reg.inputs), reg.name
    created = [r.type for r in run.registrations.values() if r.type.startswith(("random:", "aws:secretsmanager"))]
    assert created == ["aws:secretsmanager/secretRotation:SecretRotation"]  # the schedule of RDS's own secret
    # AND the secret ARN output is the one RDS created
    assert run.outputs["secret_arn"] == db.outputs["masterUserSecrets"][0]["secretArn"]
    assert run.outputs["secret_arn"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-")


def test_the_master_secret_rotates_on_an_explicit_schedule(pulumi_mocks: MockRuntime) -> None:
    # GIVEN the default Postgres, and one with a 30-day rotation
    run = build(pulumi_mocks)
    rotation = run.named("orders-db-secret-rotation")
    # THEN the RDS-managed secret rotates every 7 days, starting at the next window (not at deploy time)
    assert rotation.inputs["secretId"] == run.outputs["secret_arn"]
    assert rotation.inputs["rotationRules"] == {"automaticallyAfterDays": 7}
    assert rotation.inputs["rotateImmediately"] is False
    assert "rotationLambdaArn" not in rotation.inputs  # RDS rotates its managed secret itself
    other = build(pulumi_mocks, master_password_rotation_days=30)
    assert other.named("orders-db-secret-rotation").inputs["rotationRules"] == {"automaticallyAfterDays": 30}


def test_the_master_secret_must_rotate(pulumi_mocks: MockRuntime) -> None:
    with pytest.raises(ComponentArgsError, match=r"master_password_rotation_days.*0 is outside 1-365"):
        build(pulumi_mocks, master_password_rotation_days=0)


def test_the_outputs_are_the_instance_endpoint_names_and_ids(pulumi_mocks: MockRuntime) -> None:
    run = build(pulumi_mocks)
    db, sg = run.named("orders-db-db").outputs, run.named("orders-db-sg")
    assert run.outputs["address"] == db["address"]
    assert run.outputs["endpoint"] == f"{db['address']}:5432"
    assert run.outputs["port"] == 5432
    assert (run.outputs["database_name"], run.outputs["username"]) == ("app", "app")
    assert run.outputs["security_group_id"] == sg_id(sg)
    assert run.outputs["arn"] == "arn:aws:rds:us-east-1:123456789012:db:orders-db"
    assert run.outputs["identifier"] == "orders-db"
    assert run.outputs["resource_id"] == db["resourceId"]


def test_the_parameter_group_forces_tls_and_logs_slow_queries_and_ddl(pulumi_mocks: MockRuntime) -> None:
    params = build(pulumi_mocks).named("orders-db-params").inputs
    assert (params["name"], params["family"]) == ("orders-db-postgres16", "postgres16")
    assert {p["name"]: p["value"] for p in params["parameters"]} == {
        "rds.force_ssl": "1",
        "log_min_duration_statement": "1000",
        "log_statement": "ddl",
    }


def test_the_slow_query_threshold_log_statement_and_extra_parameters_are_configurable(
    pulumi_mocks: MockRuntime,
) -> None:
    # GIVEN a 250 ms threshold, mod statements and an extra static parameter
    run = build(
        pulumi_mocks,
        slow_query_threshold_ms=250,
        log_statement=LogStatement.MOD,
        parameters={"shared_preload_libraries": "pg_stat_statements"},
    )
    # THEN the managed ones apply immediately and the extra one at the next reboot
    params = {p["name"]: p for p in run.named("orders-db-params").inputs["parameters"]}
    assert params["log_min_duration_statement"]["value"] == "250"
    assert params["log_statement"]["value"] == "mod"
    assert params["rds.force_ssl"]["value"] == "1"
    assert params["shared_preload_libraries"] == {
        "name": "shared_preload_libraries",
        "value": "pg_stat_statements",
        "applyMethod": "pending-reboot",
    }


def test_log_statement_accepts_a_plain_string(pulumi_mocks: MockRuntime) -> None:
    params = build(pulumi_mocks, log_statement="all").named("orders-db-params").inputs["parameters"]
    assert {p["name"]: p["value"] for p in params}["log_statement"] == "all"


def test_a_newer_major_version_gets_its_own_family_and_parameter_group_name(pulumi_mocks: MockRuntime) -> None:
    run = build(pulumi_mocks, engine_version="17", allow_major_version_upgrade=True)
    assert run.named("orders-db-db").inputs["engineVersion"] == "17"
    assert run.named("orders-db-db").inputs["allowMajorVersionUpgrade"] is True
    params = run.named("orders-db-params").inputs
    assert (params["name"], params["family"]) == ("orders-db-postgres17", "postgres17")
    assert run.named("orders-db-db").inputs["parameterGroupName"] == "orders-db-postgres17"


def test_the_subnet_group_holds_exactly_the_isolated_subnets(pulumi_mocks: MockRuntime) -> None:
    group = build(pulumi_mocks).named("orders-db-subnets").inputs
    assert group["name"] == "orders-db"
    assert group["subnetIds"] == ["subnet-0aaa", "subnet-0bbb"]


def test_without_deletion_protection_no_final_snapshot_is_taken(pulumi_mocks: MockRuntime) -> None:
    db = build(pulumi_mocks, deletion_protection=False).named("orders-db-db").inputs
    assert (db["deletionProtection"], db["skipFinalSnapshot"]) == (False, True)


def test_a_protected_database_can_be_torn_down_keeping_a_final_snapshot(pulumi_mocks: MockRuntime) -> None:
    # GIVEN protection turned off for teardown but the final snapshot explicitly kept
    db = build(pulumi_mocks, deletion_protection=False, final_snapshot=True).named("orders-db-db").inputs
    # THEN deletion is allowed and takes the snapshot
    assert (db["deletionProtection"], db["skipFinalSnapshot"], db["finalSnapshotIdentifier"]) == (
        False,
        False,
        "orders-db-final",
    )


def test_a_customer_key_encrypts_storage_and_performance_insights(pulumi_mocks: MockRuntime) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    db = build(pulumi_mocks, kms_key_id=key, master_user_secret_kms_key_id="alias/secrets").named("orders-db-db")
    assert (db.inputs["storageEncrypted"], db.inputs["kmsKeyId"]) == (True, key)
    assert db.inputs["performanceInsightsKmsKeyId"] == key
    assert db.inputs["masterUserSecretKmsKeyId"] == "alias/secrets"


def test_production_settings_pass_through(pulumi_mocks: MockRuntime) -> None:
    db = (
        build(
            pulumi_mocks,
            multi_az=True,
            instance_class="db.m7g.large",
            allocated_storage=100,
            max_allocated_storage=500,
            backup_retention_days=30,
            iam_authentication=True,
            backup_window="02:00-02:30",
            maintenance_window="sat:04:00-sat:04:30",
            port=6543,
            apply_immediately=True,
            performance_insights=False,
        )
        .named("orders-db-db")
        .inputs
    )
    assert db["multiAz"] is True
    assert db["instanceClass"] == "db.m7g.large"
    assert (db["allocatedStorage"], db["maxAllocatedStorage"]) == (100, 500)
    assert (db["backupRetentionPeriod"], db["backupWindow"]) == (30, "02:00-02:30")
    assert db["maintenanceWindow"] == "sat:04:00-sat:04:30"
    assert db["iamDatabaseAuthenticationEnabled"] is True
    assert db["port"] == 6543
    assert db["applyImmediately"] is True
    assert db["performanceInsightsEnabled"] is False
    assert "performanceInsightsRetentionPeriod" not in db


def test_exported_logs_go_to_log_groups_created_first_with_a_retention(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a 90-day log retention
    run = build(pulumi_mocks, log_retention_days=90)
    # THEN one log group per export, named as RDS names them, exists before the instance
    groups = {r.name: r for r in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert {n: (g.inputs["name"], g.inputs["retentionInDays"]) for n, g in groups.items()} == {
        "orders-db-log-postgresql": ("/aws/rds/instance/orders-db/postgresql", 90),
        "orders-db-log-upgrade": ("/aws/rds/instance/orders-db/upgrade", 90),
    }
    assert {g.urn for g in groups.values()} <= set(run.named("orders-db-db").dependencies)


def test_enhanced_monitoring_creates_a_role_only_rds_monitoring_can_assume(pulumi_mocks: MockRuntime) -> None:
    run = build(pulumi_mocks, monitoring_interval=30)
    role = run.named("orders-db-monitoring-role")
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AssumeByService",
                "Effect": "Allow",
                "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                "Action": "sts:AssumeRole",
                # the confused-deputy guard: only on behalf of this account
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }
    attachment = run.named("orders-db-monitoring-policy").inputs
    assert attachment["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    db = run.named("orders-db-db")
    assert db.inputs["monitoringInterval"] == 30
    assert db.inputs["monitoringRoleArn"] == role.outputs["arn"]


# -- network access --------------------------------------------------------------------------------
def test_the_security_group_has_no_inline_rules_and_admits_the_port_only_from_the_given_groups(
    pulumi_mocks: MockRuntime,
) -> None:
    # GIVEN two client security groups
    run = build(pulumi_mocks, allowed_security_group_ids={"catalog": "sg-0cat", "accounts": "sg-0acc"})
    # THEN the group has no inline rules and is the instance's only group
    sg = run.named("orders-db-sg")
    assert sg.inputs["vpcId"] == "vpc-0123"
    assert "ingress" not in sg.inputs and "egress" not in sg.inputs
    assert run.named("orders-db-db").inputs["vpcSecurityGroupIds"] == [sg_id(sg)]
    # AND one standalone rule per client admits 5432/tcp from that group, never from a CIDR
    rules = {r.name: r.inputs for r in run.of_type(INGRESS)}
    assert set(rules) == {"orders-db-from-catalog", "orders-db-from-accounts"}
    for label, client in (("catalog", "sg-0cat"), ("accounts", "sg-0acc")):
        rule = rules[f"orders-db-from-{label}"]
        assert rule["referencedSecurityGroupId"] == client
        assert rule["securityGroupId"] == sg_id(sg)
        assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 5432, 5432)
        assert not {"cidrIpv4", "cidrIpv6", "prefixListId"} & set(rule)
    assert not run.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert not run.of_type("aws:ec2/securityGroupRule:SecurityGroupRule")


def test_allow_from_adds_a_rule_after_construction_without_renaming_others(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a database created before its client service
    def program() -> None:
        db = Postgres("orders-db", args(allowed_security_group_ids={"catalog": "sg-0cat"}, port=6543))
        # WHEN the service's group is admitted afterwards
        db.allow_from("accounts", "sg-0acc")

    run = pulumi_mocks.run(program)
    # THEN the new rule admits the configured port from that group, and the first rule keeps its name
    rules = {r.name: r.inputs for r in run.of_type(INGRESS)}
    assert set(rules) == {"orders-db-from-catalog", "orders-db-from-accounts"}
    assert rules["orders-db-from-accounts"]["referencedSecurityGroupId"] == "sg-0acc"
    assert (rules["orders-db-from-accounts"]["fromPort"], rules["orders-db-from-accounts"]["toPort"]) == (6543, 6543)
    assert run.named("orders-db-from-accounts").parent == run.named("orders-db").urn


def test_allow_from_rejects_a_label_already_used_and_registers_nothing_more(pulumi_mocks: MockRuntime) -> None:
    def program() -> None:
        db = Postgres("orders-db", args(allowed_security_group_ids={"catalog": "sg-0cat"}))
        with pytest.raises(
            ComponentArgsError,
            match=re.escape(
                "Postgres 'orders-db': [allow_from] label 'catalog' is already used; give each client security "
                "group its own label."
            ),
        ):
            db.allow_from("catalog", "sg-0other")
        with pytest.raises(ComponentArgsError, match=re.escape("[allow_from] label 'Bad Label' is not valid")):
            db.allow_from("Bad Label", "sg-0other")

    assert [r.name for r in pulumi_mocks.run(program).of_type(INGRESS)] == ["orders-db-from-catalog"]


# -- naming and tags -------------------------------------------------------------------------------
def test_every_child_is_parented_named_after_the_component_and_tagged(pulumi_mocks: MockRuntime) -> None:
    # GIVEN every optional child (a client rule and enhanced monitoring) and an extra tag
    run = build(
        pulumi_mocks,
        allowed_security_group_ids={"catalog": "sg-0cat"},
        monitoring_interval=60,
        tags={"CostCentre": "streaming"},
    )
    kids = children(run)
    # THEN every resource is a child named <name>-..., and every taggable one carries the layered tags
    assert len(kids) == len(run.registrations) - 1 == 10  # 9 + the master secret's rotation schedule
    for child in kids:
        assert child.name.startswith("orders-db-"), child.name
        if child.type in UNTAGGABLE:
            continue
        tags = child.inputs["tags"]
        assert set(REQUIRED_TAG_KEYS) <= set(tags), child.name
        assert (tags["Component"], tags["Project"], tags["Environment"]) == ("Postgres", "test-project", "test")
        assert tags["CostCentre"] == "streaming"
        assert tags["Name"].startswith("orders-db")
    assert run.named("orders-db-db").inputs["tags"]["Name"] == "orders-db"


def test_the_identifier_comes_from_the_lower_cased_name_or_is_given(pulumi_mocks: MockRuntime) -> None:
    assert build(pulumi_mocks, name="Orders_DB").named("Orders_DB-db").inputs["identifier"] == "orders-db"
    long_name = "orders-" + "x" * 70
    derived = build(pulumi_mocks, name=long_name).named(f"{long_name}-db").inputs["identifier"]
    assert len(derived) == 63 and derived.startswith("orders-xxx")
    run = build(pulumi_mocks, identifier="prod-orders")
    assert run.named("orders-db-db").inputs["identifier"] == "prod-orders"
    assert run.named("orders-db-subnets").inputs["name"] == "prod-orders"
    assert run.named("orders-db-log-postgresql").inputs["name"] == "/aws/rds/instance/prod-orders/postgresql"


def test_in_vpc_takes_the_vpc_id_and_its_isolated_subnets() -> None:
    class FakeVpc:
        vpc_id = pulumi.Output.from_input("vpc-0fake")
        isolated_subnets = SUBNETS

    made = PostgresArgs.in_vpc(FakeVpc(), deletion_protection=False)
    assert (made.subnets, made.deletion_protection) == (SUBNETS, False)
    assert made.vpc_id is FakeVpc.vpc_id


# -- validation: one test per rule, nothing registered ---------------------------------------------
SUBNET_RULE = (
    "[subnets] must be SubnetRef values (e.g. Vpc.isolated_subnets); wrap ids as SubnetRef(az='us-east-1a', id=...)."
)


INVALID: list[tuple[dict[str, Any], str]] = [
    (
        {"identifier": "Orders--db"},
        "[identifier] 'Orders--db' is not a valid identifier; use 1-63 lower-case letters, digits and hyphens, "
        "starting with a letter, without '--' or a trailing '-'.",
    ),
    (
        {"subnets": [SUBNETS[0]]},
        "[subnets] 1 subnet(s) in 1 AZ(s) ['us-east-1a']; use at least 2 isolated subnets in distinct AZs: pass "
        "Vpc.isolated_subnets of a VPC with az_count >= 2.",
    ),
    (
        {"subnets": [SUBNETS[0], SubnetRef("us-east-1a", "subnet-0ccc")]},
        "[subnets] 2 subnet(s) in 1 AZ(s) ['us-east-1a']; use at least 2 isolated subnets in distinct AZs: pass "
        "Vpc.isolated_subnets of a VPC with az_count >= 2.",
    ),
    (
        {"subnets": [*SUBNETS, SubnetRef("us-east-1c", "subnet-0aaa")]},
        "[subnets] ['subnet-0aaa', 'subnet-0bbb', 'subnet-0aaa'] repeats a subnet; give each isolated subnet once.",
    ),
    ({"subnets": ["subnet-0aaa", "subnet-0bbb"]}, SUBNET_RULE),
    (
        {"allowed_security_group_ids": {"Catalog": "sg-0cat"}},
        "[allowed_security_group_ids] label 'Catalog' is not valid; use 1-32 lower-case letters, digits and hyphens, "
        "not starting or ending with a hyphen, e.g. 'catalog'.",
    ),
    (
        {"engine_version": "16.4"},
        "[engine_version] '16.4' is not a supported major version; choose one of 14, 15, 16, 17 (major only, e.g. '16').",
    ),
    (
        {"instance_class": "t4g.micro"},
        "[instance_class] 't4g.micro' is not an RDS instance class; use 'db.<family>.<size>', e.g. 'db.t4g.micro'.",
    ),
    ({"allocated_storage": 10}, "[allocated_storage] 10 GiB is outside 20-65536 (gp3 for PostgreSQL)."),
    (
        {"allocated_storage": 50, "max_allocated_storage": 40},
        "[max_allocated_storage] 40 GiB must be at least allocated_storage (50) and at most 65536, or 0 to turn "
        "storage autoscaling off.",
    ),
    (
        {"kms_key_id": "alias/db"},
        "[kms_key_id] 'alias/db' is not a KMS key ARN; RDS needs the full ARN ('arn:aws:kms:<region>:<account>:key/<id>').",
    ),
    (
        {"username": "App-User"},
        "[username] 'App-User' is not valid; use 1-63 lower-case letters, digits and underscores, starting with a "
        "letter, e.g. 'app'.",
    ),
    (
        {"username": "postgres"},
        "[username] 'postgres' is reserved by PostgreSQL or RDS; choose another name, e.g. 'app'.",
    ),
    (
        {"username": "rdsadmin"},
        "[username] 'rdsadmin' is reserved by PostgreSQL or RDS; choose another name, e.g. 'app'.",
    ),
    ({"username": "pg_app"}, "[username] 'pg_app' is reserved by PostgreSQL or RDS; choose another name, e.g. 'app'."),
    (
        {"database_name": "1app"},
        "[database_name] '1app' is not valid; use 1-63 lower-case letters, digits and underscores, starting with a "
        "letter, e.g. 'app'.",
    ),
    (
        {"database_name": "template1"},
        "[database_name] 'template1' already exists on every instance; choose another, e.g. 'app'.",
    ),
    ({"port": 80}, "[port] 80 is outside 1150-65535, the ports RDS for PostgreSQL accepts."),
    (
        {"slow_query_threshold_ms": -5},
        "[slow_query_threshold_ms] -5 is not valid; use -1 (off), 0 (log every statement) or a threshold in "
        "milliseconds.",
    ),
    ({"log_statement": "everything"}, "[log_statement] 'everything' is not valid; choose one of none, ddl, mod, all."),
    (
        {"parameters": {"rds.force_ssl": "0"}},
        "[parameters] ['rds.force_ssl'] are set by the component; use slow_query_threshold_ms and log_statement "
        "instead (rds.force_ssl is always 1).",
    ),
    (
        {"backup_retention_days": 0},
        "[backup_retention_days] 0 is outside 1-35; automated backups cannot be turned off here.",
    ),
    (
        {"backup_window": "3am-4am"},
        "[backup_window] '3am-4am' is not a daily window; use 'hh24:mi-hh24:mi' in UTC, e.g. '03:00-04:00'.",
    ),
    (
        {"backup_window": "03:00-03:15"},
        "[backup_window] '03:00-03:15' lasts 15 minutes; make it at least 30 minutes long.",
    ),
    (
        {"maintenance_window": "Sun:05:00-Sun:06:00"},
        "[maintenance_window] 'Sun:05:00-Sun:06:00' is not a weekly window; use 'ddd:hh24:mi-ddd:hh24:mi' in UTC with "
        "lower-case days, e.g. 'sun:05:00-sun:06:00'.",
    ),
    (
        {"maintenance_window": "sun:05:00-sun:05:10"},
        "[maintenance_window] 'sun:05:00-sun:05:10' lasts 10 minutes; make it between 30 and 1440 minutes long.",
    ),
    (
        {"maintenance_window": "tue:03:30-tue:04:30"},
        "[maintenance_window] 'tue:03:30-tue:04:30' overlaps the daily backup window '03:00-04:00'; move one of them.",
    ),
    (
        {"performance_insights_retention_days": 30},
        "[performance_insights_retention_days] 30 is not valid; use 7 (free), 731, or a multiple of 31 up to 713.",
    ),
    (
        {"monitoring_interval": 20},
        "[monitoring_interval] 20 is not valid; choose one of 0, 1, 5, 10, 15, 30, 60 seconds.",
    ),
    (
        {"log_retention_days": 0},
        "[log_retention_days] 0 is not a CloudWatch Logs retention period; choose one of 1, 3, 5, 7, 14, 30, 60, 90, "
        "120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "message"), INVALID, ids=[f"{i}-{next(iter(o))}" for i, (o, _) in enumerate(INVALID)]
)
def test_an_invalid_argument_is_rejected_naming_it_and_the_fix(
    pulumi_mocks: MockRuntime, overrides: dict[str, Any], message: str
) -> None:
    assert_rejected(pulumi_mocks, lambda: Postgres("orders-db", args(**overrides)), f"Postgres 'orders-db': {message}")


def test_a_name_that_cannot_become_an_identifier_asks_for_an_explicit_one(pulumi_mocks: MockRuntime) -> None:
    assert_rejected(
        pulumi_mocks,
        lambda: Postgres("1-orders", args()),
        "Postgres '1-orders': [identifier] '1-orders' is not a valid identifier; use 1-63 lower-case letters, digits "
        "and hyphens, starting with a letter, without '--' or a trailing '-'. (derived from the component name; "
        "pass identifier explicitly)",
    )


def test_storage_autoscaling_can_be_turned_off_with_zero(pulumi_mocks: MockRuntime) -> None:
    db = build(pulumi_mocks, max_allocated_storage=0).named("orders-db-db").inputs
    assert db["maxAllocatedStorage"] == 0


def test_a_change_that_replaces_the_instance_gives_the_replacement_its_own_identifier(
    pulumi_mocks: MockRuntime,
) -> None:
    # GIVEN the identifier with the defaults every existing instance was created with
    base = build(pulumi_mocks, identifier="prod-orders").named("orders-db-db").inputs["identifier"]
    assert base == "prod-orders"

    # WHEN an input that forces a replacement (ForceNew) changes: the database name, the user, the KMS key
    key = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-0000-4000-8000-000000000000"
    renamed = {
        build(pulumi_mocks, identifier="prod-orders", **change).named("orders-db-db").inputs["identifier"]
        for change in ({"database_name": "orders"}, {"username": "orders"}, {"kms_key_id": key})
    }

    # THEN each replacement gets an identifier of its own, so it can be created before the old one goes,
    # and the log groups follow it (RDS writes to /aws/rds/instance/<identifier>/...)
    assert len(renamed) == 3 and base not in renamed
    assert all(re.fullmatch(r"prod-orders-[0-9a-f]{8}", i) for i in renamed)
    run = build(pulumi_mocks, identifier="prod-orders", database_name="orders")
    identifier = run.named("orders-db-db").inputs["identifier"]
    assert run.named("orders-db-log-postgresql").inputs["name"] == f"/aws/rds/instance/{identifier}/postgresql"
