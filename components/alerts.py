"""AlarmTopic: the encrypted SNS topic every alarm notifies, and the people subscribed to it.

Creates:

* ``<name>-key`` (unless ``kms_key_arn`` is given): a customer-managed KMS key with rotation whose
  policy lets the account administer it and lets ``cloudwatch.amazonaws.com`` use it (Decrypt,
  GenerateDataKey*) only for alarms of this account (``aws:SourceAccount``). CloudWatch cannot
  publish to a topic encrypted with the AWS managed ``alias/aws/sns`` key, whose policy AWS owns
  and does not let CloudWatch use (SNS developer guide, "Key management: compatibility between
  event sources from AWS services and encrypted topics"), so a topic alarms publish to needs a
  customer key: this one, or an existing key passed as ``kms_key_arn`` (e.g. the environment's
  key) whose policy already grants CloudWatch the same;
* ``<name>-topic``: the SNS topic (auto-named), encrypted with that key;
* ``<name>-policy``: the topic policy: the account (IAM policies of its principals) manages it, and
  ``cloudwatch.amazonaws.com`` may only ``sns:Publish``, only for alarms of this account
  (``aws:SourceAccount``); nothing else may publish;
* one ``email`` subscription per address in ``emails`` (each address confirms by email before
  it receives anything).

Alarms notify `topic_arn`; other destinations (an existing topic watched by a chat integration,
a pager) go into `alarm_actions` beside it (``extra_topic_arns``).

Example::

    alerts = AlarmTopic("alarms", AlarmTopicArgs(emails=["oncall@example.com"]))
    FargateService("api", FargateServiceArgs(..., alarm_actions=alerts.alarm_actions))

Cost (monthly, us-east-1): $1.00 for the KMS key (none with ``kms_key_arn``), plus $0.03 per 10,000
KMS requests; SNS: the first 1,000 email notifications free, then $2.00 per 100,000.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NoReturn

import pulumi
import pulumi_aws as aws

from components.base import Component

__all__ = ["AlarmTopic", "AlarmTopicArgs"]

CLOUDWATCH = "cloudwatch.amazonaws.com"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key/[0-9a-f-]{36}$")
_COMPONENT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


@dataclass(frozen=True, kw_only=True)
class AlarmTopicArgs:
    """Arguments of `AlarmTopic`."""

    emails: Sequence[str] = ()
    """Addresses subscribed to the topic (each confirms by email). Default: () (nobody: alarms reach only `extra_topic_arns`)."""
    extra_topic_arns: Sequence[str] = ()
    """Existing SNS topics alarms also notify (e.g. one a chat integration such as Amazon Q Developer in chat applications watches). Default: ()."""
    kms_key_arn: pulumi.Input[str] | None = None
    """An existing customer-managed KMS key for the topic; its policy must let cloudwatch.amazonaws.com Decrypt and GenerateDataKey*. Default: None (a key is created here; the AWS managed alias/aws/sns key cannot be used by CloudWatch)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every taggable resource. Default: {}."""


class AlarmTopic(Component):
    """The encrypted alarm topic. See the module docstring."""

    topic_arn: pulumi.Output[str]
    """ARN of the alarm topic."""
    kms_key_arn: pulumi.Output[str]
    """ARN of the key that encrypts the topic (created here, or the one given)."""
    alarm_actions: tuple[pulumi.Input[str], ...]
    """What an alarm's ``alarm_actions`` / ``ok_actions`` should be: the topic, then `extra_topic_arns`."""

    def __init__(self, name: str, args: AlarmTopicArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        account = aws.get_caller_identity_output(opts=self.lookup_output_opts()).account_id
        partition = aws.get_partition_output(opts=self.lookup_output_opts()).partition
        key_arn: pulumi.Input[str]
        if args.kms_key_arn is None:
            key = aws.kms.Key(
                f"{name}-key",
                description=f"{name}: encrypts the alarm topic; CloudWatch may use it to publish",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=pulumi.Output.json_dumps(_key_policy(account, partition)),
                tags=self.tags(f"{name}-key"),
                opts=self.child_opts(),
            )
            key_arn = key.arn
        else:
            key_arn = args.kms_key_arn
        topic = aws.sns.Topic(
            f"{name}-topic",
            kms_master_key_id=key_arn,
            tags=self.tags(f"{name}-topic"),
            opts=self.child_opts(),
        )
        aws.sns.TopicPolicy(
            f"{name}-policy",
            arn=topic.arn,
            policy=pulumi.Output.json_dumps(topic_policy(topic.arn, account, partition)),
            opts=self.child_opts(),
        )
        for i, email in enumerate(args.emails):
            aws.sns.TopicSubscription(
                f"{name}-email-{i + 1}",
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                opts=self.child_opts(),
            )
        self.topic_arn = topic.arn
        self.kms_key_arn = pulumi.Output.from_input(key_arn)
        self.alarm_actions = (topic.arn, *args.extra_topic_arns)
        self.register_outputs({"topic_arn": self.topic_arn, "kms_key_arn": self.kms_key_arn})


def _key_policy(account: pulumi.Input[str], partition: pulumi.Input[str]) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": pulumi.Output.concat("arn:", partition, ":iam::", account, ":root")},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchPublishes",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDWATCH},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            },
        ],
    }


