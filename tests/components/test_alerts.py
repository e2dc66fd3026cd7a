"""AlarmTopic: an encrypted topic CloudWatch may publish to, and nobody else."""

from __future__ import annotations

import json
import re

import pytest

from components.alerts import AlarmTopic, AlarmTopicArgs
from components.tags import REQUIRED_TAG_KEYS
from tests.conftest import MockRuntime

KEY = "arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
CHAT = "arn:aws:sns:us-east-1:123456789012:chat-alerts"


def test_the_topic_is_encrypted_with_a_key_cloudwatch_may_use_for_this_account_only(pulumi_mocks: MockRuntime) -> None:
    # GIVEN an alarm topic with one address
    run = pulumi_mocks.run(lambda: AlarmTopic("alarms", AlarmTopicArgs(emails=["oncall@example.com"])))

    # THEN the topic is encrypted with a rotating customer key created for it
    key, topic = run.named("alarms-key"), run.named("alarms-topic")
    assert key.inputs["enableKeyRotation"] is True
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert "name" not in topic.inputs  # auto-named: a replacement never collides
    # AND the key lets CloudWatch encrypt only on behalf of this account
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    cloudwatch = statements["CloudWatchPublishes"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert cloudwatch["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert cloudwatch["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    # AND the topic policy lets CloudWatch of this account publish, and only publish
    policy = {s["Sid"]: s for s in json.loads(run.named("alarms-policy").inputs["policy"])["Statement"]}
    publish = policy["CloudWatchAlarmsPublish"]
    assert publish["Action"] == "sns:Publish" and publish["Resource"] == topic.outputs["arn"]
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert policy["OwnerManages"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert all(s["Principal"] != "*" and s["Principal"] != {"AWS": "*"} for s in policy.values())
    # AND the address is subscribed, and every taggable resource is tagged
    subscription = run.named("alarms-email-1")
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == ("email", "oncall@example.com")
    assert set(REQUIRED_TAG_KEYS) <= set(topic.inputs["tags"]) and set(REQUIRED_TAG_KEYS) <= set(key.inputs["tags"])


def test_an_existing_key_is_used_and_extra_topics_join_the_alarm_actions(pulumi_mocks: MockRuntime) -> None:
    # GIVEN an existing customer key and a chat-integration topic
    made: list[AlarmTopic] = []
    run = pulumi_mocks.run(
        lambda: made.append(AlarmTopic("alarms", AlarmTopicArgs(kms_key_arn=KEY, extra_topic_arns=[CHAT])))
    )

    # THEN no key is created, the topic uses the given one, and alarms notify the topic then the chat topic
    assert [r for r in run.registrations.values() if r.type == "aws:kms/key:Key"] == []
    assert run.named("alarms-topic").inputs["kmsMasterKeyId"] == KEY
    assert len(made[0].alarm_actions) == 2 and made[0].alarm_actions[1] == CHAT


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (AlarmTopicArgs(emails=["oncall"]), r"\[emails\] 'oncall' is not an email address"),
        (AlarmTopicArgs(emails="a@example.com"), r"\[emails\] 'a@example.com' is a string; pass a list"),  # type: ignore[arg-type]
        (AlarmTopicArgs(extra_topic_arns=["chat"]), r"\[extra_topic_arns\] 'chat' is not an SNS topic ARN"),
        (
            AlarmTopicArgs(kms_key_arn="alias/aws/sns"),
            r"\[kms_key_arn\] 'alias/aws/sns' is an alias; CloudWatch cannot publish to a topic under the AWS managed",
        ),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_registered(
    pulumi_mocks: MockRuntime, args: AlarmTopicArgs, message: str
) -> None:
    refused, run = pulumi_mocks.refusal(lambda: AlarmTopic("alarms", args))

    assert re.search(message, refused), refused
    assert run.registrations == {}
