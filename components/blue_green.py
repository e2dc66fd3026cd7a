"""BlueGreen: two colours of one service behind one weighted ALB listener rule.

Creates, for one `LoadBalancer` route whose rule mode is ``RuleMode.EXTERNAL``:

* ``<name>-blue-tg`` and ``<name>-green-tg``: two ``ip`` target groups (names of at most 32
  characters from `physical_name`), shaped by ``port``/``health_check``/``deregistration_delay``;
* ``<name>-rule``: ONE listener rule at the route's priority with the route's conditions, forwarding
  to both target groups with the weights from the stack config (stickiness off);
* ``<name>-test-blue`` / ``<name>-test-green`` (unless ``testHeader`` is ""): rules one and two
  priorities before it that match the route's conditions plus the header
  ``X-Deployment-Color: <colour>`` **and** ``X-Deployment-Key: <test key>`` and forward 100 % to
  that colour, so an operator can test the idle colour before it takes traffic and a viewer, who
  can set any plain header, cannot;
* ``<name>-test-key`` (with the test rules): the test key, 48 random alphanumerics
  (``<name>-test-key-value``) unless ``test_key`` is given, in a Secrets Manager secret named
  ``<project>/<stack>/<name>/test-key`` (``<name>-test-key-version``). The value is a Pulumi secret
  (encrypted in state); it is necessarily readable in the rule's conditions by whoever may call
  ``elasticloadbalancing:DescribeRules``, which is how ``python -m stacks switch --smoke-url``
  reads it;
* ``<name>-blue`` and ``<name>-green``: two `FargateService` s built from one template, each with its
  own image and desired count from the config (the idle colour may run 0 tasks).

Every resource of the pair carries ``Environment`` (the stack), ``Service`` and, per colour,
``Color`` tags; ``python -m stacks switch`` finds them by these tags. The listener rule's weights
*come from config*: the operator command writes the live weights back into ``Pulumi.<env>.yaml``
after a switch, so the next ``pulumi up`` changes nothing. The switch keeps its own state in tags
whose keys start with ``Switch`` on the listener rule; configure the stack's AWS provider with
``ignore_tags=aws.ProviderIgnoreTagsArgs(key_prefixes=["Switch"])`` so Pulumi never removes them.

Example::

    lb = LoadBalancer("web", LoadBalancerArgs.in_vpc(net, routes=[
        Route(name="catalog", path_patterns=["/api/catalog/*"], rule=RuleMode.EXTERNAL),
    ]))
    settings = BlueGreenSettings(
        weights={Color.BLUE: 90, Color.GREEN: 10},
        blue=ColorSettings(desired_count=2),
        green=ColorSettings(image=new_image_by_digest, desired_count=1),
    )
    BlueGreen("catalog", BlueGreenArgs(
        service="catalog", settings=settings, load_balancer=lb, route="catalog",
        service_template=FargateServiceArgs(cluster_arn=cluster.arn, vpc_id=net.vpc_id,
            subnet_ids=net.private_subnet_ids, image=image.image_uri,
            load_balancer_security_group_id=lb.security_group_id),
    ))

Mode ``BlueGreenMode.ECS_NATIVE`` (``mode=``) instead uses ECS's own ``BLUE_GREEN`` deployment
strategy: the two target groups (blue = primary, green = alternate), ``<name>-rule`` (production:
forward blue 100 / green 0), ``<name>-test`` (unless ``testHeader`` is "": the route's conditions plus
``<header>: test``, forward blue 0 / green 100), ``<name>-ecs-role`` (trusted by ``ecs.amazonaws.com``
for this account, with ``AmazonECSInfrastructureRolePolicyForLoadBalancers`` attached as
``<name>-ecs-lb-policy``, and ``<name>-ecs-hooks-policy`` allowing ``lambda:InvokeFunction`` on the
hook functions when there are hooks) and ONE `FargateService` ``<name>`` whose deployments ECS runs:
a ``pulumi up`` with a new image starts the new revision in the idle target group, moves the test
then the production rule to it, bakes ``bake_time_minutes`` and stops the old revision. The rules'
actions belong to ECS after creation (``ignore_changes``), so ``pulumi up`` never shifts them back.
``python -m stacks switch`` is for the weighted-rule mode only (see docs/blue_green.md).

Cost (monthly, us-east-1): target groups and listener rules are free (rules beyond the first 100
per ALB add LCUs); the cost is the tasks: two always-on 0.25 vCPU / 0.5 GB ARM64 tasks are $14.42
per colour (`FargateService`), so scaling the idle colour to 0 after a switch halves the compute
bill; each colour's five alarms are $0.50.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NoReturn

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components._naming import target_group_name
from components.aws_formats import IMAGE_BY_DIGEST, LAMBDA_FUNCTION_ARN
from components.base import Component
from components.errors import ComponentArgsError
from components.fargate_service import (
    DeploymentStrategy,
    FargateService,
    FargateServiceArgs,
    LifecycleHook,
    LifecycleStage,
    LoadBalancerAdvanced,
)
from components.fargate_service import _validate as validate_service_args
from components.iam import policy_document, service_trust_policy, statement
from components.load_balancer import HealthCheck, LoadBalancer

__all__ = [
    "TEST_KEY_HEADER",
    "BlueGreen",
    "BlueGreenArgs",
    "BlueGreenMode",
    "BlueGreenSettings",
    "Color",
    "ColorSettings",
    "NativeHook",
]

DEFAULT_TEST_HEADER = "X-Deployment-Color"
#: The header carrying the secret test key that every header test rule also requires.
TEST_KEY_HEADER = "X-Deployment-Key"
#: Length of a generated test key (alphanumerics: safe in a header, ALB allows 128 characters).
TEST_KEY_LENGTH = 48
#: ECS_NATIVE: the value of the test header that reaches the new revision (ECS decides its colour).
NATIVE_TEST_VALUE = "test"
#: ECS_NATIVE: the one key of ``service_names``, ``alarm_arns`` and ``security_group_ids``.
NATIVE_SERVICE_KEY = "service"
#: ECS_NATIVE: tag telling tools (``python -m stacks switch``) that ECS owns the rule's weights.
MODE_TAG = "BlueGreenMode"
ECS_SERVICE = "ecs.amazonaws.com"
ECS_LB_POLICY = "policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
#: An HTTP header name (RFC 9110 token) of at most 40 characters, as the test rules' condition takes it.
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$")
_SERVICE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")


class BlueGreenMode(StrEnum):
    """Who moves traffic between the colours."""

    WEIGHTED_RULE = "weighted-rule"
    """Two ECS services behind one weighted rule; ``python -m stacks switch`` shifts the weights."""
    ECS_NATIVE = "ecs-native"
    """One ECS service with ECS's ``BLUE_GREEN`` strategy; each deployment shifts traffic by itself."""


