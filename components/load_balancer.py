"""LoadBalancer: an Application Load Balancer with path (and host) routing, internet-facing or internal.

Creates:

* a security group admitting port 80 (and 443 with a certificate) only from ``ingress_cidrs`` (IPv4,
  and IPv6 only when an IPv6 block is listed) and optionally from managed prefix lists such as
  CloudFront's origin-facing list, and sending only to the VPC CIDR on the routes' target ports;
* the ALB in the given subnets (at least 2 AZs): public ones, or private ones with ``internal`` (no
  public address; CloudFront reaches it through a VPC origin), dropping invalid header fields, defensive
  desync mitigation, configurable idle timeout, deletion protection and access logs (to its own
  private, encrypted, TLS-only bucket with the ELB log-delivery policy and a retention);
* with ``certificate_arn``: an HTTPS listener (``ELBSecurityPolicy-TLS13-1-2-2021-06``) and an HTTP
  listener that redirects to HTTPS; without it: one HTTP listener. The listener's default action is
  a fixed 404 JSON ``{"error":{"code":"not_found",...}}``;
* per `Route`: one target group (``target_type="ip"``, HTTP, health check, deregistration delay) and
  one listener rule (path patterns and/or host headers), priority ``100 + 10 * position`` unless set.

Example::

    alb = LoadBalancer("web", LoadBalancerArgs.in_vpc(net, certificate_arn=cert_arn, routes=[
        Route(name="catalog", path_patterns=["/api/catalog/*"], port=8000),
        Route(name="accounts", path_patterns=["/api/accounts/*"], port=8000),
    ]))
    alb.target_group("catalog")            # give its ARN to the ECS service
    alb.add_route(Route(name="search", path_patterns=["/api/search/*"]))

Blue/green: a `Route` with ``rule=RuleMode.EXTERNAL`` gets a reserved priority but neither a
listener rule nor a target group; the switcher creates its own weighted rule on ``alb.listener`` at
``alb.priority_of(name)`` with ``alb.conditions_of(name)``, and its own target groups (or
``alb.add_target_group(name, "green")`` for ones shaped like the route). ``alb.reserve_priority()`` hands out other free priorities.

Cost (monthly, us-east-1): $16.43 per ALB + $5.84 per LCU, plus $3.65 per AZ for the public IPv4
addresses of an internet-facing ALB (none for an internal one); access logs cost S3 storage only
($0.023/GB-month).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NoReturn, Protocol

import pulumi
import pulumi_aws as aws

from components._alb_rules import (
    AUTO_PRIORITY_BASE,
    EXTERNAL_PRIORITY_BASE,
    MAX_PRIORITY,
    MAX_VALUES_PER_CONDITION,
    MAX_VALUES_PER_RULE,
    MAX_WILDCARDS_PER_RULE,
    MIN_PRIORITY,
    auto_priority,
    certificate_arn_problem,
    host_header_problem,
    matcher_problem,
    not_found_body,
    path_pattern_problem,
    wildcard_count,
)
from components._naming import physical_name, target_group_name
from components._private_bucket import attach_policy, create_private_bucket
from components.base import Component
from components.subnet import SubnetRef

__all__ = ["HealthCheck", "LoadBalancer", "LoadBalancerArgs", "Route", "RuleMode", "SubnetRef"]

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
ACCESS_LOG_PREFIX = "alb"
_ROUTE_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")
_COMPONENT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_PREFIX_LIST = re.compile(r"^pl-[0-9a-f]{8,17}$")


class RuleMode(StrEnum):
    """Who owns a route's listener rule."""

    FORWARD = "forward"
    """The LoadBalancer creates a rule forwarding to the route's target group."""
    EXTERNAL = "external"
    """Priority only; another component attaches its own rule and target groups (e.g. weighted blue/green)."""