def topic_policy(
    topic_arn: pulumi.Input[str], account: pulumi.Input[str], partition: pulumi.Input[str] = "aws"
) -> dict[str, object]:
    """The alarm topic's policy: the owner account manages it; CloudWatch of this account publishes."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OwnerManages",
                "Effect": "Allow",
                "Principal": {"AWS": pulumi.Output.concat("arn:", partition, ":iam::", account, ":root")},
                "Action": [
                    "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes",
                    "sns:AddPermission",
                    "sns:RemovePermission",
                    "sns:DeleteTopic",
                    "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic",
                    "sns:Publish",
                ],
                "Resource": topic_arn,
            },
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDWATCH},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            },
        ],
    }


def _validate(name: str, args: AlarmTopicArgs) -> None:
    def fail(argument: str, message: str) -> NoReturn:
        AlarmTopic.fail(name, argument, message)

    if not _COMPONENT_NAME.fullmatch(name):
        fail("name", f"{name!r} must be lowercase letters, digits and '-'; rename the component, e.g. 'alarms'.")
    for argument, values in (("emails", args.emails), ("extra_topic_arns", args.extra_topic_arns)):
        if isinstance(values, str):
            fail(argument, f"{values!r} is a string; pass a list such as [{values!r}].")
        if len(set(values)) != len(list(values)):
            fail(argument, f"{list(values)} lists a value twice; list each once.")
    for email in args.emails:
        if not isinstance(email, str) or not _EMAIL.fullmatch(email):
            fail("emails", f"{email!r} is not an email address; use e.g. 'oncall@example.com'.")
    for arn in args.extra_topic_arns:
        if not isinstance(arn, str) or not _TOPIC_ARN.fullmatch(arn):
            fail(
                "extra_topic_arns",
                f"{arn!r} is not an SNS topic ARN; expected 'arn:aws:sns:<region>:<12-digit account>:<topic name>'.",
            )
    if isinstance(args.kms_key_arn, str):
        if args.kms_key_arn.startswith("alias/") or ":alias/" in args.kms_key_arn:
            fail(
                "kms_key_arn",
                f"{args.kms_key_arn!r} is an alias; CloudWatch cannot publish to a topic under the AWS managed "
                "alias/aws/sns key: pass the ARN of a customer-managed key that grants cloudwatch.amazonaws.com, or None.",
            )
        if not _KMS_KEY_ARN.fullmatch(args.kms_key_arn):
            fail(
                "kms_key_arn",
                f"{args.kms_key_arn!r} is not a KMS key ARN; expected 'arn:aws:kms:<region>:<account>:key/<uuid>'.",
            )