@dataclass(frozen=True, kw_only=True)
class NativeHook:
    """ECS_NATIVE: a Lambda function ECS invokes at deployment stages (a failure rolls the deployment back)."""

    function_arn: pulumi.Input[str]
    """ARN of the Lambda function. Default: required."""
    stages: tuple[LifecycleStage, ...]
    """Stages at which it runs (e.g. ``LifecycleStage.POST_TEST_TRAFFIC_SHIFT`` to test the new revision). Default: required."""


class Color(StrEnum):
    """A colour of the pair."""

    BLUE = "blue"
    GREEN = "green"

    @property
    def other(self) -> Color:
        return Color.GREEN if self is Color.BLUE else Color.BLUE


# -- settings ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ColorSettings:
    """One colour's deployment settings."""

    image: str = ""
    """Image by digest (``<repo>@sha256:<64 hex>``), or "" for the stack's own built image. Default: ""."""
    desired_count: int = 1
    """Tasks to run; 0 scales the idle colour away (a colour with traffic weight > 0 needs at least 1). Default: 1 (active colour), 0 (idle colour)."""


@dataclass(frozen=True, kw_only=True)
class BlueGreenSettings:
    """One service's blue-green settings (a stack reads them from its config: ``blueGreen.<service>``)."""

    active_color: Color = Color.BLUE
    """The colour that last took all traffic (written back by ``python -m stacks switch``). Default: blue."""
    weights: Mapping[Color, int] = field(default_factory=lambda: {Color.BLUE: 100, Color.GREEN: 0})
    """Percent of the route's traffic per colour, integers 0..100 summing to 100. Default: {blue: 100, green: 0}."""
    blue: ColorSettings = field(default_factory=ColorSettings)
    """Blue's image and desired count. Default: ColorSettings()."""
    green: ColorSettings = field(default_factory=lambda: ColorSettings(desired_count=0))
    """Green's image and desired count. Default: ColorSettings(desired_count=0)."""
    test_header: str | None = DEFAULT_TEST_HEADER
    """Header of the per-colour test rules (``<header>: <colour>``); None or "" for none. Default: "X-Deployment-Color"."""

    def color(self, color: Color) -> ColorSettings:
        return self.blue if color is Color.BLUE else self.green