@dataclass(frozen=True, kw_only=True)
class HealthCheck:
    """Target-group health check (HTTP, on the traffic port)."""

    path: str = "/healthz"
    """Path the ALB requests. Default: "/healthz"."""
    matcher: str = "200"
    """Healthy HTTP codes: '200', '200,204' or '200-299' (200-499). Default: "200"."""
    interval_seconds: int = 15
    """Seconds between checks (5-300). Default: 15."""
    timeout_seconds: int = 5
    """Seconds before a check fails (2-120, less than the interval). Default: 5."""
    healthy_threshold: int = 2
    """Consecutive successes before a target is healthy (2-10). Default: 2."""
    unhealthy_threshold: int = 3
    """Consecutive failures before a target is unhealthy (2-10). Default: 3."""


@dataclass(frozen=True, kw_only=True)
class Route:
    """One service behind the ALB: a target group plus a listener rule."""

    name: str
    """Route name: lowercase letters, digits and '-', at most 32 characters; names the target group. Default: required."""
    path_patterns: Sequence[str] = ()
    """Path patterns (at most 3; '*' and '?' wildcards), e.g. ["/api/catalog/*"]. Default: () (host headers only)."""
    host_headers: Sequence[str] = ()
    """Host names (at most 3), e.g. ["api.example.com"]; paths + hosts together at most 5. Default: ()."""
    port: int = 8000
    """Port the targets (Fargate tasks) listen on. Default: 8000."""
    health_check: HealthCheck = field(default_factory=HealthCheck)
    """The target group's health check. Default: HealthCheck() (GET /healthz expecting 200)."""
    deregistration_delay: int = 30
    """Seconds to drain a deregistering target (0-3600). Default: 30."""
    priority: int | None = None
    """Explicit rule priority (1-50000, lower wins). Default: None (100 + 10 x position in the route list)."""
    rule: RuleMode = RuleMode.FORWARD
    """FORWARD: this component creates the target group and the rule; EXTERNAL: only the priority. Default: RuleMode.FORWARD."""


class _VpcLike(Protocol):
    @property
    def vpc_id(self) -> pulumi.Output[str]: ...
    @property
    def cidr_block(self) -> str: ...
    @property
    def public_subnets(self) -> list[SubnetRef]: ...
    @property
    def private_subnets(self) -> list[SubnetRef]: ...


@dataclass(frozen=True, kw_only=True)
class LoadBalancerArgs:
    """Arguments of `LoadBalancer`."""

    vpc_id: pulumi.Input[str]
    """VPC of the ALB and its target groups. Default: required."""
    vpc_cidr: pulumi.Input[str]
    """VPC CIDR: the only destination the ALB's security group sends to. Default: required."""
    subnets: Sequence[SubnetRef]
    """Subnets, at least 2 in distinct AZs: public ones (`Vpc.public_subnets`), or private ones (`Vpc.private_subnets`) with `internal`. Default: required."""
    internal: bool = False
    """Internal scheme: private addresses only (no public IPv4), reached from inside the VPC or through a CloudFront VPC origin (`CdnArgs.api_vpc_origin_arn`); changing it replaces the ALB. Default: False (internet-facing)."""
    routes: Sequence[Route] = ()
    """Ordered routes; more routes can be added later with `add_route`. Default: () (every request gets the 404)."""
    certificate_arn: pulumi.Input[str] | None = None
    """ACM certificate ARN (same region); when set: HTTPS with TLS 1.3 policy and HTTP->HTTPS redirect. Default: None (HTTP only)."""
    ingress_cidrs: Sequence[str] = ("0.0.0.0/0",)
    """IPv4/IPv6 CIDRs admitted on 80/443; IPv6 is admitted only when an IPv6 block (e.g. "::/0") is listed. Default: ("0.0.0.0/0",)."""
    ingress_prefix_list_ids: Sequence[pulumi.Input[str]] = ()
    """Managed prefix lists admitted on the serving port (443 with a certificate, else 80), e.g. CloudFront's origin-facing list (weighs ~55 rules against the SG quota). Default: ()."""
    idle_timeout: int = 60
    """Connection idle timeout in seconds (1-4000). Default: 60."""
    deletion_protection: bool = True
    """Refuse to delete the ALB until this is turned off (FSBP ELB.6). Default: True."""
    access_logs: bool = True
    """Write access logs to a private bucket created for this ALB (FSBP ELB.5). Default: True."""
    access_log_retention_days: int = 90
    """Days before access-log objects expire (1-3650). Default: 90."""
    required_header_name: str | None = None
    """Header every routed request must carry (e.g. "X-Origin-Verify" from `Cdn`), so only CloudFront reaches the routes; others get the 404. Counts as one of the 5 condition values per rule. Default: None."""
    required_header_value: pulumi.Input[str] | None = None
    """Secret value of `required_header_name` (e.g. the Cdn's origin_verify_secret); kept secret in state. Default: None."""
    force_destroy_logs: bool = False
    """Let `pulumi destroy` delete the log bucket with its objects (dev stacks). Default: False."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every taggable resource. Default: {}."""

    @classmethod
    def in_vpc(cls, vpc: _VpcLike, *, internal: bool = False, **kwargs: Any) -> LoadBalancerArgs:
        """Args for an ALB in ``vpc``'s public subnets, or its private ones with ``internal=True``:
        ``LoadBalancerArgs.in_vpc(net, internal=True, routes=[...])``."""
        subnets = list(vpc.private_subnets if internal else vpc.public_subnets)
        return cls(vpc_id=vpc.vpc_id, vpc_cidr=vpc.cidr_block, subnets=subnets, internal=internal, **kwargs)


