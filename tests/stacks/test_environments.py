"""The three environments, planned offline: what distinguishes them, and the security-group chain."""

from __future__ import annotations

import json

import pytest

from stacks.offline.mocks import ProgramRun, Registration
from stacks.offline.plan import run_platform

ENVS = ("dev", "staging", "prod")


@pytest.fixture(scope="module")
def runs() -> dict[str, ProgramRun]:
    return {env: run_platform(env) for env in ENVS}


def _one(run: ProgramRun, type_token: str) -> Registration:
    found = run.of_type(type_token)
    assert len(found) == 1, f"expected one {type_token}, found {len(found)}"
    return found[0]


def _active_services(run: ProgramRun) -> list[Registration]:
    """ECS services that carry traffic (the idle blue-green colour runs 0 tasks by design)."""
    return [s for s in run.of_type("aws:ecs/service:Service") if s.inputs.get("desiredCount", 0) > 0]


def test_dev_is_the_cheap_shape(runs: dict[str, ProgramRun]) -> None:
    dev = runs["dev"]

    nat_instances = [i for i in dev.of_type("aws:ec2/instance:Instance") if i.inputs.get("sourceDestCheck") is False]
    assert len(nat_instances) == 1 and nat_instances[0].inputs["instanceType"] == "t4g.nano"
    assert dev.of_type("aws:ec2/natGateway:NatGateway") == []
    for service in _active_services(dev):
        assert [s["capacityProvider"] for s in service.inputs["capacityProviderStrategies"] if s["weight"] > 0] == [
            "FARGATE_SPOT"
        ]
    db = _one(dev, "aws:rds/instance:Instance")
    assert (db.inputs["multiAz"], db.inputs["instanceClass"], db.inputs["deletionProtection"]) == (
        False,
        "db.t4g.micro",
        False,
    )
    # no ElastiCache in dev: every task keeps its in-process cache, and nothing points it at Redis
    assert dev.of_type("aws:elasticache/replicationGroup:ReplicationGroup") == []
    for task in dev.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        for container in json.loads(task.inputs["containerDefinitions"]):  # the app and its migrate step
            names = {e["name"] for e in container["environment"]} | {e["name"] for e in container.get("secrets", [])}
            assert not {n for n in names if n.startswith("REDIS_")}, task.name
    service_logs = [g for g in dev.of_type("aws:cloudwatch/logGroup:LogGroup") if g.inputs["name"].startswith("/ecs/")]
    assert service_logs and {g.inputs["retentionInDays"] for g in service_logs} == {7}
    # Container Insights off: its custom metrics are the dev budget's largest avoidable line
    assert _one(dev, "aws:ecs/cluster:Cluster").inputs["settings"] == [
        {"name": "containerInsights", "value": "disabled"}
    ]


def test_dev_services_sleep_outside_working_hours_and_prod_never_does(runs: dict[str, ProgramRun]) -> None:
    # GIVEN dev's scheduled actions, keyed by the service's scalable target
    actions = runs["dev"].of_type("aws:appautoscaling/scheduledAction:ScheduledAction")
    by_name = {a.name: a.inputs for a in actions}

    # THEN each running service sleeps (0..0) at 20:00 and wakes (its own min..max) at 07:00, Monday to Friday
    assert sorted(by_name) == [
        "streaming-accounts-sleep",
        "streaming-accounts-wake",
        "streaming-catalog-blue-sleep",
        "streaming-catalog-blue-wake",
    ]
    for name, inputs in by_name.items():
        role = name.rsplit("-", 1)[1]
        limits = inputs["scalableTargetAction"]
        expected = (0, 0) if role == "sleep" else (1, 2)
        assert (limits["minCapacity"], limits["maxCapacity"]) == expected, name
        assert inputs["schedule"] == ("cron(0 20 ? * MON-FRI *)" if role == "sleep" else "cron(0 7 ? * MON-FRI *)")
        assert inputs["timezone"] == "UTC" and inputs["resourceId"].startswith("service/"), name
    # AND prod and staging run always
    for env in ("staging", "prod"):
        assert runs[env].of_type("aws:appautoscaling/scheduledAction:ScheduledAction") == []