# -- the component -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BlueGreenArgs:
    """Arguments of `BlueGreen`."""

    service: str
    """Service name, the value of the ``Service`` tag (e.g. "catalog"): lowercase letters, digits, '-'. Default: required."""
    settings: BlueGreenSettings
    """Colours, weights, images and counts (a stack builds them from its typed config). Default: required."""
    load_balancer: LoadBalancer
    """The ALB whose listener carries the rules. Default: required."""
    route: str
    """The load balancer's route (created with ``rule=RuleMode.EXTERNAL``) whose priority and conditions the rule takes. Default: required."""
    service_template: FargateServiceArgs
    """Both colours' service settings; ``image`` is the stack's own image (used where a colour's image is ""), and ``image``, ``desired_count``, ``target_group_arn``, the ALB suffixes, ``tags`` and ``service_name`` are set per colour. Default: required."""
    health_check: HealthCheck = field(default_factory=HealthCheck)
    """Target-group health check of both colours. Default: HealthCheck() (GET /healthz expecting 200)."""
    deregistration_delay: int = 30
    """Seconds to drain a deregistering target (0-3600). Default: 30."""
    test_rule_priorities: tuple[int, int] | None = None
    """Priorities of the blue and green header test rules (lower than the route's); ECS_NATIVE uses the first for its one test rule. Default: None (route priority - 2 and - 1; ECS_NATIVE: route priority - 1)."""
    mode: BlueGreenMode = BlueGreenMode.WEIGHTED_RULE
    """WEIGHTED_RULE (two services, `python -m stacks switch` moves traffic) or ECS_NATIVE (one service, ECS's BLUE_GREEN strategy; of ``settings`` only ``test_header`` is used, image and count come from ``service_template``). Default: WEIGHTED_RULE."""
    bake_time_minutes: int = 5
    """ECS_NATIVE only: minutes both revisions run after production traffic shifted, before the old one stops (0-1440). Default: 5."""
    lifecycle_hooks: tuple[NativeHook, ...] = ()
    """ECS_NATIVE only: Lambda functions ECS invokes at deployment stages. Default: none."""
    test_key: pulumi.Input[str] | None = None
    """The secret the header test rules require in ``X-Deployment-Key`` (16-128 letters and digits), kept as a Pulumi secret and in Secrets Manager. Default: None (48 random alphanumerics generated here)."""
    secret_recovery_window_days: int = 7
    """Recovery window of the test-key secret: 0 (deleted at once, for stacks that are rebuilt) or 7-30. Default: 7."""
    secret_kms_key_id: pulumi.Input[str] | None = None
    """A customer-managed KMS key (ARN) encrypting the test-key secret. Default: None (``aws/secretsmanager``)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on the pair's own children (target groups, rules, ECS role); each colour's service takes ``service_template.tags``. Default: none."""