class LoadBalancer(Component):
    """An ALB with path routing (internet-facing or internal). See the module docstring."""

    arn: pulumi.Output[str]
    """The ALB's ARN."""
    arn_suffix: pulumi.Output[str]
    """``app/<name>/<id>``: the LoadBalancer dimension of CloudWatch metrics."""
    dns_name: pulumi.Output[str]
    """The ALB's DNS name (a CloudFront origin or a Route 53 alias target)."""
    zone_id: pulumi.Output[str]
    """The ALB's hosted zone id (for Route 53 aliases)."""
    security_group_id: pulumi.Output[str]
    """The ALB's security group (reference it in the targets' ingress rules)."""
    listener: aws.lb.Listener
    """The listener routes attach to (HTTPS with a certificate, else HTTP)."""
    listener_arn: pulumi.Output[str]
    """ARN of `listener`."""
    target_group_arns: dict[str, pulumi.Output[str]]
    """Route name -> target group ARN (grows with `add_route`)."""
    log_bucket_name: pulumi.Output[str] | None
    """The access-log bucket, or None when access logs are off."""

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        priorities = _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        self._name = name
        self._args = args
        self._routes: dict[str, Route] = {}
        self._priorities: dict[str, int] = {}
        self._reserved: set[int] = set()
        self._target_groups: dict[str, aws.lb.TargetGroup] = {}
        self._egress_ports: set[int] = set()
        self.target_group_arns = {}

        self._sg = self._create_security_group()
        log_bucket, log_policy = self._create_access_log_bucket() if args.access_logs else (None, None)
        alb = aws.lb.LoadBalancer(
            f"{name}-alb",
            name=physical_name(name, pulumi.get_stack(), max_length=32),
            internal=args.internal,
            load_balancer_type="application",
            ip_address_type="ipv4",
            security_groups=[self._sg.id],
            subnets=[s.id for s in args.subnets],
            idle_timeout=args.idle_timeout,
            enable_deletion_protection=args.deletion_protection,
            drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive",
            enable_http2=True,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=log_bucket.bucket, prefix=ACCESS_LOG_PREFIX, enabled=True
            )
            if log_bucket is not None
            else None,
            tags=self._tags(name),
            # A fixed name, and `internal`/`load_balancer_type` force a replacement: delete first (a
            # replacement is refused while deletion protection is on, as in prod).
            opts=self.child_opts(depends_on=[log_policy] if log_policy else None, delete_before_replace=True),
        )
        self.listener = self._create_listeners(alb)

        for i, route in enumerate(args.routes):
            self._create_route(route, priorities[i])

        self.arn = alb.arn
        self.arn_suffix = alb.arn_suffix
        self.dns_name = alb.dns_name
        self.zone_id = alb.zone_id
        self.security_group_id = self._sg.id
        self.listener_arn = self.listener.arn
        self.log_bucket_name = log_bucket.bucket if log_bucket is not None else None
        self.register_outputs(
            {
                "arn": self.arn,
                "arn_suffix": self.arn_suffix,
                "dns_name": self.dns_name,
                "zone_id": self.zone_id,
                "security_group_id": self.security_group_id,
                "listener_arn": self.listener_arn,
                "target_group_arns": dict(self.target_group_arns),
                "log_bucket_name": self.log_bucket_name,
            }
        )

    # -- public API ----------------------------------------------------------------------------
    def add_route(self, route: Route) -> aws.lb.TargetGroup | None:
        """Add a route after construction (e.g. from a service component); returns its target group
        (None for an EXTERNAL route, whose rule's owner brings its own target groups).

        Validated against the existing routes and reserved priorities; its automatic priority
        continues the route list (``100 + 10 * position``).
        """
        priority = _validate_route(
            self._name,
            route,
            f"add_route({route.name!r})",
            len(self._routes),
            list(self._routes.values()),
            self._taken_priorities(),
            reserved_values=int(self._args.required_header_name is not None),
        )
        return self._create_route(route, priority)

    def target_group(self, route_name: str) -> aws.lb.TargetGroup:
        """The target group of ``route_name`` (or of ``"<route>-<variant>"`` from `add_target_group`)."""
        if route_name not in self._target_groups:
            raise KeyError(
                f"{LoadBalancer.KIND} '{self._name}' has no route {route_name!r}; routes: {sorted(self._routes)}"
            )
        return self._target_groups[route_name]

    def _route(self, route_name: str) -> Route:
        if route_name not in self._routes:
            raise KeyError(
                f"{LoadBalancer.KIND} '{self._name}' has no route {route_name!r}; routes: {sorted(self._routes)}"
            )
        return self._routes[route_name]

    def priority_of(self, route_name: str) -> int:
        """The listener-rule priority of ``route_name`` (for an EXTERNAL rule)."""
        self._route(route_name)
        return self._priorities[route_name]

    def conditions_of(self, route_name: str) -> list[aws.lb.ListenerRuleConditionArgs]:
        """The listener-rule conditions of ``route_name`` (for an EXTERNAL rule), required header included."""
        conditions = _conditions(self._route(route_name))
        value = self._args.required_header_value
        if self._args.required_header_name is not None and value is not None:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                        http_header_name=self._args.required_header_name,
                        values=[pulumi.Output.secret(value)],
                    )
                )
            )
        return conditions

    def add_target_group(self, route_name: str, variant: str) -> aws.lb.TargetGroup:
        """Another target group shaped like ``route_name``'s (e.g. ``variant="green"``) for blue/green."""
        route = self._route(route_name)
        if not _ROUTE_NAME.fullmatch(variant) or f"{route_name}-{variant}" in self._target_groups:
            LoadBalancer.fail(
                self._name,
                "variant",
                f"{variant!r} must be a new lowercase name such as 'green'; each variant can be added once per route.",
            )
        group = self._target_group(route, f"{route_name}-{variant}")
        self._target_groups[f"{route_name}-{variant}"] = group
        return group

    def reserve_priority(self, priority: int | None = None) -> int:
        """Reserve a listener-rule priority for a rule another component creates on `listener`.

        With ``priority``: checks the range and that no route or earlier reservation holds it.
        Without: the lowest free priority from 40000 up (evaluated after every route).
        """
        taken = self._taken_priorities()
        if priority is None:
            priority = next(p for p in range(EXTERNAL_PRIORITY_BASE, MAX_PRIORITY + 1) if p not in taken)
        elif not MIN_PRIORITY <= priority <= MAX_PRIORITY or priority in taken:
            LoadBalancer.fail(
                self._name,
                "priority",
                f"{priority} is outside {MIN_PRIORITY}.."
                f"{MAX_PRIORITY} or already taken (taken: {sorted(taken)}); choose another.",
            )
        self._reserved.add(priority)
        return priority

    # -- steps ---------------------------------------------------------------------------------
    def _tags(self, name_tag: str) -> dict[str, str]:
        return self.tags(name_tag)

    def _taken_priorities(self) -> dict[int, str]:
        taken = {p: "a reserve_priority() reservation" for p in self._reserved}
        return {**taken, **{p: f"route {r!r}" for r, p in self._priorities.items()}}

    def _create_security_group(self) -> aws.ec2.SecurityGroup:
        name, args = self._name, self._args
        sg = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description=f"{name} ALB: HTTP(S) from allowed sources, to targets in the VPC only",
            tags=self._tags(f"{name}-alb"),
            opts=self.child_opts(),
        )
        ports = [80, 443] if args.certificate_arn is not None else [80]
        for port in ports:
            for i, cidr in enumerate(args.ingress_cidrs):
                v6 = ipaddress.ip_network(cidr).version == 6
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-ingress-{port}-{i + 1}",
                    security_group_id=sg.id,
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_ipv4=None if v6 else cidr,
                    cidr_ipv6=cidr if v6 else None,
                    description=f"{'HTTPS' if port == 443 else 'HTTP'} from an allowed CIDR",
                    tags=self._tags(f"{name}-ingress-{port}-{i + 1}"),
                    opts=self.child_opts(),
                )
        serving = ports[-1]
        for i, prefix_list in enumerate(args.ingress_prefix_list_ids):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-ingress-{serving}-pl-{i + 1}",
                security_group_id=sg.id,
                ip_protocol="tcp",
                from_port=serving,
                to_port=serving,
                prefix_list_id=prefix_list,
                description="From an allowed managed prefix list (e.g. CloudFront origin-facing)",
                tags=self._tags(f"{name}-ingress-{serving}-pl-{i + 1}"),
                opts=self.child_opts(),
            )
        return sg

    def _allow_egress(self, port: int) -> None:
        if port in self._egress_ports:
            return
        self._egress_ports.add(port)
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-egress-{port}",
            security_group_id=self._sg.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4=self._args.vpc_cidr,
            description=f"To targets on port {port} inside the VPC",
            tags=self._tags(f"{self._name}-egress-{port}"),
            opts=self.child_opts(),
        )

    def _create_access_log_bucket(self) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
        name, args = self._name, self._args
        # ALB access logs support SSE-S3 only (not SSE-KMS).
        private = create_private_bucket(
            self,
            name,
            "access-logs",
            kind=LoadBalancer.KIND,
            tags=args.tags,
            expiration_days=args.access_log_retention_days,
            force_destroy=args.force_destroy_logs,
            # Versioned (S3 versioning control) so a deleted or overwritten log survives a week.
            versioning=True,
            noncurrent_version_expiration_days=7,
        )
        account = aws.get_caller_identity(opts=self.lookup_opts()).account_id
        objects = pulumi.Output.concat(private.bucket.arn, f"/{ACCESS_LOG_PREFIX}/AWSLogs/{account}/*")
        statements: list[dict[str, object]] = [
            {
                "Sid": "AllowElbLogDeliveryService",
                "Effect": "Allow",
                "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": objects,
            }
        ]
        try:  # regions opened before August 2022 deliver as the regional ELB account
            elb_account = aws.elb.get_service_account(opts=self.lookup_opts()).arn
        except Exception:  # newer regions have no ELB account; the service principal suffices there
            elb_account = None
        if elb_account:
            statements.append(
                {
                    "Sid": "AllowElbAccountLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"AWS": elb_account},
                    "Action": "s3:PutObject",
                    "Resource": objects,
                }
            )
        policy = attach_policy(self, name, "access-logs", private, statements)
        return private.bucket, policy

    def _create_listeners(self, alb: aws.lb.LoadBalancer) -> aws.lb.Listener:
        name, cert = self._name, self._args.certificate_arn
        not_found = aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                content_type="application/json", status_code="404", message_body=not_found_body()
            ),
        )
        if cert is None:
            return aws.lb.Listener(
                f"{name}-http",
                load_balancer_arn=alb.arn,
                port=80,
                protocol="HTTP",
                default_actions=[not_found],
                tags=self._tags(f"{name}-http"),
                opts=self.child_opts(),
            )
        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=alb.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
            ],
            tags=self._tags(f"{name}-http"),
            opts=self.child_opts(),
        )
        return aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=alb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=cert,
            default_actions=[not_found],
            tags=self._tags(f"{name}-https"),
            opts=self.child_opts(),
        )

    def _target_group(self, route: Route, role: str) -> aws.lb.TargetGroup:
        hc = route.health_check
        return aws.lb.TargetGroup(
            f"{self._name}-{role}-tg",
            # The port is part of the name so that a port change (a replacement) can create the new
            # group before deleting the old one.
            name=target_group_name(
                self._name,
                role,
                str(route.port),
                pulumi.get_stack(),
                protocol="HTTP",
                protocol_version="HTTP1",
                target_type="ip",
            ),
            port=route.port,
            protocol="HTTP",
            protocol_version="HTTP1",
            target_type="ip",
            vpc_id=self._args.vpc_id,
            deregistration_delay=route.deregistration_delay,
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
            tags=self._tags(f"{self._name}-{role}"),
            opts=self.child_opts(),
        )

    def _create_route(self, route: Route, priority: int) -> aws.lb.TargetGroup | None:
        self._routes[route.name] = route
        self._priorities[route.name] = priority
        self._allow_egress(route.port)
        if route.rule is RuleMode.EXTERNAL:
            return None  # the owner of the rule (e.g. BlueGreen) brings its own target groups
        group = self._target_group(route, route.name)
        self._target_groups[route.name] = group
        rule = aws.lb.ListenerRule(
            f"{self._name}-{route.name}-rule",
            listener_arn=self.listener.arn,
            priority=priority,
            actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=group.arn)],
            conditions=self.conditions_of(route.name),
            tags=self._tags(f"{self._name}-{route.name}"),
            opts=self.child_opts(),
        )
        # ECS refuses to register a service in a target group that no listener rule uses yet: the
        # ARN handed to services resolves only once the rule exists.
        self.target_group_arns[route.name] = pulumi.Output.all(group.arn, rule.arn).apply(lambda v: str(v[0]))
        return group


