"""Monthly cost from the plan: each covered type priced exactly, free and unpriced types, JSON shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from insight.cost import (
    FREE_TYPES,
    CostError,
    budget_violation,
    estimate,
    load_prices,
    render_compare,
    render_markdown,
    render_text,
)
from insight.plan import Plan
from insight.usage import UsageError, load_usage, parse_usage
from tests.insight.plans import PlanBuilder, sample_environment, single


def monthly(plan: Plan, name: str = "thing") -> float:
    report = estimate(plan)
    assert report.unpriced == [], report.unpriced
    (item,) = [i for i in report.items if i.name == name]
    return item.monthly


# -- network ---------------------------------------------------------------------------------


def test_a_nat_gateway_costs_its_hours_and_the_default_data_processed() -> None:
    # GIVEN one NAT gateway WHEN priced THEN 730 h × $0.045 + 5 GB × $0.045
    assert monthly(single("aws:ec2/natGateway:NatGateway")) == pytest.approx(730 * 0.045 + 5 * 0.045)


def test_a_nat_gateway_in_eu_west_1_uses_the_irish_price() -> None:
    plan = single("aws:ec2/natGateway:NatGateway", region="eu-west-1")
    assert monthly(plan) == pytest.approx(730 * 0.048 + 5 * 0.048)
    assert estimate(plan).region == "eu-west-1"


def test_an_elastic_ip_is_a_public_ipv4_address() -> None:
    assert monthly(single("aws:ec2/eip:Eip", domain="vpc")) == pytest.approx(3.65)


def test_a_nat_instance_costs_its_hours_root_volume_and_public_ipv4() -> None:
    plan = single("aws:ec2/instance:Instance", instanceType="t4g.nano", associatePublicIpAddress=True)
    assert monthly(plan) == pytest.approx(730 * 0.0042 + 8 * 0.08 + 3.65)


def test_a_nat_instance_with_an_elastic_ip_is_not_charged_a_second_address() -> None:
    # GIVEN an instance with an auto-assigned address AND an EIP attached to it
    b = PlanBuilder()
    nat = b.add(
        "aws:ec2/instance:Instance",
        "nat",
        instanceType="t4g.nano",
        associatePublicIpAddress=True,
        rootBlockDevice={"volumeSize": 2.0},
    )
    b.add("aws:ec2/eip:Eip", "nat-eip", deps=[nat], domain="vpc")
    report = estimate(b.plan())
    by_name = {i.name: i.monthly for i in report.items}
    # THEN the address is charged once, on the EIP
    assert by_name["nat"] == pytest.approx(730 * 0.0042 + 2 * 0.08)
    assert by_name["nat-eip"] == pytest.approx(3.65)


def test_an_instance_in_a_subnet_that_maps_public_ips_gets_an_address() -> None:
    b = PlanBuilder()
    subnet = b.add("aws:ec2/subnet:Subnet", "public", mapPublicIpOnLaunch=True)
    b.add("aws:ec2/instance:Instance", "thing", deps=[subnet], instanceType="t4g.micro")
    assert monthly(b.plan()) == pytest.approx(730 * 0.0084 + 8 * 0.08 + 3.65)


def test_an_internet_facing_alb_pays_hours_lcus_and_one_public_ipv4_per_az() -> None:
    plan = single(
        "aws:lb/loadBalancer:LoadBalancer", loadBalancerType="application", internal=False, subnets=["a", "b", "c"]
    )
    assert monthly(plan) == pytest.approx(730 * 0.0225 + 0.05 * 730 * 0.008 + 3 * 3.65)


def test_an_internal_alb_has_no_public_addresses() -> None:
    plan = single("aws:lb/loadBalancer:LoadBalancer", internal=True, subnets=["a", "b"])
    assert monthly(plan) == pytest.approx(730 * 0.0225 + 0.05 * 730 * 0.008)


def test_an_alb_without_public_ipv4_has_no_address_charge() -> None:
    plan = single("aws:lb/loadBalancer:LoadBalancer", subnets=["a", "b"], ipAddressType="dualstack-without-public-ipv4")
    assert monthly(plan) == pytest.approx(730 * 0.0225 + 0.05 * 730 * 0.008)


def test_an_interface_endpoint_costs_per_az_and_a_gateway_endpoint_is_free() -> None:
    b = PlanBuilder()
    b.add("aws:ec2/vpcEndpoint:VpcEndpoint", "logs", vpcEndpointType="Interface", subnetIds=["a", "b", "c"])
    b.add("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", vpcEndpointType="Gateway")
    by_name = {i.name: i.monthly for i in estimate(b.plan()).items}
    assert by_name == pytest.approx({"logs": 3 * 730 * 0.01 + 1 * 0.01, "s3": 0.0})


# -- compute ---------------------------------------------------------------------------------


def fargate(
    *,
    arch: str = "ARM64",
    desired: float = 2.0,
    strategies: list[dict[str, float | str]] | None = None,
    ephemeral: float | None = None,
) -> Plan:
    b = PlanBuilder()
    td_inputs: dict[str, Any] = {"cpu": "256", "memory": "512", "runtimePlatform": {"cpuArchitecture": arch}}
    if ephemeral is not None:
        td_inputs["ephemeralStorage"] = {"sizeInGib": ephemeral}
    td = b.add("aws:ecs/taskDefinition:TaskDefinition", "td", **td_inputs)
    svc_inputs: dict[str, Any] = {"desiredCount": desired}
    if strategies is not None:
        svc_inputs["capacityProviderStrategies"] = strategies
    b.add("aws:ecs/service:Service", "thing", deps=[td], **svc_inputs)
    return b.plan()


ARM_TASK_HOUR = 0.25 * 0.03238 + 0.5 * 0.00356
X86_TASK_HOUR = 0.25 * 0.04048 + 0.5 * 0.004445


def test_fargate_arm_on_demand_tasks_cost_vcpu_and_memory_hours() -> None:
    assert monthly(fargate()) == pytest.approx(2 * 730 * ARM_TASK_HOUR)


def test_fargate_x86_tasks_use_the_x86_price() -> None:
    assert monthly(fargate(arch="X86_64")) == pytest.approx(2 * 730 * X86_TASK_HOUR)


def test_fargate_spot_tasks_get_the_documented_70_percent_discount() -> None:
    plan = fargate(strategies=[{"capacityProvider": "FARGATE_SPOT", "weight": 1.0, "base": 0.0}])
    assert monthly(plan) == pytest.approx(2 * 730 * ARM_TASK_HOUR * 0.30)


def test_a_mixed_strategy_puts_the_base_on_demand_and_splits_the_rest_by_weight() -> None:
    # GIVEN 3 tasks: base 1 on FARGATE, then FARGATE:FARGATE_SPOT weights 1:1
    plan = fargate(
        desired=3.0,
        strategies=[
            {"capacityProvider": "FARGATE", "weight": 1.0, "base": 1.0},
            {"capacityProvider": "FARGATE_SPOT", "weight": 1.0, "base": 0.0},
        ],
    )
    # THEN 2 on-demand task-equivalents and 1 Spot
    assert monthly(plan) == pytest.approx(2 * 730 * ARM_TASK_HOUR + 1 * 730 * ARM_TASK_HOUR * 0.30)


def test_ephemeral_storage_above_20_gb_is_charged() -> None:
    assert monthly(fargate(ephemeral=30.0)) == pytest.approx(2 * 730 * ARM_TASK_HOUR + 2 * 10 * 730 * 0.000111)


def test_the_usage_profile_can_change_the_spot_discount(tmp_path: Path) -> None:
    profile = tmp_path / "usage.yaml"
    profile.write_text("spot_discount: 0.5\n")
    plan = fargate(strategies=[{"capacityProvider": "FARGATE_SPOT", "weight": 1.0}])
    report = estimate(plan, usage=load_usage(profile))
    assert report.items[0].monthly == pytest.approx(2 * 730 * ARM_TASK_HOUR * 0.5)


def test_container_insights_is_priced_as_metrics_per_cluster_and_service() -> None:
    b = PlanBuilder()
    cluster = b.add("aws:ecs/cluster:Cluster", "thing", settings=[{"name": "containerInsights", "value": "enabled"}])
    td = b.add("aws:ecs/taskDefinition:TaskDefinition", "td", cpu="256", memory="512")
    for name in ("a", "b"):
        b.add("aws:ecs/service:Service", name, deps=[cluster, td], desiredCount=0.0)
    assert monthly(b.plan()) == pytest.approx((8 + 2 * 12) * 0.30)


def test_a_cluster_without_container_insights_is_free() -> None:
    assert (
        monthly(single("aws:ecs/cluster:Cluster", settings=[{"name": "containerInsights", "value": "disabled"}])) == 0.0
    )


# -- data ------------------------------------------------------------------------------------


def rds(**inputs: object) -> Plan:
    base: dict[str, Any] = {
        "engine": "postgres",
        "instanceClass": "db.t4g.micro",
        "allocatedStorage": 20.0,
        "storageType": "gp3",
        "backupRetentionPeriod": 7.0,
        "manageMasterUserPassword": True,
    }
    base.update(inputs)
    return single("aws:rds/instance:Instance", **base)


def test_single_az_postgres_costs_instance_storage_and_its_managed_secret() -> None:
    assert monthly(rds(multiAz=False)) == pytest.approx(730 * 0.016 + 20 * 0.115 + 0.40)


def test_multi_az_postgres_doubles_instance_and_storage_prices() -> None:
    assert monthly(rds(multiAz=True)) == pytest.approx(730 * 0.032 + 20 * 0.23 + 0.40)


def test_backups_beyond_the_provisioned_storage_are_charged(tmp_path: Path) -> None:
    # GIVEN 30 GB of data and 0.2 GB/day changes kept 7 days: 31.4 GB of backups, 20 GB free
    profile = tmp_path / "usage.yaml"
    profile.write_text("defaults:\n  rds_db_gb_used: 30\n")
    report = estimate(rds(), usage=load_usage(profile))
    assert report.items[0].monthly == pytest.approx(730 * 0.016 + 20 * 0.115 + (31.4 - 20) * 0.095 + 0.40)


def test_a_postgres_class_missing_from_the_table_is_unpriced_with_the_reason() -> None:
    report = estimate(rds(instanceClass="db.x2g.16xlarge"))
    assert report.items == []
    assert report.unpriced[0]["reason"] == "no price for 'rds.postgres.single_az.hour:db.x2g.16xlarge' in us-east-1"


def test_a_valkey_replication_group_costs_each_node() -> None:
    plan = single(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        engine="valkey",
        nodeType="cache.t4g.micro",
        numCacheClusters=2.0,
    )
    assert monthly(plan) == pytest.approx(2 * 730 * 0.0128)


def test_a_redis_replication_group_uses_the_redis_price() -> None:
    plan = single(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        engine="redis",
        nodeType="cache.t4g.small",
        numCacheClusters=1.0,
    )
    assert monthly(plan) == pytest.approx(730 * 0.032)


def test_a_serverless_valkey_cache_pays_at_least_100_mb() -> None:
    plan = single("aws:elasticache/serverlessCache:ServerlessCache", engine="valkey")
    assert monthly(plan) == pytest.approx(0.1 * 730 * 0.084 + 10 * 0.0023)


# -- edge, storage, logs, secrets ------------------------------------------------------------


def test_cloudfront_costs_gb_served_and_https_requests() -> None:
    assert monthly(single("aws:cloudfront/distribution:Distribution")) == pytest.approx(20 * 0.085 + 100 * 0.01)


def test_cloudfront_free_tier_applies_when_the_profile_says_so(tmp_path: Path) -> None:
    profile = tmp_path / "usage.yaml"
    profile.write_text("apply_free_tiers: true\n")
    report = estimate(single("aws:cloudfront/distribution:Distribution"), usage=load_usage(profile))
    assert report.items[0].monthly == 0.0


def test_a_web_acl_costs_the_acl_each_rule_and_requests() -> None:
    plan = single("aws:wafv2/webAcl:WebAcl", rules=[{"name": "a"}, {"name": "b"}, {"name": "c"}])
    assert monthly(plan) == pytest.approx(5 + 3 * 1 + 0.60)


def test_bot_control_adds_its_subscription_and_request_fee() -> None:
    rules = [{"name": "bots", "statement": {"managedRuleGroupStatement": {"name": "AWSManagedRulesBotControlRuleSet"}}}]
    assert monthly(single("aws:wafv2/webAcl:WebAcl", rules=rules)) == pytest.approx(5 + 1 + 0.60 + 10 + 1.0)


def test_a_bucket_costs_storage_and_requests() -> None:
    assert monthly(single("aws:s3/bucket:Bucket")) == pytest.approx(2 * 0.023 + 10 * 0.005 + 100 * 0.0004)


def test_usage_globs_on_the_resource_name_override_the_defaults() -> None:
    # GIVEN the default profile's "*access-log*" entry
    plan = single("aws:s3/bucket:Bucket", name="web-access-logs")
    assert monthly(plan, "web-access-logs") == pytest.approx(5 * 0.023 + 50 * 0.005)


def test_a_log_group_costs_ingestion_and_storage_for_its_retention() -> None:
    assert monthly(single("aws:cloudwatch/logGroup:LogGroup", retentionInDays=30.0)) == pytest.approx(
        0.5 * 0.50 + 0.5 * 1 * 0.03
    )


def test_a_log_group_that_never_expires_is_stored_for_a_year_by_default() -> None:
    assert monthly(single("aws:cloudwatch/logGroup:LogGroup")) == pytest.approx(0.5 * 0.50 + 0.5 * 12 * 0.03)


def test_alarms_cost_per_metric_and_more_at_high_resolution() -> None:
    b = PlanBuilder()
    b.add("aws:cloudwatch/metricAlarm:MetricAlarm", "std", period=60.0)
    b.add("aws:cloudwatch/metricAlarm:MetricAlarm", "fast", period=10.0)
    b.add(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "math",
        metricQueries=[
            {"id": "a", "metric": {"period": 60.0}},
            {"id": "b", "metric": {"period": 60.0}},
            {"id": "e", "expression": "a/b"},
        ],
    )
    by_name = {i.name: i.monthly for i in estimate(b.plan()).items}
    assert by_name == pytest.approx({"std": 0.10, "fast": 0.30, "math": 0.20})


def test_a_secret_costs_its_month_and_api_calls() -> None:
    assert monthly(single("aws:secretsmanager/secret:Secret")) == pytest.approx(0.40 + 0.05)


def test_an_ecr_repository_costs_its_storage() -> None:
    assert monthly(single("aws:ecr/repository:Repository")) == pytest.approx(0.10)


def test_a_kms_key_costs_its_month_and_requests() -> None:
    assert monthly(single("aws:kms/key:Key")) == pytest.approx(1.0 + 0.03)


# -- free, unpriced, reports -----------------------------------------------------------------


def test_plumbing_types_are_listed_as_free_not_priced() -> None:
    b = PlanBuilder()
    b.component("Vpc", "net")
    b.add("aws:ec2/subnet:Subnet", "net-public-1")
    b.add("aws:iam/role:Role", "role")
    b.add("random:index/randomPassword:RandomPassword", "pw")
    report = estimate(b.plan())
    assert report.items == [] and report.unpriced == []
    assert sorted(f["type"] for f in report.free) == [
        "aws:ec2/subnet:Subnet",
        "aws:iam/role:Role",
        "pulumi:providers:aws",
        "random:index/randomPassword:RandomPassword",
        "streaming:index:Vpc",
    ]


def test_an_unknown_type_is_reported_as_unpriced_never_zero() -> None:
    report = estimate(single("aws:dynamodb/table:Table"))
    assert report.items == []
    assert report.unpriced == [
        {
            "urn": "urn:pulumi:dev::streaming-platform::aws:dynamodb/table:Table::thing",
            "type": "aws:dynamodb/table:Table",
            "reason": "type not in the price table or the free list",
        }
    ]
    assert "Unpriced (the total is a lower bound)" in render_text(report)


def test_every_free_type_is_an_aws_type_token() -> None:
    assert all(t.startswith("aws:") and t.count(":") == 2 for t in FREE_TYPES)


def test_the_json_report_has_exactly_the_documented_shape() -> None:
    report = estimate(sample_environment())
    doc = json.loads(report.to_json())
    assert list(doc) == ["env", "region", "currency", "prices_as_of", "total", "resources", "free", "unpriced"]
    assert doc["env"] == "dev" and doc["currency"] == "USD" and doc["region"] == "us-east-1"
    assert doc["prices_as_of"] == "2026-08"  # the oldest us-east-1 row: the table's age
    assert all(list(r) == ["urn", "type", "monthly", "basis"] for r in doc["resources"])
    assert doc["total"] == pytest.approx(sum(r["monthly"] for r in doc["resources"]))
    assert doc["unpriced"] == []


def test_the_sample_environment_total_is_the_sum_of_its_parts() -> None:
    # GIVEN a 2-AZ environment with a NAT instance, Spot, single-AZ RDS and one cache node
    report = estimate(sample_environment())
    expected = (
        (730 * 0.0225 + 0.05 * 730 * 0.008 + 2 * 3.65)  # ALB
        + (730 * 0.016 + 20 * 0.115 + 0.40)  # RDS
        + 730 * 0.0128  # cache
        + (5 + 2 + 0.6)  # WAF
        + (730 * 0.0042 + 8 * 0.08 + 3.65)  # NAT instance
        + (8 + 12) * 0.30  # Container Insights
        + (20 * 0.085 + 100 * 0.01)  # CloudFront
        + 730 * ARM_TASK_HOUR * 0.3  # one Spot task
        + (2 * 0.5 + 2 * 1 * 0.03)  # flow logs
        + (0.5 * 0.5 + 0.5 * 7 / 30 * 0.03)  # service logs
        + 1.03  # KMS
        + 2 * 0.45  # secrets
        + 2 * (2 * 0.023 + 0.05 + 0.04)  # buckets
        + 0.10  # ECR
        + 2 * 0.10  # alarms
    )
    assert report.total == pytest.approx(expected, abs=0.03)


def test_compare_prints_the_environments_side_by_side() -> None:
    reports = [
        estimate(sample_environment("dev")),
        estimate(sample_environment("prod", azs=3, nat="gateway", multi_az=True, tasks=2, spot=False, cache_nodes=2)),
    ]
    text = render_compare(reports)
    header, *rows = text.splitlines()
    assert header.split()[-2:] == ["dev", "prod"]
    total = rows[-1].split()
    assert total[0] == "Total" and total[1] == f"${reports[0].total:,.2f}" and total[2] == f"${reports[1].total:,.2f}"
    nat_row = next(r for r in rows if r.startswith("NAT gateways and instances"))
    assert nat_row.split()[-2:] == ["$7.36", "$99.24"]  # 3 NAT gateways × $33.08


def test_the_markdown_table_has_a_column_per_environment_and_a_bold_total() -> None:
    reports = [estimate(sample_environment(env)) for env in ("dev", "staging", "prod")]
    lines = render_markdown(reports).splitlines()
    assert lines[0] == "| Monthly (USD) | dev | staging | prod |"
    assert lines[1] == "|---|---:|---:|---:|"
    t = f"**${reports[0].total:,.2f}**"
    assert lines[-1] == f"| **Total** | {t} | {t} | {t} |"


def test_a_region_without_bundled_prices_is_refused_with_the_choices() -> None:
    with pytest.raises(
        CostError, match=r"no bundled prices for region cn-north-1; bundled regions: af-south-1, .*, us-west-2$"
    ):
        # every commercial region is priced; the China and GovCloud partitions are not
        estimate(single("aws:kms/key:Key", region="cn-north-1"))


def test_every_price_row_names_its_source_and_date() -> None:
    table = load_prices()
    assert {"us-east-1", "eu-west-1"} <= set(table.regions)
    for row in table.rows.values():
        assert row.source and row.as_of[:4] == "2026" and row.status in ("V", "U", "D") and row.price >= 0
    us = {k for k, r in table.rows if r == "us-east-1"}
    eu = {k for k, r in table.rows if r == "eu-west-1"}
    assert us == eu


# -- budget ----------------------------------------------------------------------------------


def test_budget_violation_is_none_within_budget() -> None:
    assert budget_violation(single("aws:kms/key:Key"), 2.0) is None


def test_budget_violation_names_the_stack_the_excess_and_the_biggest_items() -> None:
    message = budget_violation(single("aws:ec2/natGateway:NatGateway", name="net-nat-1"), 30.0)
    assert message == (
        "stack 'dev': estimated $33.08/month exceeds the budget of $30.00/month by $3.08; biggest: net-nat-1 $33.08"
    )


def test_budget_violation_refuses_a_plan_with_unpriced_resources() -> None:
    message = budget_violation(single("aws:dynamodb/table:Table"), 1000.0)
    assert message is not None and "1 resource(s) have no price (aws:dynamodb/table:Table)" in message


# -- usage profile ---------------------------------------------------------------------------


def test_an_unknown_usage_quantity_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    profile = tmp_path / "usage.yaml"
    profile.write_text("defaults:\n  cdn_gb: 5\n")
    with pytest.raises(UsageError, match=r"usage.yaml: unknown quantity 'defaults.cdn_gb'; known: alb_lcu, "):
        load_usage(profile)


def test_a_negative_usage_quantity_is_refused() -> None:
    with pytest.raises(UsageError, match=r"'defaults.cdn_gb_out' must be >= 0, got -1"):
        parse_usage({"defaults": {"cdn_gb_out": -1}}, source="x.yaml")