class BlueGreen(Component):
    """Two colours of one service behind one weighted listener rule. See the module docstring."""

    listener_rule_arn: pulumi.Output[str]
    """ARN of the weighted listener rule (the one the switch edits); ECS_NATIVE: the production rule ECS edits."""
    target_group_arns: dict[str, pulumi.Output[str]]
    """Colour ("blue", "green") -> target group ARN (ECS_NATIVE: blue is the primary, green the alternate at creation)."""
    service_names: dict[str, pulumi.Output[str]]
    """Colour -> physical ECS service name; ECS_NATIVE: {"service": the one service's name}."""
    alarm_arns: dict[str, pulumi.Output[list[str]]]
    """Colour -> ARNs of that colour's alarms (the switch's gates); ECS_NATIVE: {"service": its CPU/memory alarms}."""
    security_group_ids: dict[str, pulumi.Output[str]]
    """Colour -> the security group of that colour's tasks (for the data tier's ``allow_from``); ECS_NATIVE: {"service": …}."""
    test_key_secret_arn: pulumi.Output[str] | None
    """The Secrets Manager secret holding the test key (what an operator sends as ``X-Deployment-Key``), or None without test rules."""

    def __init__(self, name: str, args: BlueGreenArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        priority, test_priorities = _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        self._name = name
        self._args = args
        if args.mode is BlueGreenMode.ECS_NATIVE:
            self._create_native(priority, test_priorities[0] if test_priorities else None)
            return
        lb = args.load_balancer
        settings = args.settings

        groups = {c: self._target_group(c) for c in Color}
        rule = aws.lb.ListenerRule(
            f"{name}-rule",
            listener_arn=lb.listener_arn,
            priority=priority,
            conditions=lb.conditions_of(args.route),
            actions=[
                aws.lb.ListenerRuleActionArgs(
                    type="forward",
                    forward=aws.lb.ListenerRuleActionForwardArgs(
                        target_groups=[
                            aws.lb.ListenerRuleActionForwardTargetGroupArgs(
                                arn=groups[c].arn, weight=settings.weights[c]
                            )
                            for c in Color
                        ],
                        stickiness=aws.lb.ListenerRuleActionForwardStickinessArgs(enabled=False, duration=1),
                    ),
                )
            ],
            tags=self._tags(f"{name}-rule"),
            opts=self.child_opts(),
        )
        attached: list[aws.lb.ListenerRule] = [rule]
        self.test_key_secret_arn = None
        if settings.test_header is not None and test_priorities is not None:
            key = self._test_key()
            for c, p in zip(Color, test_priorities, strict=True):
                attached.append(
                    aws.lb.ListenerRule(
                        f"{name}-test-{c.value}",
                        listener_arn=lb.listener_arn,
                        priority=p,
                        conditions=[
                            *lb.conditions_of(args.route),
                            *_test_conditions(settings.test_header, c.value, key),
                        ],
                        actions=[
                            aws.lb.ListenerRuleActionArgs(
                                type="forward",
                                forward=aws.lb.ListenerRuleActionForwardArgs(
                                    target_groups=[
                                        aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=groups[c].arn, weight=1)
                                    ],
                                ),
                            )
                        ],
                        tags=self._tags(f"{name}-test-{c.value}", c),
                        opts=self.child_opts(),
                    )
                )

        services = {c: self._service(c, groups[c], attached) for c in Color}

        self.listener_rule_arn = rule.arn
        self.target_group_arns = {c.value: groups[c].arn for c in Color}
        self.service_names = {c.value: services[c].service_name for c in Color}
        self.alarm_arns = {c.value: services[c].alarm_arns for c in Color}
        self.security_group_ids = {c.value: services[c].security_group_id for c in Color}
        self.register_outputs(
            {
                "security_group_ids": self.security_group_ids,
                "test_key_secret_arn": self.test_key_secret_arn,
                "listener_rule_arn": self.listener_rule_arn,
                "target_group_arns": self.target_group_arns,
                "service_names": self.service_names,
                "alarm_arns": self.alarm_arns,
            }
        )

    def _tags(self, name_tag: str, color: Color | None = None) -> dict[str, str]:
        extra = {"Service": self._args.service, **({"Color": color.value} if color is not None else {})}
        if self._args.mode is BlueGreenMode.ECS_NATIVE:
            extra[MODE_TAG] = self._args.mode.value
        return self.tags(name_tag, extra)

    # -- ECS_NATIVE ---------------------------------------------------------------------------------

    def _create_native(self, priority: int, test_priority: int | None) -> None:
        """Two target groups, the production (+ test) rule, ECS's role and one BLUE_GREEN service."""
        name, a = self._name, self._args
        lb = a.load_balancer
        groups = {c: self._target_group(c) for c in Color}
        # ECS rewrites the rules' forward weights on every deployment: after creation they are ECS's.
        ecs_owned = self.child_opts(ignore_changes=["actions"])
        production = aws.lb.ListenerRule(
            f"{name}-rule",
            listener_arn=lb.listener_arn,
            priority=priority,
            conditions=lb.conditions_of(a.route),
            actions=[_weighted_forward(groups, {Color.BLUE: 100, Color.GREEN: 0})],
            tags=self._tags(f"{name}-rule"),
            opts=ecs_owned,
        )
        attached = [production]
        test: aws.lb.ListenerRule | None = None
        header = a.settings.test_header
        self.test_key_secret_arn = None
        if header is not None and test_priority is not None:
            test = aws.lb.ListenerRule(
                f"{name}-test",
                listener_arn=lb.listener_arn,
                priority=test_priority,
                conditions=[*lb.conditions_of(a.route), *_test_conditions(header, NATIVE_TEST_VALUE, self._test_key())],
                actions=[_weighted_forward(groups, {Color.BLUE: 0, Color.GREEN: 100})],
                tags=self._tags(f"{name}-test"),
                opts=ecs_owned,
            )
            attached.append(test)
        role_arn = self._ecs_role()

        t = a.service_template
        # ECS refuses a target group that no listener uses: carry the rules' ARNs as dependencies of the ARN.
        primary = pulumi.Output.all(groups[Color.BLUE].arn, *[r.arn for r in attached]).apply(lambda v: str(v[0]))
        service = FargateService(
            name,
            dataclasses.replace(
                t,
                target_group_arn=primary,
                # The ALB alarms and request scaling name ONE target group, and ECS swaps which one is live.
                load_balancer_arn_suffix=None,
                target_group_arn_suffix=None,
                tags={**dict(t.tags), "Service": a.service, MODE_TAG: a.mode.value},
                deployment_strategy=DeploymentStrategy.BLUE_GREEN,
                bake_time_minutes=a.bake_time_minutes,
                lifecycle_hooks=tuple(
                    LifecycleHook(function_arn=h.function_arn, stages=tuple(h.stages), role_arn=role_arn)
                    for h in a.lifecycle_hooks
                ),
                load_balancer_advanced=LoadBalancerAdvanced(
                    alternate_target_group_arn=groups[Color.GREEN].arn,
                    production_listener_rule_arn=production.arn,
                    test_listener_rule_arn=test.arn if test is not None else None,
                    role_arn=role_arn,
                ),
            ),
            self.child_opts(),
        )

        self.listener_rule_arn = production.arn
        self.target_group_arns = {c.value: groups[c].arn for c in Color}
        self.service_names = {NATIVE_SERVICE_KEY: service.service_name}
        self.alarm_arns = {NATIVE_SERVICE_KEY: service.alarm_arns}
        self.security_group_ids = {NATIVE_SERVICE_KEY: service.security_group_id}
        self.register_outputs(
            {
                "security_group_ids": self.security_group_ids,
                "test_key_secret_arn": self.test_key_secret_arn,
                "listener_rule_arn": self.listener_rule_arn,
                "target_group_arns": self.target_group_arns,
                "service_names": self.service_names,
                "alarm_arns": self.alarm_arns,
            }
        )

    def _test_key(self) -> pulumi.Output[str]:
        """The test key (given or generated) as a secret output, kept in Secrets Manager for operators."""
        name, a = self._name, self._args
        value: pulumi.Input[str] = (
            a.test_key
            if a.test_key is not None
            else random.RandomPassword(
                f"{name}-test-key-value", length=TEST_KEY_LENGTH, special=False, opts=self.child_opts()
            ).result
        )
        key: pulumi.Output[str] = pulumi.Output.secret(value)
        secret = aws.secretsmanager.Secret(
            f"{name}-test-key",
            name=f"{pulumi.get_project()}/{pulumi.get_stack()}/{name}/test-key",
            description=f"{TEST_KEY_HEADER} value that reaches one colour of {a.service} (blue-green header test rules)",
            recovery_window_in_days=a.secret_recovery_window_days,
            kms_key_id=a.secret_kms_key_id,
            tags=self._tags(f"{name}-test-key"),
            opts=self.child_opts(),
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-test-key-version", secret_id=secret.id, secret_string=key, opts=self.child_opts()
        )
        self.test_key_secret_arn = secret.arn
        return key

    def _ecs_role(self) -> pulumi.Output[str]:
        """ECS's infrastructure role: edit the listener rules (AWS managed policy) and invoke the hooks.

        Returns its ARN carrying the policies as dependencies, so the service waits for them.
        """
        name, a = self._name, self._args
        account_id = aws.get_caller_identity_output(opts=self.lookup_output_opts()).account_id
        partition = aws.get_partition_output(opts=self.lookup_output_opts()).partition
        role = aws.iam.Role(
            f"{name}-ecs-role",
            description=f"ECS blue/green of {a.service}: shifts the listener rules and invokes the lifecycle hooks.",
            assume_role_policy=pulumi.Output.json_dumps(service_trust_policy(ECS_SERVICE, account_id)),
            tags=self._tags(f"{name}-ecs-role"),
            opts=self.child_opts(),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-ecs-lb-policy",
            role=role.name,
            policy_arn=partition.apply(lambda p: f"arn:{p}:iam::aws:{ECS_LB_POLICY}"),
            opts=self.child_opts(),
        )
        after: list[pulumi.Output[str]] = [attachment.id]
        if a.lifecycle_hooks:
            functions = list(dict.fromkeys(h.function_arn for h in a.lifecycle_hooks))
            hooks = aws.iam.RolePolicy(
                f"{name}-ecs-hooks-policy",
                role=role.id,
                policy=pulumi.Output.json_dumps(
                    policy_document(
                        [
                            statement("InvokeLifecycleHooks", ["lambda:InvokeFunction"], functions),
                        ]
                    )
                ),
                opts=self.child_opts(),
            )
            after.append(hooks.id)
        return pulumi.Output.all(role.arn, *after).apply(lambda v: str(v[0]))

    def _target_group(self, color: Color) -> aws.lb.TargetGroup:
        a = self._args
        hc = a.health_check
        port = a.service_template.container_port
        return aws.lb.TargetGroup(
            f"{self._name}-{color.value}-tg",
            name=target_group_name(
                self._name,
                color.value,
                str(port),
                pulumi.get_stack(),
                protocol="HTTP",
                protocol_version="HTTP1",
                target_type="ip",
            ),
            port=port,
            protocol="HTTP",
            protocol_version="HTTP1",
            target_type="ip",
            vpc_id=a.service_template.vpc_id,
            deregistration_delay=a.deregistration_delay,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                protocol="HTTP",
                port="traffic-port",
                path=hc.path,
                matcher=hc.matcher,
                interval=hc.interval_seconds,
                timeout=hc.timeout_seconds,
                healthy_threshold=hc.healthy_threshold,
                unhealthy_threshold=hc.unhealthy_threshold,
            ),
            tags=self._tags(f"{self._name}-{color.value}", color),
            opts=self.child_opts(),
        )

    def _service(self, color: Color, group: aws.lb.TargetGroup, attached: list[aws.lb.ListenerRule]) -> FargateService:
        # ECS refuses a target group that no listener uses: carry the rules' ARNs as dependencies of the ARN.
        group_arn = pulumi.Output.all(group.arn, *[r.arn for r in attached]).apply(lambda v: str(v[0]))
        args = _color_args(self._args, color, group_arn, group.arn_suffix)
        return FargateService(f"{self._name}-{color.value}", args, self.child_opts())


