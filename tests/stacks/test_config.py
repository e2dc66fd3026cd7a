"""Typed stack config: profiles, overrides, and errors that name the file, the key, the value and the fix."""

from __future__ import annotations

import json

import pytest

from stacks.environment.config import ConfigError, load_config
from stacks.environment.profiles import PROFILES

NS = "streaming-platform"
#: prod and staging require someone on the alarm topic (the alarm-subscriber invariant).
SUBSCRIBER = {f"{NS}:alarms": '{"email": "oncall@example.com"}'}


def test_each_environment_starts_from_its_profile() -> None:
    dev = load_config({}, env="dev", source="Pulumi.dev.yaml")
    prod = load_config(SUBSCRIBER, env="prod", source="Pulumi.prod.yaml")

    assert (dev.network.nat_mode, dev.network.az_count, dev.services.capacity) == ("instance", 2, "spot")
    assert (dev.database.multi_az, dev.cache.nodes, dev.services.log_retention_days) == (False, 1, 7)
    assert (prod.network.nat_mode, prod.network.az_count, prod.services.capacity) == ("per_az", 3, "on_demand")
    assert (prod.database.multi_az, prod.database.deletion_protection, prod.cache.nodes) == (True, True, 2)
    assert prod.services.log_retention_days >= 30 and prod.database.backup_retention_days >= 14


def test_the_stack_file_overrides_the_profile_key_by_key() -> None:
    config = load_config({f"{NS}:database": '{"instanceClass": "db.t4g.medium"}'}, env="dev", source="Pulumi.dev.yaml")

    assert config.database.instance_class == "db.t4g.medium"
    assert config.database.multi_az is False  # untouched keys keep the profile's value


def test_an_unknown_top_level_key_is_refused_with_the_known_keys() -> None:
    with pytest.raises(
        ConfigError,
        match=r"Pulumi.dev.yaml: streaming-platform:natmode is not a known key; known keys: .*streaming-platform:network",
    ):
        load_config({f"{NS}:natmode": "single"}, env="dev", source="Pulumi.dev.yaml")


def test_an_unknown_nested_key_names_its_siblings() -> None:
    with pytest.raises(
        ConfigError, match=r"streaming-platform:network.azcount = 3: is not a known key; known keys here: cidr, azCount"
    ):
        load_config({f"{NS}:network": '{"azcount": 3}'}, env="dev", source="Pulumi.dev.yaml")


def test_a_wrong_type_names_the_key_and_the_value() -> None:
    with pytest.raises(
        ConfigError, match=r'streaming-platform:network.azCount = "3": has the wrong type: it must be a valid integer'
    ):
        load_config({f"{NS}:network": '{"azCount": "3"}'}, env="dev", source="Pulumi.dev.yaml")


def test_an_out_of_range_value_says_what_is_allowed() -> None:
    with pytest.raises(ConfigError, match=r"streaming-platform:network.azCount = 9: must be less than or equal to 6"):
        load_config({f"{NS}:network": '{"azCount": 9}'}, env="dev", source="Pulumi.dev.yaml")


def test_a_section_that_is_not_a_mapping_names_the_keys_it_takes() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^Pulumi.dev.yaml: streaming-platform:network = \[\]: has the wrong type: it must be a mapping with the "
        r"keys cidr, azCount, natMode, flowLogs, flowLogRetentionDays, interfaceEndpoints$",
    ):
        load_config({f"{NS}:network": "[]"}, env="dev", source="Pulumi.dev.yaml")


def test_a_rule_across_keys_shows_a_short_mapping_in_full() -> None:
    # GIVEN a geo restriction whose mode needs countries THEN the message shows the whole (short) value
    with pytest.raises(
        ConfigError,
        match=r'edge.geoRestriction = \{"mode": "allow", "countries": \[\]\}: mode \'allow\' needs at least one country',
    ):
        load_config(
            {f"{NS}:edge": '{"geoRestriction": {"mode": "allow", "countries": []}}'},
            env="dev",
            source="Pulumi.dev.yaml",
        )


def test_a_long_mapping_is_abbreviated_in_a_message() -> None:
    with pytest.raises(ConfigError, match=r"streaming-platform:edge = \{…\}: certificateArn needs albDomainName"):
        load_config(
            {f"{NS}:edge": '{"certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/' + "0" * 36 + '"}'},
            env="dev",
            source="Pulumi.dev.yaml",
        )


def test_an_invalid_cidr_is_refused() -> None:
    with pytest.raises(ConfigError, match=r'network.cidr = "10.0.0.0/33": is not an IPv4 CIDR such as 10.0.0.0/16'):
        load_config({f"{NS}:network": '{"cidr": "10.0.0.0/33"}'}, env="dev", source="Pulumi.dev.yaml")