def _conditions(route: Route) -> list[aws.lb.ListenerRuleConditionArgs]:
    conditions = []
    if route.host_headers:
        conditions.append(
            aws.lb.ListenerRuleConditionArgs(
                host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=list(route.host_headers))
            )
        )
    if route.path_patterns:
        conditions.append(
            aws.lb.ListenerRuleConditionArgs(
                path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=list(route.path_patterns))
            )
        )
    return conditions


# -- validation --------------------------------------------------------------------------------
def _validate(name: str, args: LoadBalancerArgs) -> list[int]:
    """Check every argument; return each route's priority. Raises `ComponentArgsError`."""

    def fail(argument: str, message: str) -> NoReturn:
        LoadBalancer.fail(name, argument, message)

    if not _COMPONENT_NAME.fullmatch(name):
        fail(
            "name",
            f"{name!r} must be lowercase letters, digits and '-' (it names the ALB and its "
            "log bucket); rename the component, e.g. 'web'.",
        )
    subnets = list(args.subnets)
    if any(not isinstance(s, SubnetRef) for s in subnets):
        fail(
            "subnets",
            "must be SubnetRef values (e.g. Vpc.public_subnets); wrap ids as SubnetRef(az='us-east-1a', id=...).",
        )
    azs = {s.az for s in subnets}
    if len(azs) < 2:
        fail(
            "subnets",
            f"{len(subnets)} subnet(s) in {len(azs)} AZ(s) {sorted(azs)}; an ALB needs at least "
            "2 subnets in distinct AZs: pass Vpc.public_subnets of a VPC with az_count >= 2.",
        )
    if len(azs) != len(subnets):
        fail("subnets", f"two subnets share an AZ ({[s.az for s in subnets]}); an ALB takes one subnet per AZ.")
    if isinstance(args.certificate_arn, str):
        problem = certificate_arn_problem(args.certificate_arn)
        if problem:
            fail("certificate_arn", problem + "; pass an ACM certificate from this region or None.")
    if isinstance(args.ingress_cidrs, str):
        fail("ingress_cidrs", f"{args.ingress_cidrs!r} is a string; pass a list such as ['0.0.0.0/0'].")
    for cidr in args.ingress_cidrs:
        try:
            ipaddress.ip_network(cidr, strict=True)
        except (ValueError, TypeError) as exc:
            fail("ingress_cidrs", f"{cidr!r} is not a CIDR block ({exc}); use e.g. '0.0.0.0/0' or '203.0.113.0/24'.")
    if len(set(args.ingress_cidrs)) != len(list(args.ingress_cidrs)):
        fail("ingress_cidrs", f"{list(args.ingress_cidrs)} lists a block twice; list each once.")
    for pl in args.ingress_prefix_list_ids:
        if isinstance(pl, str) and not _PREFIX_LIST.fullmatch(pl):
            fail(
                "ingress_prefix_list_ids",
                f"{pl!r} is not a prefix list id; use e.g. 'pl-3b927c52' "
                "(aws.ec2.get_managed_prefix_list(name=...).id).",
            )
    if (args.required_header_name is None) != (args.required_header_value is None):
        fail(
            "required_header_name",
            "required_header_name and required_header_value go together; "
            "set both (e.g. 'X-Origin-Verify' and the Cdn's secret) or neither.",
        )
    if args.required_header_name is not None and not re.fullmatch(r"[A-Za-z0-9-]{1,40}", args.required_header_name):
        fail(
            "required_header_name",
            f"{args.required_header_name!r} is not a header name; use letters, "
            "digits and '-', at most 40 characters, e.g. 'X-Origin-Verify'.",
        )
    if not 1 <= args.idle_timeout <= 4000:
        fail("idle_timeout", f"{args.idle_timeout} is outside 1..4000 seconds; the default is 60.")
    if not 1 <= args.access_log_retention_days <= 3650:
        fail("access_log_retention_days", f"{args.access_log_retention_days} is outside 1..3650 days.")
    routes = list(args.routes)
    explicit = {r.priority: f"route {r.name!r}" for r in routes if isinstance(r, Route) and r.priority is not None}
    priorities: list[int] = []
    for i, route in enumerate(routes):
        taken = {p: f"route {routes[j].name!r}" for j, p in enumerate(priorities)}
        if isinstance(route, Route) and route.priority is None:
            taken = {**explicit, **taken}
        priorities.append(
            _validate_route(
                name,
                route,
                f"routes[{i}]",
                i,
                routes[:i],
                taken,
                reserved_values=int(args.required_header_name is not None),
            )
        )
    return priorities