def _test_conditions(header: str, value: str, key: pulumi.Input[str]) -> list[aws.lb.ListenerRuleConditionArgs]:
    """A header test rule's own conditions: ``<header>: <value>`` and ``X-Deployment-Key: <key>``
    (a secret): a plain header alone, which any viewer can set, never matches."""
    return [
        aws.lb.ListenerRuleConditionArgs(
            http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(http_header_name=header, values=[value])
        ),
        aws.lb.ListenerRuleConditionArgs(
            http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                http_header_name=TEST_KEY_HEADER, values=[pulumi.Output.secret(key)]
            )
        ),
    ]


def _color_args(
    a: BlueGreenArgs, color: Color, group_arn: pulumi.Input[str], group_arn_suffix: pulumi.Input[str]
) -> FargateServiceArgs:
    """The arguments of ``color``'s FargateService: the template with that colour's image, count and target group."""
    t = a.service_template
    own = a.settings.color(color)
    count = own.desired_count
    scaling = t.autoscaling if count > 0 else None
    if scaling is not None and not scaling.min_count <= count <= scaling.max_count:
        count = max(scaling.min_count, min(count, scaling.max_count))
    return dataclasses.replace(
        t,
        image=own.image or t.image,
        desired_count=count,
        autoscaling=scaling,
        target_group_arn=group_arn,
        target_group_arn_suffix=group_arn_suffix,
        load_balancer_arn_suffix=a.load_balancer.arn_suffix,
        tags={**dict(t.tags), "Service": a.service, "Color": color.value},
        service_name=f"{t.service_name}-{color.value}" if t.service_name else None,
    )