def test_prod_is_highly_available_and_protected(runs: dict[str, ProgramRun]) -> None:
    prod = runs["prod"]

    assert len(prod.of_type("aws:ec2/natGateway:NatGateway")) == 3
    assert len({s.inputs["availabilityZone"] for s in prod.of_type("aws:ec2/subnet:Subnet")}) == 3
    db = _one(prod, "aws:rds/instance:Instance")
    assert db.inputs["multiAz"] is True and db.inputs["deletionProtection"] is True
    assert db.inputs["backupRetentionPeriod"] >= 14 and db.inputs["skipFinalSnapshot"] is False
    cache = _one(prod, "aws:elasticache/replicationGroup:ReplicationGroup")
    assert cache.inputs["numCacheClusters"] >= 2
    assert cache.inputs["automaticFailoverEnabled"] is True and cache.inputs["multiAzEnabled"] is True
    active = _active_services(prod)
    assert len(active) == 2 and all(s.inputs["desiredCount"] >= 2 for s in active)
    assert all(g.inputs["retentionInDays"] >= 30 for g in prod.of_type("aws:cloudwatch/logGroup:LogGroup"))
    assert _one(prod, "aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is True
    assert _one(prod, "aws:lb/loadBalancer:LoadBalancer").inputs["accessLogs"]["enabled"] is True
    assert len(prod.of_type("aws:ec2/flowLog:FlowLog")) == 1
    assert len(prod.of_type("aws:wafv2/webAcl:WebAcl")) == 1
    assert _one(prod, "aws:ecs/cluster:Cluster").inputs["settings"] == [
        {"name": "containerInsights", "value": "enabled"}
    ]


def test_staging_has_prods_shape_at_smaller_sizes(runs: dict[str, ProgramRun]) -> None:
    staging, prod = runs["staging"], runs["prod"]

    assert _one(staging, "aws:rds/instance:Instance").inputs["multiAz"] is True
    assert _one(staging, "aws:elasticache/replicationGroup:ReplicationGroup").inputs["numCacheClusters"] >= 2
    assert len({s.inputs["availabilityZone"] for s in staging.of_type("aws:ec2/subnet:Subnet")}) == 3
    assert len(staging.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert (
        _one(staging, "aws:rds/instance:Instance").inputs["instanceClass"]
        < _one(prod, "aws:rds/instance:Instance").inputs["instanceClass"]
    )  # db.t4g.micro < db.t4g.small


def test_the_security_group_chain_is_cloudfront_to_alb_to_services_to_data_and_nothing_else(
    runs: dict[str, ProgramRun],
) -> None:
    for env, run in runs.items():
        groups = {r.id: r for r in run.of_type("aws:ec2/securityGroup:SecurityGroup")}
        by_role = {r.name.rsplit("-", 1)[0] if r.name.endswith("-sg") else r.name: r.id for r in groups.values()}
        alb = by_role["streaming-lb"]
        db, cache = by_role["streaming-db"], by_role.get("streaming-cache")  # dev has no cache
        services = {
            gid for name, gid in by_role.items() if name.startswith(("streaming-catalog", "streaming-accounts"))
        }
        assert len(services) == 3, f"{env}: {sorted(by_role)}"
        nat = {gid for name, gid in by_role.items() if "nat" in name}

        for rule in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
            group, port = rule.inputs["securityGroupId"], rule.inputs.get("fromPort")
            source = rule.inputs.get("referencedSecurityGroupId")
            if group == alb:
                # only CloudFront (its origin-facing prefix list), on the serving port: no CIDR at all
                want = 443 if env != "dev" else 80
                assert (port, rule.inputs.get("prefixListId"), rule.inputs.get("cidrIpv4"), source) == (
                    want,
                    "pl-3b927c52",
                    None,
                    None,
                ), rule.name
            elif group in services:
                assert (port, source) == (8000, alb), rule.name
            elif group == db:
                assert port == 5432 and source in services, rule.name
            elif group == cache:
                assert port == 6379 and source in services, rule.name
            else:
                assert group in nat and rule.inputs.get("cidrIpv4") == "10.0.0.0/16", (
                    f"{env}: unexpected ingress {rule.name}"
                )
        for group in groups.values():
            assert not group.inputs.get("ingress"), f"{group.name} has inline ingress rules"


def test_services_get_endpoints_as_environment_and_credentials_as_secrets(runs: dict[str, ProgramRun]) -> None:
    task = next(t for t in runs["prod"].of_type("aws:ecs/taskDefinition:TaskDefinition") if "catalog-blue" in t.name)
    [container] = [c for c in json.loads(task.inputs["containerDefinitions"]) if c["name"] == "app"]
    environment = {e["name"]: e["value"] for e in container["environment"]}
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}

    assert environment["APP_SERVICE"] == "catalog"
    assert environment["DATABASE_HOST"].endswith(".rds.amazonaws.com")
    assert environment["REDIS_HOST"].startswith("master.") and environment["REDIS_TLS"] == "true"
    # prod's stack file sets edge.domain: signed URLs name it (tests/components/test_domain.py)
    assert environment["CDN_DOMAIN"] == "streaming.example.com" and environment["CDN_KEY_PAIR_ID"].startswith("K")
    # The database credentials are the service's own role, read at connect time (tests/stacks/test_service_secrets.py)
    assert environment["DATABASE_SECRET_ARN"].startswith(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:streaming-platform/prod/db-catalog-"
    )
    assert set(secrets) == {"REDIS_AUTH_TOKEN", "JWT_SECRET", "CDN_PRIVATE_KEY"}
    assert not any(k in environment for k in secrets)


def test_only_the_catalog_task_role_may_touch_media(runs: dict[str, ProgramRun]) -> None:
    policies = {p.name: json.loads(p.inputs["policy"]) for p in runs["prod"].of_type("aws:iam/rolePolicy:RolePolicy")}
    catalog = policies["streaming-catalog-blue-task-policy"]
    actions = {a for s in catalog["Statement"] for a in s["Action"]}

    assert {"s3:GetObject", "s3:PutObject"} <= actions
    s3 = [
        s for s in catalog["Statement"] if s["Sid"].startswith("S3") and all(a.startswith("s3:") for a in s["Action"])
    ]
    assert all(r.endswith("/media/*") or ":::" in r for s in s3 for r in s["Resource"])
    # the rest: decrypting media with prod's environment key, and its own database secret (and key)
    rest = sorted((s["Sid"], tuple(s["Action"])) for s in catalog["Statement"] if s not in s3)
    assert [a for _, a in rest if "secretsmanager:GetSecretValue" in a] == [("secretsmanager:GetSecretValue",)]
    assert {a for _, actions in rest for a in actions} == {
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "secretsmanager:GetSecretValue",
    }
    accounts = policies["streaming-accounts-task-policy"]  # only its database secret (and prod's key for it)
    assert sorted(a for s in accounts["Statement"] for a in s["Action"]) == [
        "kms:Decrypt",
        "secretsmanager:GetSecretValue",
    ]


def test_the_provider_tags_everything_and_leaves_switch_tags_alone(runs: dict[str, ProgramRun]) -> None:
    provider = next(r for r in runs["dev"].of_type("pulumi:providers:aws") if r.name == "aws")
    default_tags = json.loads(provider.inputs["defaultTags"])["tags"]
    ignore_tags = json.loads(provider.inputs["ignoreTags"])

    assert default_tags == {"Project": "streaming-platform", "Environment": "dev", "ManagedBy": "pulumi"}
    assert ignore_tags["keyPrefixes"] == ["Switch"]


def test_catalog_runs_blue_green_with_weights_from_the_stack_file(runs: dict[str, ProgramRun]) -> None:
    rule = next(
        r for r in runs["prod"].of_type("aws:lb/listenerRule:ListenerRule") if r.name == "streaming-catalog-rule"
    )
    weights = {g["weight"] for g in rule.inputs["actions"][0]["forward"]["targetGroups"]}

    assert weights == {100, 0}
    assert rule.inputs["conditions"][0]["pathPattern"]["values"] == ["/api/catalog/*"]
    assert rule.inputs["tags"]["Service"] == "catalog" and rule.inputs["tags"]["Environment"] == "prod"


def test_every_child_name_starts_with_the_platform_name(runs: dict[str, ProgramRun]) -> None:
    for run in runs.values():
        for reg in run.registrations.values():
            if not reg.type.startswith("pulumi:providers:"):
                assert reg.name.startswith("streaming"), reg.name


def test_every_child_is_named_after_the_component_that_owns_it(runs: dict[str, ProgramRun]) -> None:
    # GIVEN every planned resource with a component parent THEN its name starts with the parent's name
    # (STYLE: children are "<component>-<role>"), so names never collide between two instances
    for run in runs.values():
        for reg in run.registrations.values():
            parent = run.registrations.get(reg.parent or "")
            if parent is not None and not parent.custom:
                assert reg.name.startswith(f"{parent.name}-"), f"{reg.type} {reg.name!r} under {parent.name!r}"


def test_an_alarm_email_gets_an_encrypted_topic_that_every_alarm_notifies() -> None:
    run = run_platform("prod", overrides={"streaming-platform:alarms": {"email": "ops@example.com"}})

    topic = _one(run, "aws:sns/topic:Topic")
    key = _one(run, "aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert topic.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert _one(run, "aws:sns/topicSubscription:TopicSubscription").inputs["endpoint"] == "ops@example.com"
    alarms = run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarms and all(a.inputs["alarmActions"] == [topic.outputs["arn"]] for a in alarms)
    # prod's environment key encrypts the topic, and lets CloudWatch publish to it
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    cloudwatch = next(s for s in json.loads(key.inputs["policy"])["Statement"] if s["Sid"] == "CloudWatchAlarmsPublish")
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert cloudwatch["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]


def test_a_service_waits_for_the_listener_rule_that_uses_its_target_group(runs: dict[str, ProgramRun]) -> None:
    # ECS refuses a target group no listener rule uses; the service must be created after the rule.
    run = runs["prod"]
    service = run.named("streaming-accounts-service")
    rule = run.named("streaming-lb-accounts-rule")

    assert rule.urn in service.dependencies
    assert service.inputs["loadBalancers"][0]["targetGroupArn"].startswith("arn:aws:elasticloadbalancing:")


@pytest.mark.parametrize(("env", "window"), [("dev", 0), ("staging", 0), ("prod", 7)])
def test_every_named_secret_is_deleted_at_once_where_the_data_tier_is_unprotected(
    runs: dict[str, ProgramRun], env: str, window: int
) -> None:
    # GIVEN the secrets of an environment: each has a fixed name (project/stack/role)
    secrets = runs[env].of_type("aws:secretsmanager/secret:Secret")
    expected = {"streaming-jwt-secret"} | ({"streaming-cache-auth"} if env != "dev" else set())
    assert {s.name for s in secrets} >= expected

    # THEN outside prod every one is force-deleted on destroy (window 0), so `pulumi up` right after
    # `pulumi destroy` can create the same name again; prod keeps a 7-day recovery window
    for secret in secrets:
        assert secret.inputs["name"].startswith(f"streaming-platform/{env}/")
        assert secret.inputs["recoveryWindowInDays"] == window, secret.name