def test_a_public_cidr_is_refused() -> None:
    with pytest.raises(ConfigError, match="must be a private range"):
        load_config({f"{NS}:network": '{"cidr": "8.8.0.0/16"}'}, env="dev", source="Pulumi.dev.yaml")


def test_a_log_retention_cloudwatch_does_not_accept_is_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"services.logRetentionDays = 10: CloudWatch Logs accepts only 1, 3, 5, 7, 14"
    ):
        load_config({f"{NS}:services": '{"logRetentionDays": 10}'}, env="dev", source="Pulumi.dev.yaml")


def test_service_counts_must_be_ordered() -> None:
    with pytest.raises(
        ConfigError, match=r"services.catalog.desiredCount = 1: is below minCount \(2\); start at least as many tasks"
    ):
        load_config(
            {
                f"{NS}:services": '{"catalog": {"cpu": 256, "memory": 512, "desiredCount": 1, "minCount": 2, "maxCount": 4}}'
            },
            env="dev",
            source="Pulumi.dev.yaml",
        )


def test_prod_cannot_turn_multi_az_off_without_a_named_override() -> None:
    values = {**SUBSCRIBER, f"{NS}:database": '{"multiAz": false}'}

    with pytest.raises(
        ConfigError,
        match=r"database.multiAz = false breaks the 'prod' profile's invariant 'database-multi-az'.*invariantOverrides",
    ):
        load_config(values, env="prod", source="Pulumi.prod.yaml")

    overridden = load_config(
        {**values, f"{NS}:invariantOverrides": '["database-multi-az"]'}, env="prod", source="Pulumi.prod.yaml"
    )
    assert overridden.database.multi_az is False


def test_an_override_naming_no_invariant_is_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"invariantOverrides = \[\"multi-az\"\] names no invariant of the 'prod' profile"
    ):
        load_config({**SUBSCRIBER, f"{NS}:invariantOverrides": '["multi-az"]'}, env="prod", source="Pulumi.prod.yaml")


def test_a_stack_with_another_name_must_name_its_profile() -> None:
    with pytest.raises(
        ConfigError,
        match=r"profile = 'dev-alice' is not a profile; set streaming-platform:profile to one of dev, staging, prod",
    ):
        load_config({}, env="dev-alice", source="Pulumi.dev-alice.yaml")

    assert load_config({f"{NS}:profile": "dev"}, env="dev-alice", source="Pulumi.dev-alice.yaml").profile == "dev"


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_profile_is_valid_on_its_own_given_an_alarm_subscriber(profile: str) -> None:
    # dev needs nothing; staging and prod need only someone on the alarm topic
    values = {} if profile == "dev" else SUBSCRIBER
    assert load_config(values, env=profile, source=f"Pulumi.{profile}.yaml").profile == profile


@pytest.mark.parametrize("profile", ["staging", "prod"])
def test_staging_and_prod_without_an_alarm_subscriber_are_refused_naming_the_key_and_the_fix(profile: str) -> None:
    # GIVEN a stack file that sets neither alarms.email nor alarms.topicArn
    with pytest.raises(ConfigError) as refused:
        load_config({}, env=profile, source=f"Pulumi.{profile}.yaml")
    # THEN the message names the file, the key and its value, the invariant and both ways to fix it
    message = str(refused.value)
    assert message.startswith(f"Pulumi.{profile}.yaml: streaming-platform:alarms.email = null breaks")
    assert f"the '{profile}' profile's invariant 'alarm-subscriber'" in message
    assert "set alarms.email" in message and "alarms.topicArn" in message
    # AND an existing topic (e.g. a chat integration's) is subscriber enough
    topic = "arn:aws:sns:us-east-1:123456789012:chat-alerts"
    config = load_config({f"{NS}:alarms": json.dumps({"topicArn": topic})}, env=profile, source="x")
    assert (config.alarms.email, config.alarms.topic_arn) == (None, topic)


def test_container_insights_is_off_in_dev_and_kept_on_in_prod() -> None:
    # GIVEN the profiles: dev saves the Container Insights metrics, staging and prod keep them
    assert load_config({}, env="dev", source="Pulumi.dev.yaml").services.container_insights == "disabled"
    assert load_config(SUBSCRIBER, env="staging", source="Pulumi.staging.yaml").services.container_insights == "enabled"
    # THEN prod refuses to turn them off (an invariant), naming the key and the way out
    with pytest.raises(
        ConfigError,
        match=r'services.containerInsights = "disabled" breaks the \'prod\' profile\'s invariant \'container-insights\'',
    ):
        load_config(
            {**SUBSCRIBER, f"{NS}:services": '{"containerInsights": "disabled"}'}, env="prod", source="Pulumi.prod.yaml"
        )
    with pytest.raises(ConfigError, match=r"streaming-platform:services.containerInsights = \"off\": must be"):
        load_config({f"{NS}:services": '{"containerInsights": "off"}'}, env="dev", source="Pulumi.dev.yaml")