def _weighted_forward(
    groups: Mapping[Color, aws.lb.TargetGroup], weights: Mapping[Color, int]
) -> aws.lb.ListenerRuleActionArgs:
    return aws.lb.ListenerRuleActionArgs(
        type="forward",
        forward=aws.lb.ListenerRuleActionForwardArgs(
            target_groups=[
                aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=groups[c].arn, weight=weights[c]) for c in Color
            ],
            stickiness=aws.lb.ListenerRuleActionForwardStickinessArgs(enabled=False, duration=1),
        ),
    )


#: Stand-ins for a colour's target group while its service's arguments are checked (before it exists).
_PLANNED_GROUP_ARN = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/planned/0"


def _validate(name: str, args: BlueGreenArgs) -> tuple[int, tuple[int, ...] | None]:
    """Check every argument; return the rule's priority and the test rules' priorities."""

    def fail(argument: str, message: str) -> NoReturn:
        BlueGreen.fail(name, argument, message)

    if not isinstance(args.service, str) or not _SERVICE.fullmatch(args.service):
        fail("service", f"{args.service!r} must be lowercase letters, digits and '-' (at most 32), e.g. 'catalog'.")
    _validate_settings(args.settings, args.mode, fail)
    if not isinstance(args.load_balancer, LoadBalancer):
        fail("load_balancer", f"{type(args.load_balancer).__name__} is not a LoadBalancer component.")
    try:
        priority = args.load_balancer.priority_of(args.route)
    except KeyError as exc:
        fail("route", f"{args.route!r}: {exc.args[0]}; add it with rule=RuleMode.EXTERNAL.")
    if args.route in args.load_balancer.target_group_arns:
        fail(
            "route",
            f"{args.route!r} is a forward route: the load balancer already creates its rule at priority "
            f"{priority}, and BlueGreen's rule would take the same priority (AWS answers PriorityInUse); "
            "create the route with rule=RuleMode.EXTERNAL.",
        )
    if not 0 <= args.deregistration_delay <= 3600:
        fail("deregistration_delay", f"{args.deregistration_delay} is outside 0..3600 seconds.")
    if args.service_template.target_group_arn is not None:
        fail(
            "service_template",
            "target_group_arn is set; leave it None, BlueGreen registers each colour in its own target group.",
        )
    if not isinstance(args.mode, BlueGreenMode):
        fail(
            "mode",
            f"{args.mode!r} is not a BlueGreenMode; use BlueGreenMode.WEIGHTED_RULE or BlueGreenMode.ECS_NATIVE.",
        )
    if args.mode is BlueGreenMode.ECS_NATIVE:
        _validate_native(args, fail)
    elif args.lifecycle_hooks:
        fail("lifecycle_hooks", "are only run in mode=BlueGreenMode.ECS_NATIVE; remove them or set that mode.")
    else:
        # Each colour's service as FargateService will check it, now, before any target group or rule exists.
        for color in Color:
            try:
                validate_service_args(
                    f"{name}-{color.value}", _color_args(args, color, _PLANNED_GROUP_ARN, "targetgroup/planned/0")
                )
            except ComponentArgsError as exc:
                fail(f"service_template.{exc.argument}", f"{color.value}: {str(exc).split('] ', 1)[-1]}")
    if not args.settings.test_header:
        return priority, None
    _validate_test_key(args, fail)
    if args.mode is BlueGreenMode.ECS_NATIVE:
        wanted_one = args.test_rule_priorities[0] if args.test_rule_priorities else priority - 1
        if not 1 <= wanted_one < priority:
            fail(
                "test_rule_priorities",
                f"{wanted_one} must be from 1 up to {priority - 1} (lower than the route's {priority}), "
                "so the header test rule wins over the production rule.",
            )
        try:
            return priority, (args.load_balancer.reserve_priority(wanted_one),)
        except ComponentArgsError as exc:
            fail("test_rule_priorities", f"{wanted_one}: {exc}; pass a free priority below {priority}.")
    wanted = args.test_rule_priorities or (priority - 2, priority - 1)
    if len(wanted) != 2 or wanted[0] == wanted[1] or any(not 1 <= p < priority for p in wanted):
        fail(
            "test_rule_priorities",
            f"{wanted} must be two different priorities from 1 up to {priority - 1} (lower than the route's {priority}), "
            "so the header test rules win over the weighted rule.",
        )
    try:
        reserved = (args.load_balancer.reserve_priority(wanted[0]), args.load_balancer.reserve_priority(wanted[1]))
    except ComponentArgsError as exc:
        fail("test_rule_priorities", f"{wanted}: {exc}; pass two free priorities below {priority}.")
    return priority, reserved