def _validate_route(
    name: str,
    route: Route,
    where: str,
    index: int,
    earlier: list[Route],
    taken: Mapping[int, str],
    reserved_values: int = 0,
) -> int:
    """Check one route against the ones before it; return its priority. ``taken``: priority -> its owner."""

    def fail(argument: str, message: str) -> NoReturn:
        LoadBalancer.fail(name, f"{where}.{argument}", message)

    if not isinstance(route, Route):
        LoadBalancer.fail(name, where, f"{route!r} is not a Route; build it with Route(name=..., ...).")
    if not isinstance(route.name, str) or not _ROUTE_NAME.fullmatch(route.name):
        fail("name", f"{route.name!r} must be 1-32 lowercase letters, digits or '-' (not at the ends), e.g. 'catalog'.")
    if route.name in {r.name for r in earlier}:
        fail("name", f"{route.name!r} is already a route; give each route a unique name.")
    paths, hosts = list(route.path_patterns), list(route.host_headers)
    if isinstance(route.path_patterns, str) or isinstance(route.host_headers, str):
        fail("path_patterns", "path_patterns and host_headers are lists; write ['/api/catalog/*'].")
    if not paths and not hosts:
        fail(
            "path_patterns",
            "a route needs at least one path pattern or host header, e.g. path_patterns=['/api/catalog/*'].",
        )
    for label, values in (("path_patterns", paths), ("host_headers", hosts)):
        if len(values) > MAX_VALUES_PER_CONDITION:
            fail(
                label,
                f"{values} has {len(values)} values; ALB allows {MAX_VALUES_PER_CONDITION} per "
                "condition: split the route in two.",
            )
        if len(set(values)) != len(values):
            fail(label, f"{values} lists a value twice; list each once.")
    if len(paths) + len(hosts) + reserved_values > MAX_VALUES_PER_RULE:
        extra = " + 1 required header" if reserved_values else ""
        fail(
            "path_patterns",
            f"{len(paths)} path patterns + {len(hosts)} host headers{extra} = "
            f"{len(paths) + len(hosts) + reserved_values} condition values; ALB allows "
            f"{MAX_VALUES_PER_RULE} per rule: split the route in two.",
        )
    for p in paths:
        problem = path_pattern_problem(p)
        if problem:
            fail("path_patterns", problem + ".")
    for h in hosts:
        problem = host_header_problem(h)
        if problem:
            fail("host_headers", problem + ".")
    if wildcard_count(paths + hosts) > MAX_WILDCARDS_PER_RULE:
        fail(
            "path_patterns",
            f"{paths + hosts} use {wildcard_count(paths + hosts)} wildcards; ALB allows "
            f"{MAX_WILDCARDS_PER_RULE} per rule.",
        )

    def keys(r_paths: list[str], r_hosts: list[str]) -> set[tuple[frozenset[str], str | None]]:
        return {(frozenset(r_hosts), p) for p in (list[str | None](r_paths) or [None])}

    mine = keys(paths, hosts)
    for other in earlier:
        theirs = keys(list(other.path_patterns), list(other.host_headers))
        clash = mine & theirs
        if clash:
            pattern = next(iter(clash))[1] or sorted(hosts)
            fail(
                "path_patterns",
                f"{pattern!r} is already routed to {other.name!r}; the later rule would "
                "never match: remove it from one of the routes.",
            )
    if not isinstance(route.port, int) or not 1 <= route.port <= 65535:
        fail("port", f"{route.port!r} is outside 1..65535.")
    if not 0 <= route.deregistration_delay <= 3600:
        fail("deregistration_delay", f"{route.deregistration_delay} is outside 0..3600 seconds.")
    if not isinstance(route.rule, RuleMode):
        fail("rule", f"{route.rule!r} is not a RuleMode; use RuleMode.FORWARD or RuleMode.EXTERNAL.")
    hc = route.health_check
    if not hc.path.startswith("/") or len(hc.path) > 1024:
        fail("health_check.path", f"{hc.path!r} must start with '/' and be at most 1024 characters.")
    problem = matcher_problem(hc.matcher)
    if problem:
        fail("health_check.matcher", problem + ".")
    if not 5 <= hc.interval_seconds <= 300:
        fail("health_check.interval_seconds", f"{hc.interval_seconds} is outside 5..300.")
    if not 2 <= hc.timeout_seconds <= 120 or hc.timeout_seconds >= hc.interval_seconds:
        fail(
            "health_check.timeout_seconds",
            f"{hc.timeout_seconds} must be 2..120 and less than the interval ({hc.interval_seconds}).",
        )
    for label, value in (("healthy_threshold", hc.healthy_threshold), ("unhealthy_threshold", hc.unhealthy_threshold)):
        if not 2 <= value <= 10:
            fail(f"health_check.{label}", f"{value} is outside 2..10.")
    priority = route.priority if route.priority is not None else auto_priority(index)
    if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        fail("priority", f"{priority} is outside {MIN_PRIORITY}..{MAX_PRIORITY}; choose another.")
    if priority in taken:
        fail(
            "priority",
            f"{priority} is already used by {taken[priority]}; choose another priority "
            f"(automatic priorities are {AUTO_PRIORITY_BASE} + 10 x position).",
        )
    return priority