def _validate_settings(settings: BlueGreenSettings, mode: BlueGreenMode, fail: Callable[[str, str], NoReturn]) -> None:
    """The settings' own rules: a library user who builds `BlueGreenSettings` by hand hears them here,
    naming the field, instead of from AWS after the pair was half created."""
    if not isinstance(settings, BlueGreenSettings):
        fail(
            "settings",
            f"{type(settings).__name__} is not a BlueGreenSettings; build one, e.g. "
            "BlueGreenSettings(weights={Color.BLUE: 100, Color.GREEN: 0}).",
        )
    if not isinstance(settings.active_color, Color):
        fail("settings.active_color", f"{settings.active_color!r} is not a Color; use Color.BLUE or Color.GREEN.")
    weights = settings.weights
    if not isinstance(weights, Mapping) or set(weights) != set(Color):
        shown = (
            "{" + ", ".join(f"{k}: {v!r}" for k, v in weights.items()) + "}"
            if isinstance(weights, Mapping)
            else repr(weights)
        )
        fail(
            "settings.weights",
            f"{shown} must name exactly Color.BLUE and Color.GREEN, e.g. {{Color.BLUE: 100, Color.GREEN: 0}}.",
        )
    for color in Color:
        weight = weights[color]
        if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
            fail("settings.weights", f"{color.value}={weight!r} must be an integer percentage 0..100.")
    blue, green = weights[Color.BLUE], weights[Color.GREEN]
    if blue + green != 100:
        fail(
            "settings.weights",
            f"{{blue: {blue}, green: {green}}} sums to {blue + green}; weights are percentages and must sum to 100, "
            f"e.g. {{Color.BLUE: {blue}, Color.GREEN: {100 - blue}}}.",
        )
    for color in Color:
        own = settings.color(color)
        where = f"settings.{color.value}"
        if not isinstance(own, ColorSettings):
            fail(
                where, f"{type(own).__name__} is not a ColorSettings; use ColorSettings(image=..., desired_count=...)."
            )
        if not isinstance(own.image, str) or (own.image and not IMAGE_BY_DIGEST.fullmatch(own.image)):
            fail(
                f"{where}.image",
                f'{own.image!r} must be "" (the service template\'s image) or an image by digest, '
                "<repository>@sha256:<64 hex>.",
            )
        count = own.desired_count
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            fail(f"{where}.desired_count", f"{count!r} must be an integer, 0 or more.")
        if mode is BlueGreenMode.WEIGHTED_RULE and weights[color] > 0 and count == 0:
            fail(
                f"{where}.desired_count",
                f"is 0 but {color.value} takes {weights[color]}% of traffic; run at least 1 task or set its weight to 0.",
            )
    header = settings.test_header
    if header is not None and (not isinstance(header, str) or (header and not HEADER_NAME.fullmatch(header))):
        fail(
            "settings.test_header",
            f"{header!r} must be an HTTP header name of at most 40 characters (letters, digits, '-', …), "
            "or None for no test rules.",
        )


def _validate_test_key(args: BlueGreenArgs, fail: Callable[[str, str], NoReturn]) -> None:
    """The test key and its secret: what ALB accepts as a header value, what Secrets Manager accepts."""
    if args.settings.test_header and args.settings.test_header.lower() == TEST_KEY_HEADER.lower():
        fail(
            "settings.test_header",
            f"{args.settings.test_header!r} is the header of the test key itself; use another name, e.g. "
            f"{DEFAULT_TEST_HEADER!r}.",
        )
    key = args.test_key
    if isinstance(key, str) and not re.fullmatch(r"[A-Za-z0-9]{16,128}", key):
        fail(
            "test_key",
            f"is {len(key)} characters{'' if key.isalnum() else ' with characters other than letters and digits'}; "
            "use 16 to 128 letters and digits (ALB compares header values with wildcards * and ?), "
            "or leave it None to generate one.",
        )
    days = args.secret_recovery_window_days
    if days != 0 and not 7 <= days <= 30:
        fail(
            "secret_recovery_window_days",
            f"{days} is not 0 or 7..30 days (Secrets Manager's recovery window); use 0 for stacks that are rebuilt.",
        )


def _validate_native(args: BlueGreenArgs, fail: Callable[[str, str], NoReturn]) -> None:
    """ECS_NATIVE's own rules (the shared ones are checked by the caller, the service's by FargateService)."""
    t = args.service_template
    if not 0 <= args.bake_time_minutes <= 1440:
        fail("bake_time_minutes", f"{args.bake_time_minutes} is outside ECS's 0-1440 minutes.")
    allowed = ", ".join(s.value for s in LifecycleStage)
    for i, hook in enumerate(args.lifecycle_hooks):
        stages = hook.stages
        if isinstance(stages, str) or not stages:
            fail("lifecycle_hooks", f"hook {i + 1}: stages={stages!r} must be a non-empty tuple of LifecycleStage.")
        bad = [s for s in stages if not isinstance(s, LifecycleStage)]
        if bad:
            fail("lifecycle_hooks", f"hook {i + 1}: {bad[0]!r} is not a lifecycle stage; choose from {allowed}.")
        if len(set(stages)) != len(stages):
            fail("lifecycle_hooks", f"hook {i + 1}: stages {[s.value for s in stages]} repeat a stage; list each once.")
        if isinstance(hook.function_arn, str) and not LAMBDA_FUNCTION_ARN.fullmatch(hook.function_arn):
            fail(
                "lifecycle_hooks",
                f"hook {i + 1}: {hook.function_arn!r} is not a Lambda function ARN "
                "(arn:aws:lambda:<region>:<account>:function:<name>).",
            )
    if t.autoscaling is not None and t.autoscaling.requests_per_target is not None:
        fail(
            "service_template",
            "autoscaling.requests_per_target names one target group, and in ECS_NATIVE mode ECS swaps which target "
            "group is live; scale on cpu_target_percent / memory_target_percent instead.",
        )
    if (
        t.deployment_strategy is not DeploymentStrategy.ROLLING
        or t.load_balancer_advanced is not None
        or t.lifecycle_hooks
    ):
        fail(
            "service_template",
            "sets deployment_strategy, load_balancer_advanced or lifecycle_hooks; leave them unset, "
            "BlueGreen's mode, bake_time_minutes and lifecycle_hooks set them.",
        )
