"""Monthly cost of an environment, from its offline plan, a bundled price table and a usage profile.

``estimate(plan)`` prices every resource of a plan document (see `stacks.offline.plan`): each resource type
is either priced (a line with its monthly figure and a human-readable basis such as
``"2 × 730 h × $0.045/h"``), listed as free (`FREE_TYPES`, `FREE_PREFIXES`), or reported as
unpriced with the reason. Nothing is silently zero.

Prices come from ``insight/prices/aws.json`` (one row per key and region, each with its source,
as-of date and whether it was verified); usage (GB served, requests, log GB, …) from
`insight.usage`. Public IPv4 addresses are counted where they arise: every Elastic IP, the
per-AZ addresses of an internet-facing load balancer, and the auto-assigned address of an
instance (a NAT instance) that has no Elastic IP.

For stack policies: ``budget_violation(plan, budget_usd)`` returns a message when the estimate
exceeds the budget, else ``None``.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insight.plan import Plan, as_number, component_class, is_component
from insight.schedule import ScheduleError, awake_fraction
from insight.usage import Usage, load_usage

PRICES_FILE = Path(__file__).resolve().parent / "prices" / "aws.json"
#: A price table older than this many days gets a warning with every estimate.
STALE_AFTER_DAYS = 180

Resource = dict[str, Any]


class MissingPriceError(LookupError):
    """The price table has no row for a key in a region."""


class CostError(ValueError):
    """A cost estimate that cannot be made (e.g. a region without bundled prices)."""


@dataclass(frozen=True)
class PriceRow:
    key: str
    region: str
    price: float
    unit: str
    source: str
    as_of: str
    status: str
    description: str = ""


@dataclass(frozen=True)
class PriceTable:
    """The bundled price rows, keyed by (key, region)."""

    rows: dict[tuple[str, str], PriceRow]

    @property
    def regions(self) -> list[str]:
        return sorted({region for _, region in self.rows})

    def price(self, key: str, region: str) -> float:
        row = self.rows.get((key, region))
        if row is None:
            raise MissingPriceError(f"no price for '{key}' in {region}")
        return row.price

    def as_of(self, region: str) -> str:
        """The date of the region's oldest row (``YYYY-MM`` or ``YYYY-MM-DD``): the table's age there."""
        dates = [row.as_of for (_, r), row in self.rows.items() if r == region]
        return min(dates, key=_as_date) if dates else ""

    def exactness(self, region: str) -> dict[str, int]:
        """The region's rows by status: V verified, U transcribed, D derived (see insight/prices/aws.json)."""
        out: dict[str, int] = {}
        for (_, r), row in self.rows.items():
            if r == region:
                out[row.status] = out.get(row.status, 0) + 1
        return dict(sorted(out.items()))

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> PriceTable:
        rows: dict[tuple[str, str], PriceRow] = {}
        for raw in document["rows"]:
            row = PriceRow(
                key=raw["key"],
                region=raw["region"],
                price=float(raw["price"]),
                unit=raw["unit"],
                source=raw["source"],
                as_of=raw["as_of"],
                status=raw["status"],
                description=raw.get("description", ""),
            )
            rows[(row.key, row.region)] = row
        return cls(rows)


def load_prices(path: Path = PRICES_FILE) -> PriceTable:
    return PriceTable.from_document(json.loads(path.read_text()))


def _as_date(as_of: str) -> datetime.date:
    """``2026-08`` is read as the first of the month (the oldest day it may mean)."""
    parts = [int(p) for p in as_of.split("-")[:3]]
    while len(parts) < 3:
        parts.append(1)
    return datetime.date(parts[0], parts[1], parts[2])


def table_age(as_of: str, today: datetime.date | None = None) -> int:
    """Days from ``as_of`` to ``today`` (default: the current date)."""
    return ((today or datetime.date.today()) - _as_date(as_of)).days


def age_note(report: CostReport, today: datetime.date | None = None) -> str:
    """The line every estimate prints: how old its prices are, how exact, and a warning past 180 days."""
    if not report.prices_as_of:
        return ""
    days = table_age(report.prices_as_of, today)
    exact = ", ".join(f"{n} {s}" for s, n in report.price_status.items())
    line = f"Prices: bundled table, oldest row for {report.region} from {report.prices_as_of} ({days} days old; rows {exact})"
    if days > STALE_AFTER_DAYS:
        line += (
            f"\nwarning: the price table is older than {STALE_AFTER_DAYS} days; refresh it with "
            f"`python -m stacks prices update --region {report.region}` (needs AWS credentials)"
        )
    return line


# -- free types ---------------------------------------------------------------------------------

#: Resource types that cost nothing by themselves (their traffic or storage, if any, is billed on
#: another resource: flow logs on their log group, objects on their bucket, images on the repository).
FREE_TYPES: frozenset[str] = frozenset(
    {
        # network plumbing
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/route:Route",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
        "aws:ec2/defaultRouteTable:DefaultRouteTable",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
        "aws:ec2/networkAcl:NetworkAcl",
        "aws:ec2/networkAclRule:NetworkAclRule",
        "aws:ec2/networkAclAssociation:NetworkAclAssociation",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation",
        "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation",
        "aws:ec2/vpcDhcpOptions:VpcDhcpOptions",
        "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation",
        "aws:ec2/eipAssociation:EipAssociation",
        "aws:ec2/networkInterface:NetworkInterface",
        "aws:ec2/networkInterfaceAttachment:NetworkInterfaceAttachment",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:ec2/keyPair:KeyPair",
        "aws:ec2/flowLog:FlowLog",
        # load balancing (billed on the load balancer)
        "aws:lb/targetGroup:TargetGroup",
        "aws:lb/listener:Listener",
        "aws:lb/listenerRule:ListenerRule",
        "aws:lb/listenerCertificate:ListenerCertificate",
        "aws:lb/targetGroupAttachment:TargetGroupAttachment",
        "aws:acm/certificate:Certificate",
        "aws:acm/certificateValidation:CertificateValidation",
        "aws:route53/record:Record",
        # compute plumbing (Fargate is billed on the service)
        "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
        "aws:ecs/taskDefinition:TaskDefinition",
        "aws:appautoscaling/target:Target",
        "aws:appautoscaling/policy:Policy",
        "aws:appautoscaling/scheduledAction:ScheduledAction",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:ecr/repositoryPolicy:RepositoryPolicy",
        # data plumbing
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:rds/parameterGroup:ParameterGroup",
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "aws:rds/optionGroup:OptionGroup",
        "aws:elasticache/subnetGroup:SubnetGroup",
        "aws:elasticache/parameterGroup:ParameterGroup",
        "aws:elasticache/user:User",
        "aws:elasticache/userGroup:UserGroup",
        "aws:elasticache/userGroupAssociation:UserGroupAssociation",
        # edge plumbing (billed on the distribution / web ACL)
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "aws:cloudfront/originAccessIdentity:OriginAccessIdentity",
        "aws:cloudfront/cachePolicy:CachePolicy",
        "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
        "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
        "aws:cloudfront/publicKey:PublicKey",
        "aws:cloudfront/keyGroup:KeyGroup",
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        "aws:wafv2/ipSet:IpSet",
        "aws:wafv2/regexPatternSet:RegexPatternSet",
        # storage plumbing (billed on the bucket)
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketVersioningV2:BucketVersioningV2",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
        "aws:s3/bucketLogging:BucketLogging",
        "aws:s3/bucketLoggingV2:BucketLoggingV2",
        "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
        "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",
        "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
        "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",
        "aws:s3/bucketNotification:BucketNotification",
        "aws:s3/bucketAcl:BucketAcl",
        "aws:s3/bucketAclV2:BucketAclV2",
        "aws:s3/bucketObject:BucketObject",
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
        # observability and secrets plumbing
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:secretsmanager/secretRotation:SecretRotation",
        "aws:kms/alias:Alias",
        "aws:kms/keyPolicy:KeyPolicy",
        "aws:kms/grant:Grant",
    }
)

#: Type-token prefixes that are free: Pulumi providers, IAM, and local-only providers (components are
#: free too: nothing is created for them, see `insight.plan.is_component`).
FREE_PREFIXES: tuple[str, ...] = (
    "pulumi:providers:",
    "aws:iam/",
    "random:",
    "tls:",
    "docker:",
    "docker-build:",
    "command:",
)

FREE_NOTES = {
    "aws:ec2/flowLog:FlowLog": "billed as log ingestion on its log group",
    "aws:sns/topic:Topic": "the first million publishes a month are free",
}


def is_free(type_token: str) -> bool:
    return type_token in FREE_TYPES or type_token.startswith(FREE_PREFIXES)


# -- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineItem:
    urn: str
    type: str
    name: str
    monthly: float
    basis: str


@dataclass(frozen=True)
class CostReport:
    env: str
    region: str
    items: list[LineItem]
    free: list[Resource]
    unpriced: list[Resource]
    usage_source: str = ""
    prices_as_of: str = ""
    price_status: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(sum(round(item.monthly, 2) for item in self.items), 2)

    def to_document(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "region": self.region,
            "currency": "USD",
            "prices_as_of": self.prices_as_of,
            "total": self.total,
            "resources": [
                {"urn": i.urn, "type": i.type, "monthly": round(i.monthly, 2), "basis": i.basis} for i in self.items
            ],
            "free": self.free,
            "unpriced": self.unpriced,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_document(), indent=2) + "\n"

    def by_component(self, plan: Plan) -> dict[str, float]:
        """Monthly cost per top-level-most component class (or resource type when unparented)."""
        index = plan.by_urn()
        totals: dict[str, float] = {}
        for item in self.items:
            totals[_component_label(index, item.urn)] = (
                totals.get(_component_label(index, item.urn), 0.0) + item.monthly
            )
        return {k: round(v, 2) for k, v in sorted(totals.items())}


def _component_label(index: Mapping[str, Resource], urn: str) -> str:
    """The nearest enclosing component that is not the whole environment, as ``Class 'name'``.

    The whole environment is a root component composed of other components (the platform); a
    resource it owns directly is labelled by its own type."""
    parent = index[urn]["parent"]
    while parent is not None and parent in index:
        res = index[parent]
        if is_component(res) and not _is_composition_root(index, res):
            return f"{component_class(res)} '{res['name']}'"
        parent = res["parent"]
    return index[urn]["type"].rsplit(":", 1)[-1]


def _is_composition_root(index: Mapping[str, Resource], component: Resource) -> bool:
    if component.get("parent") in index:
        return False
    return any(r.get("parent") == component["urn"] and is_component(r) for r in index.values())


# -- formatting helpers -------------------------------------------------------------------------


def _n(value: float) -> str:
    """A quantity without noise: 730, 0.5, 0.03238, 1,000,000."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def _usd(value: float) -> str:
    return f"${_n(value)}"


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _num(value: Any, default: float = 0.0) -> float:
    """A wire number (numbers arrive as floats, some as strings like "256"); unknown -> default."""
    number = as_number(value)
    return default if number is None else number


def _truthy(value: Any) -> bool:
    return value is True or value == "true"


# -- pricing context ----------------------------------------------------------------------------


@dataclass
class Context:
    plan: Plan
    region: str
    prices: PriceTable
    usage: Usage
    index: dict[str, Resource] = field(default_factory=dict)
    dependents: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = self.plan.by_urn()
        for res in self.plan.resources:
            for dep in res["dependencies"]:
                self.dependents.setdefault(dep, []).append(res["urn"])

    @property
    def hours(self) -> float:
        return self.usage.hours_per_month

    def p(self, key: str) -> float:
        return self.prices.price(key, self.region)

    def u(self, key: str, res: Resource) -> float:
        return self.usage.get(key, res["name"])

    def deps(self, res: Resource, type_token: str) -> list[Resource]:
        return [self.index[d] for d in res["dependencies"] if d in self.index and self.index[d]["type"] == type_token]

    def dependents_of(self, res: Resource, type_token: str) -> list[Resource]:
        return [self.index[d] for d in self.dependents.get(res["urn"], []) if self.index[d]["type"] == type_token]


@dataclass
class Parts:
    """Summands of one resource's monthly cost, each with its basis."""

    parts: list[tuple[float, str]] = field(default_factory=list)

    def add(self, amount: float, basis: str) -> None:
        self.parts.append((amount, basis))

    @property
    def total(self) -> float:
        return sum(a for a, _ in self.parts)

    @property
    def basis(self) -> str:
        return " + ".join(b for _, b in self.parts)


Pricer = Callable[[Resource, Context], Parts]
PRICERS: dict[str, Pricer] = {}


def pricer(*types: str) -> Callable[[Pricer], Pricer]:
    def register(fn: Pricer) -> Pricer:
        for t in types:
            PRICERS[t] = fn
        return fn

    return register


def _hourly(parts: Parts, ctx: Context, count: float, key: str, what: str) -> None:
    price = ctx.p(key)
    parts.add(count * ctx.hours * price, f"{_n(count)} {what} × {_n(ctx.hours)} h × {_usd(price)}/h")


def _public_ipv4(parts: Parts, ctx: Context, count: float, what: str = "public IPv4") -> None:
    if count:
        _hourly(parts, ctx, count, "ec2.public_ipv4.hour", what)


# -- network ------------------------------------------------------------------------------------


@pricer("aws:ec2/natGateway:NatGateway")
def _nat_gateway(res: Resource, ctx: Context) -> Parts:
    parts = Parts()
    _hourly(parts, ctx, 1, "ec2.nat_gateway.hour", "NAT gateway")
    gb = ctx.u("nat_gb_processed", res)
    price = ctx.p("ec2.nat_gateway.gb")
    parts.add(gb * price, f"{_n(gb)} GB × {_usd(price)}/GB processed")
    return parts


@pricer("aws:ec2/eip:Eip")
def _eip(res: Resource, ctx: Context) -> Parts:
    parts = Parts()
    _public_ipv4(parts, ctx, 1, "Elastic IP (public IPv4)")
    return parts


def _instance_public_ipv4(res: Resource, ctx: Context) -> int:
    """1 when the instance gets an auto-assigned public IPv4 that no Elastic IP replaces."""
    replaced = [
        e for t in ("aws:ec2/eip:Eip", "aws:ec2/eipAssociation:EipAssociation") for e in ctx.dependents_of(res, t)
    ]
    if replaced:
        return 0
    flag = res["inputs"].get("associatePublicIpAddress")
    if flag is None:
        subnets = ctx.deps(res, "aws:ec2/subnet:Subnet")
        return int(any(_truthy(s["inputs"].get("mapPublicIpOnLaunch")) for s in subnets))
    return int(_truthy(flag))


@pricer("aws:ec2/instance:Instance")
def _instance(res: Resource, ctx: Context) -> Parts:
    inputs = res["inputs"]
    itype = str(inputs.get("instanceType", ""))
    parts = Parts()
    _hourly(parts, ctx, 1, f"ec2.instance.hour:{itype}", itype)
    root = inputs.get("rootBlockDevice") or {}
    size = _num(root.get("volumeSize"), 8.0) if isinstance(root, dict) else 8.0
    price = ctx.p("ec2.ebs.gp3.gb_month")
    parts.add(size * price, f"{_n(size)} GB gp3 root × {_usd(price)}/GB-mo")
    _public_ipv4(parts, ctx, _instance_public_ipv4(res, ctx))
    return parts


@pricer("aws:ec2/vpcEndpoint:VpcEndpoint")
def _vpc_endpoint(res: Resource, ctx: Context) -> Parts:
    inputs = res["inputs"]
    kind = str(inputs.get("vpcEndpointType", "Gateway"))
    parts = Parts()
    if kind == "Gateway":
        parts.add(0.0, "gateway endpoint: free")
        return parts
    if kind != "Interface":
        raise MissingPriceError(f"{kind} endpoints are not in the price table")
    azs = max(len(inputs.get("subnetIds") or []), len(inputs.get("subnetConfigurations") or []), 1)
    _hourly(parts, ctx, azs, "vpc.interface_endpoint.az_hour", "AZ")
    gb = ctx.u("endpoint_gb_processed", res)
    price = ctx.p("vpc.interface_endpoint.gb")
    parts.add(gb * price, f"{_n(gb)} GB × {_usd(price)}/GB")
    return parts


@pricer("aws:lb/loadBalancer:LoadBalancer")
def _load_balancer(res: Resource, ctx: Context) -> Parts:
    inputs = res["inputs"]
    kind = str(inputs.get("loadBalancerType", "application"))
    parts = Parts()
    if kind == "application":
        _hourly(parts, ctx, 1, "elb.alb.hour", "ALB")
        lcu, key, unit = ctx.u("alb_lcu", res), "elb.alb.lcu_hour", "LCU"
    elif kind == "network":
        _hourly(parts, ctx, 1, "elb.nlb.hour", "NLB")
        lcu, key, unit = ctx.u("nlb_nlcu", res), "elb.nlb.nlcu_hour", "NLCU"
    else:
        raise MissingPriceError(f"'{kind}' load balancers are not in the price table")
    price = ctx.p(key)
    parts.add(lcu * ctx.hours * price, f"{_n(lcu)} {unit} × {_n(ctx.hours)} h × {_usd(price)}/{unit}-h")
    internet_facing = not _truthy(inputs.get("internal"))
    no_ipv4 = inputs.get("ipAddressType") == "dualstack-without-public-ipv4"
    if internet_facing and not no_ipv4:
        azs = max(len(inputs.get("subnets") or []), len(inputs.get("subnetMappings") or []))
        if kind == "network":  # an internet-facing NLB's addresses are its subnet mappings' EIPs (priced there)
            azs = 0
        _public_ipv4(parts, ctx, azs, "public IPv4 (one per AZ)")
    return parts


# -- compute ------------------------------------------------------------------------------------


def _spot_share(strategies: list[dict[str, Any]], tasks: float) -> tuple[float, float]:
    """(on-demand tasks, Spot tasks) for ``tasks`` under a capacity-provider strategy.

    ``base`` tasks go first to the provider that sets it; the rest split by ``weight``.
    """
    on_demand = spot = 0.0
    remaining = tasks
    for s in strategies:
        base = min(_num(s.get("base")), remaining)
        if base:
            if s.get("capacityProvider") == "FARGATE_SPOT":
                spot += base
            else:
                on_demand += base
            remaining -= base
    weights = [(s.get("capacityProvider"), _num(s.get("weight"))) for s in strategies]
    total_weight = sum(w for _, w in weights)
    if remaining > 0:
        if total_weight <= 0:
            on_demand += remaining
        else:
            spot_w = sum(w for p, w in weights if p == "FARGATE_SPOT")
            spot += remaining * spot_w / total_weight
            on_demand += remaining * (total_weight - spot_w) / total_weight
    return on_demand, spot


def _awake_hours(res: Resource, ctx: Context) -> tuple[float, str]:
    """Hours a month the service's tasks run, and a note for the basis when a schedule puts it to sleep.

    The schedule is the pair of scheduled actions on the service's scalable target: one whose action
    sets max capacity 0 (sleep), the others (wake). An unreadable schedule prices the service always on.
    """
    wakes: list[str] = []
    sleeps: list[str] = []
    for target in ctx.dependents_of(res, "aws:appautoscaling/target:Target"):
        for action in ctx.dependents_of(target, "aws:appautoscaling/scheduledAction:ScheduledAction"):
            inputs = action["inputs"]
            schedule, limits = inputs.get("schedule"), inputs.get("scalableTargetAction") or {}
            if not isinstance(schedule, str) or not isinstance(limits, dict):
                continue
            (sleeps if _num(limits.get("maxCapacity"), 1.0) == 0 else wakes).append(schedule)
    if not sleeps:
        return ctx.hours, ""
    try:
        fraction = awake_fraction(wakes, sleeps)
    except ScheduleError:
        return ctx.hours, " (schedule not read: priced always on)"
    return ctx.hours * fraction, f" awake ({_n(round(fraction * 168, 2))} of 168 h a week)"


@pricer("aws:ecs/service:Service")
def _ecs_service(res: Resource, ctx: Context) -> Parts:
    inputs = res["inputs"]
    if inputs.get("launchType") == "EC2":
        raise MissingPriceError("EC2-backed ECS services are priced on their instances; none are in the plan")
    tds = ctx.deps(res, "aws:ecs/taskDefinition:TaskDefinition")
    if len(tds) != 1:
        raise MissingPriceError(f"cannot tell the service's task definition ({len(tds)} among its dependencies)")
    td = tds[0]["inputs"]
    vcpu = _num(td.get("cpu"), math.nan) / 1024
    gb = _num(td.get("memory"), math.nan) / 1024
    if math.isnan(vcpu) or math.isnan(gb):
        raise MissingPriceError("the task definition has no task-level cpu and memory")
    platform = td.get("runtimePlatform") or {}
    arch = "arm" if isinstance(platform, dict) and platform.get("cpuArchitecture") == "ARM64" else "x86"
    tasks = _num(inputs.get("desiredCount"), 1.0)
    strategies = inputs.get("capacityProviderStrategies") or []
    on_demand, spot = _spot_share(strategies, tasks) if strategies else (tasks, 0.0)
    hours, asleep = _awake_hours(res, ctx)
    p_cpu, p_mem = ctx.p(f"fargate.{arch}.vcpu_hour"), ctx.p(f"fargate.{arch}.gb_hour")
    per_task_hour = vcpu * p_cpu + gb * p_mem
    label = "ARM64" if arch == "arm" else "X86_64"
    size = f"({_n(vcpu)} vCPU × {_usd(p_cpu)} + {_n(gb)} GB × {_usd(p_mem)})/h {label}"
    parts = Parts()
    if on_demand:
        parts.add(
            on_demand * hours * per_task_hour, f"{_n(on_demand)} tasks × {_n(round(hours, 2))} h{asleep} × {size}"
        )
    if spot:
        discount = ctx.usage.spot_discount
        parts.add(
            spot * hours * per_task_hour * (1 - discount),
            f"{_n(spot)} Spot tasks × {_n(round(hours, 2))} h{asleep} × {size} × {_n(1 - discount)} (Spot {_n(discount * 100)}% off)",
        )
    if not tasks:
        parts.add(0.0, "0 tasks")
    eph = td.get("ephemeralStorage") or {}
    extra = max(_num(eph.get("sizeInGib"), 20.0) - 20, 0) if isinstance(eph, dict) else 0
    if extra and tasks:
        price = ctx.p("fargate.ephemeral.gb_hour")
        parts.add(
            tasks * extra * ctx.hours * price,
            f"{_n(tasks)} tasks × {_n(extra)} GB ephemeral × {_n(ctx.hours)} h × {_usd(price)}",
        )
    if inputs.get("networkConfiguration", {}).get("assignPublicIp") is True:
        _public_ipv4(parts, ctx, tasks, "task public IPv4")
    return parts


@pricer("aws:ecs/cluster:Cluster")
def _ecs_cluster(res: Resource, ctx: Context) -> Parts:
    settings = res["inputs"].get("settings") or []
    insights = any(
        s.get("name") == "containerInsights" and s.get("value") in ("enabled", "enhanced")
        for s in settings
        if isinstance(s, dict)
    )
    parts = Parts()
    if not insights:
        parts.add(0.0, "cluster: free (Container Insights off)")
        return parts
    services = ctx.dependents_of(res, "aws:ecs/service:Service")
    metrics = ctx.u("container_insights_metrics_per_cluster", res) + len(services) * ctx.u(
        "container_insights_metrics_per_service", res
    )
    price = ctx.p("cloudwatch.metric.month")
    parts.add(
        metrics * price,
        f"Container Insights ≈ {_n(metrics)} metrics ({len(services)} services) × {_usd(price)}/metric-mo",
    )
    return parts


# -- data ---------------------------------------------------------------------------------------


@pricer("aws:rds/instance:Instance")
def _rds_instance(res: Resource, ctx: Context) -> Parts:
    inputs = res["inputs"]
    engine = str(inputs.get("engine", "postgres"))
    if engine != "postgres":
        raise MissingPriceError(f"engine '{engine}' is not in the price table (postgres is)")
    cls = str(inputs.get("instanceClass", ""))
    multi = _truthy(inputs.get("multiAz"))
    az = "multi_az" if multi else "single_az"
    parts = Parts()
    _hourly(parts, ctx, 1, f"rds.postgres.{az}.hour:{cls}", f"{cls} {'Multi-AZ' if multi else 'Single-AZ'}")
    storage = _num(inputs.get("allocatedStorage"), 20.0)
    stype = str(inputs.get("storageType", "gp2"))
    price = ctx.p(f"rds.storage.{stype}.{az}.gb_month")
    parts.add(storage * price, f"{_n(storage)} GB {stype} × {_usd(price)}/GB-mo")
    retention = _num(inputs.get("backupRetentionPeriod"), 7.0)
    backup = ctx.u("rds_db_gb_used", res) + retention * ctx.u("rds_backup_daily_change_gb", res)
    billed = max(backup - storage, 0.0)
    price = ctx.p("rds.backup.gb_month")
    parts.add(
        billed * price,
        f"backups ≈ {_n(round(backup, 2))} GB ({_n(retention)} days), {_n(storage)} GB free → {_n(round(billed, 2))} GB × {_usd(price)}",
    )
    if _truthy(inputs.get("manageMasterUserPassword")):
        price = ctx.p("secretsmanager.secret.month")
        parts.add(price, f"RDS-managed master secret {_usd(price)}/mo")
    return parts


def _engine(inputs: Mapping[str, Any]) -> str:
    engine = str(inputs.get("engine", "redis")).lower()
    if engine not in ("redis", "valkey"):
        raise MissingPriceError(f"engine '{engine}' is not in the price table (redis, valkey are)")
    return engine


@pricer("aws:elasticache/replicationGroup:ReplicationGroup")
def _replication_group(res: Resource, ctx: Context) -> Parts:
    inputs = res["inputs"]
    engine = _engine(inputs)
    node = str(inputs.get("nodeType", ""))
    if inputs.get("numCacheClusters") is not None:
        nodes = _num(inputs.get("numCacheClusters"), 1.0)
    elif inputs.get("numNodeGroups") is not None:
        nodes = _num(inputs.get("numNodeGroups"), 1.0) * (_num(inputs.get("replicasPerNodeGroup"), 0.0) + 1)
    else:
        nodes = 1.0
    parts = Parts()
    _hourly(parts, ctx, nodes, f"elasticache.node.hour:{engine}:{node}", f"{engine} {node} node(s)")
    return parts


@pricer("aws:elasticache/cluster:Cluster")
def _cache_cluster(res: Resource, ctx: Context) -> Parts:
    inputs = res["inputs"]
    parts = Parts()
    if inputs.get("replicationGroupId") not in (None, ""):
        parts.add(0.0, "member of a replication group (priced there)")
        return parts
    engine = _engine(inputs)
    nodes = _num(inputs.get("numCacheNodes"), 1.0)
    _hourly(parts, ctx, nodes, f"elasticache.node.hour:{engine}:{inputs.get('nodeType', '')}", f"{engine} node(s)")
    return parts


@pricer("aws:elasticache/serverlessCache:ServerlessCache")
def _serverless_cache(res: Resource, ctx: Context) -> Parts:
    engine = _engine(res["inputs"])
    minimum = 0.1 if engine == "valkey" else 1.0
    gb = max(ctx.u("cache_serverless_gb", res), minimum)
    parts = Parts()
    price = ctx.p(f"elasticache.serverless.{engine}.gb_hour")
    parts.add(gb * ctx.hours * price, f"{_n(gb)} GB (min {_n(minimum)}) × {_n(ctx.hours)} h × {_usd(price)}/GB-h")
    ecpu = ctx.u("cache_serverless_ecpu_millions", res)
    price = ctx.p(f"elasticache.serverless.{engine}.ecpu_million")
    parts.add(ecpu * price, f"{_n(ecpu)}M ECPU × {_usd(price)}/M")
    return parts


# -- edge ---------------------------------------------------------------------------------------


@pricer("aws:cloudfront/distribution:Distribution")
def _distribution(res: Resource, ctx: Context) -> Parts:
    gb = ctx.u("cdn_gb_out", res)
    requests = ctx.u("cdn_requests", res)
    note = ""
    if ctx.usage.apply_free_tiers:
        gb, requests, note = max(gb - 1024, 0.0), max(requests - 10_000_000, 0.0), " after the always-free tier"
    parts = Parts()
    price = ctx.p("cloudfront.gb_out")
    parts.add(gb * price, f"{_n(gb)} GB out{note} × {_usd(price)}/GB")
    price = ctx.p("cloudfront.https.10k")
    parts.add(requests / 10_000 * price, f"{_n(requests)} HTTPS requests{note} × {_usd(price)}/10k")
    return parts


@pricer("aws:cloudfront/function:Function")
def _cf_function(res: Resource, ctx: Context) -> Parts:
    n = ctx.u("cdn_function_invocations", res)
    price = ctx.p("cloudfront.function.million")
    parts = Parts()
    parts.add(n / 1e6 * price, f"{_n(n)} invocations × {_usd(price)}/M")
    return parts


@pricer("aws:wafv2/webAcl:WebAcl")
def _web_acl(res: Resource, ctx: Context) -> Parts:
    rules = res["inputs"].get("rules") or []
    parts = Parts()
    price = ctx.p("waf.web_acl.month")
    parts.add(price, f"web ACL {_usd(price)}/mo")
    price = ctx.p("waf.rule.month")
    parts.add(len(rules) * price, f"{len(rules)} rules × {_usd(price)}/mo")
    requests = ctx.u("waf_requests", res)
    price = ctx.p("waf.requests.million")
    parts.add(requests / 1e6 * price, f"{_n(requests)} requests × {_usd(price)}/M")
    text = json.dumps(rules)
    if "AWSManagedRulesBotControlRuleSet" in text:
        price = ctx.p("waf.bot_control.month")
        parts.add(price, f"Bot Control {_usd(price)}/mo")
        price = ctx.p("waf.bot_control.requests.million")
        parts.add(requests / 1e6 * price, f"Bot Control {_n(requests)} requests × {_usd(price)}/M")
    for paid in ("AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet"):
        if paid in text:
            raise MissingPriceError(f"managed rule group {paid} has a per-request fee not in the price table")
    return parts


@pricer("aws:route53/zone:Zone", "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
def _hosted_zone(res: Resource, ctx: Context) -> Parts:
    price = ctx.p("route53.hosted_zone.month")
    parts = Parts()
    parts.add(price, f"hosted zone {_usd(price)}/mo")
    return parts


# -- storage, logs, secrets ---------------------------------------------------------------------


@pricer("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def _bucket(res: Resource, ctx: Context) -> Parts:
    gb, puts, gets = ctx.u("s3_gb_stored", res), ctx.u("s3_put_requests", res), ctx.u("s3_get_requests", res)
    parts = Parts()
    price = ctx.p("s3.standard.gb_month")
    parts.add(gb * price, f"{_n(gb)} GB × {_usd(price)}/GB-mo")
    price = ctx.p("s3.put.1k")
    parts.add(puts / 1000 * price, f"{_n(puts)} PUT × {_usd(price)}/1k")
    price = ctx.p("s3.get.1k")
    parts.add(gets / 1000 * price, f"{_n(gets)} GET × {_usd(price)}/1k")
    return parts


@pricer("aws:cloudwatch/logGroup:LogGroup")
def _log_group(res: Resource, ctx: Context) -> Parts:
    gb = ctx.u("log_gb_ingested", res)
    retention = _num(res["inputs"].get("retentionInDays"), 0.0)
    months = retention / 30 if retention else ctx.u("log_storage_months_if_never_expire", res)
    stored = gb * months
    parts = Parts()
    price = ctx.p("logs.ingest.gb")
    parts.add(gb * price, f"{_n(gb)} GB ingested × {_usd(price)}/GB")
    price = ctx.p("logs.storage.gb_month")
    kept = f"{_n(retention)} days" if retention else "never expire"
    parts.add(stored * price, f"{_n(round(stored, 3))} GB stored ({kept}) × {_usd(price)}/GB-mo")
    return parts


@pricer("aws:cloudwatch/metricAlarm:MetricAlarm")
def _alarm(res: Resource, ctx: Context) -> Parts:
    inputs = res["inputs"]
    queries = inputs.get("metricQueries") or []
    metrics = sum(1 for q in queries if isinstance(q, dict) and q.get("metric")) or 1
    period = min(
        [_num(inputs.get("period"), 60.0)]
        + [
            _num(q["metric"].get("period"), 60.0)
            for q in queries
            if isinstance(q, dict) and isinstance(q.get("metric"), dict)
        ]
    )
    key, what = (
        ("cloudwatch.alarm.high_resolution.month", "high-res")
        if period < 60
        else ("cloudwatch.alarm.standard.month", "standard")
    )
    price = ctx.p(key)
    parts = Parts()
    parts.add(metrics * price, f"{metrics} {what} alarm metric(s) × {_usd(price)}/mo")
    return parts


@pricer("aws:cloudwatch/compositeAlarm:CompositeAlarm")
def _composite_alarm(res: Resource, ctx: Context) -> Parts:
    price = ctx.p("cloudwatch.alarm.composite.month")
    parts = Parts()
    parts.add(price, f"composite alarm {_usd(price)}/mo")
    return parts


@pricer("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(res: Resource, ctx: Context) -> Parts:
    price = ctx.p("cloudwatch.dashboard.month")
    parts = Parts()
    parts.add(price, f"dashboard {_usd(price)}/mo")
    return parts


@pricer("aws:secretsmanager/secret:Secret")
def _secret(res: Resource, ctx: Context) -> Parts:
    calls = ctx.u("secret_api_calls", res)
    parts = Parts()
    price = ctx.p("secretsmanager.secret.month")
    parts.add(price, f"1 secret × {_usd(price)}/mo")
    price = ctx.p("secretsmanager.api.10k")
    parts.add(calls / 10_000 * price, f"{_n(calls)} API calls × {_usd(price)}/10k")
    return parts


@pricer("aws:ssm/parameter:Parameter")
def _parameter(res: Resource, ctx: Context) -> Parts:
    parts = Parts()
    if res["inputs"].get("tier") == "Advanced":
        price = ctx.p("ssm.parameter.advanced.month")
        parts.add(price, f"advanced parameter {_usd(price)}/mo")
    else:
        parts.add(0.0, "standard parameter: free")
    return parts


@pricer("aws:ecr/repository:Repository")
def _ecr(res: Resource, ctx: Context) -> Parts:
    gb = ctx.u("ecr_gb_stored", res)
    price = ctx.p("ecr.gb_month")
    parts = Parts()
    parts.add(gb * price, f"{_n(gb)} GB × {_usd(price)}/GB-mo")
    return parts


@pricer("aws:kms/key:Key")
def _kms_key(res: Resource, ctx: Context) -> Parts:
    requests = ctx.u("kms_requests", res)
    parts = Parts()
    price = ctx.p("kms.key.month")
    parts.add(price, f"1 key × {_usd(price)}/mo")
    price = ctx.p("kms.requests.10k")
    parts.add(requests / 10_000 * price, f"{_n(requests)} requests × {_usd(price)}/10k")
    return parts


# -- estimating ---------------------------------------------------------------------------------


def plan_region(plan: Plan, default: str = "us-east-1") -> str:
    """The stack's region: the default AWS provider's (named ``aws``), else the only one, else ``default``."""
    providers = plan.of_type("pulumi:providers:aws")
    named = [p for p in providers if p["name"] == "aws"] or providers
    for provider in named:
        region = provider["inputs"].get("region")
        if isinstance(region, str) and region != "[unknown]":
            return region
    return default


def estimate(
    plan: Plan,
    *,
    usage: Usage | None = None,
    prices: PriceTable | None = None,
    region: str | None = None,
) -> CostReport:
    """Price every resource of ``plan`` (see the module docstring)."""
    prices = prices or load_prices()
    usage = usage or load_usage()
    region = region or plan_region(plan)
    if region not in prices.regions:
        raise CostError(f"no bundled prices for region {region}; bundled regions: {', '.join(prices.regions)}")
    ctx = Context(plan=plan, region=region, prices=prices, usage=usage)
    items: list[LineItem] = []
    free: list[Resource] = []
    unpriced: list[Resource] = []
    for res in plan.resources:
        urn, typ = res["urn"], res["type"]
        fn = PRICERS.get(typ)
        if fn is None:
            if is_component(res) or is_free(typ):
                free.append({"urn": urn, "type": typ})
            else:
                unpriced.append({"urn": urn, "type": typ, "reason": "type not in the price table or the free list"})
            continue
        try:
            parts = fn(res, ctx)
        except MissingPriceError as exc:
            unpriced.append({"urn": urn, "type": typ, "reason": str(exc)})
            continue
        items.append(LineItem(urn=urn, type=typ, name=res["name"], monthly=parts.total, basis=parts.basis))
    return CostReport(
        env=plan.stack,
        region=region,
        items=items,
        free=free,
        unpriced=unpriced,
        usage_source=usage.source,
        prices_as_of=prices.as_of(region),
        price_status=prices.exactness(region),
    )


def budget_violation(plan: Plan, budget_usd: float, *, usage: Usage | None = None) -> str | None:
    """A message when ``plan``'s estimated monthly cost exceeds ``budget_usd``, else ``None``.

    Unpriced resources also violate a budget (the estimate would be a lower bound).
    """
    report = estimate(plan, usage=usage)
    if report.unpriced:
        types = sorted({u["type"] for u in report.unpriced})
        return (
            f"stack '{report.env}': cannot check the budget of ${budget_usd:,.2f}/month: "
            f"{len(report.unpriced)} resource(s) have no price ({', '.join(types)}); "
            "add them to insight/prices/aws.json or the free list in insight/cost.py"
        )
    if report.total > budget_usd:
        top = sorted(report.items, key=lambda i: -i.monthly)[:3]
        biggest = ", ".join(f"{i.name} {_money(i.monthly)}" for i in top)
        return (
            f"stack '{report.env}': estimated {_money(report.total)}/month exceeds the budget of "
            f"{_money(budget_usd)}/month by {_money(report.total - budget_usd)}; biggest: {biggest}"
        )
    return None


# -- rendering ----------------------------------------------------------------------------------


def render_text(report: CostReport, today: datetime.date | None = None) -> str:
    rows = sorted(report.items, key=lambda i: (-round(i.monthly, 2), i.urn))
    type_w = max((len(_short_type(i.type)) for i in rows), default=4)
    name_w = max((len(i.name) for i in rows), default=4)
    lines = [f"Monthly cost of {report.env} ({report.region}, USD, usage: {report.usage_source})", ""]
    lines.append(f"  {'Monthly':>10}  {'Type':<{type_w}}  {'Name':<{name_w}}  Basis")
    for i in rows:
        lines.append(f"  {_money(i.monthly):>10}  {_short_type(i.type):<{type_w}}  {i.name:<{name_w}}  {i.basis}")
    lines += [
        "",
        f"  {_money(report.total):>10}  total per month ({len(rows)} priced, {len(report.free)} free, {len(report.unpriced)} unpriced)",
    ]
    if report.unpriced:
        lines += ["", "Unpriced (the total is a lower bound):"]
        lines += [f"  {u['type']}  {u['urn'].rsplit('::', 1)[-1]}: {u['reason']}" for u in report.unpriced]
    note = age_note(report, today)
    if note:
        lines += ["", note]
    return "\n".join(lines)


def _short_type(type_token: str) -> str:
    """``aws:ec2/natGateway:NatGateway`` -> ``ec2:NatGateway``."""
    parts = type_token.split(":")
    if len(parts) == 3:
        return f"{parts[1].split('/')[0]}:{parts[2]}"
    return type_token


#: Rows of the side-by-side comparison: a label and the resource types it sums.
COMPARE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("NAT gateways and instances", ("aws:ec2/natGateway:NatGateway", "aws:ec2/instance:Instance")),
    ("Elastic IPs", ("aws:ec2/eip:Eip",)),
    ("VPC interface endpoints", ("aws:ec2/vpcEndpoint:VpcEndpoint",)),
    ("Load balancer", ("aws:lb/loadBalancer:LoadBalancer",)),
    ("Fargate tasks", ("aws:ecs/service:Service", "aws:ecs/cluster:Cluster")),
    ("Postgres (RDS)", ("aws:rds/instance:Instance",)),
    (
        "Cache (ElastiCache)",
        (
            "aws:elasticache/replicationGroup:ReplicationGroup",
            "aws:elasticache/cluster:Cluster",
            "aws:elasticache/serverlessCache:ServerlessCache",
        ),
    ),
    ("CloudFront", ("aws:cloudfront/distribution:Distribution", "aws:cloudfront/function:Function")),
    ("WAF", ("aws:wafv2/webAcl:WebAcl",)),
    ("S3", ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")),
    (
        "CloudWatch logs and alarms",
        (
            "aws:cloudwatch/logGroup:LogGroup",
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "aws:cloudwatch/compositeAlarm:CompositeAlarm",
            "aws:cloudwatch/dashboard:Dashboard",
        ),
    ),
    (
        "Secrets, keys, registry",
        (
            "aws:secretsmanager/secret:Secret",
            "aws:kms/key:Key",
            "aws:ecr/repository:Repository",
            "aws:ssm/parameter:Parameter",
        ),
    ),
)


def compare_rows(reports: Iterable[CostReport], by: str = "env") -> tuple[list[str], list[tuple[str, list[float]]]]:
    """(column names, [(group label, monthly per column)]) including an "Other" row and the "Total" row.

    The columns are the reports' environments (``by="env"``) or regions (``by="region"``)."""
    reports = list(reports)
    grouped = {t for _, types in COMPARE_GROUPS for t in types}
    rows: list[tuple[str, list[float]]] = []
    for label, types in COMPARE_GROUPS:
        values = [round(sum(round(i.monthly, 2) for i in r.items if i.type in types), 2) for r in reports]
        if any(values):
            rows.append((label, values))
    other = [round(sum(round(i.monthly, 2) for i in r.items if i.type not in grouped), 2) for r in reports]
    if any(other):
        rows.append(("Other", other))
    rows.append(("Total", [r.total for r in reports]))
    return [r.region if by == "region" else r.env for r in reports], rows


def render_compare(reports: Iterable[CostReport], by: str = "env") -> str:
    reports = list(reports)
    envs, rows = compare_rows(reports, by)
    label_w = max(len(label) for label, _ in [*rows, (f"vs {reports[0].region}" if reports else "", [])])
    widths = [max(10, len(e)) for e in envs]
    lines = [f"{'Monthly, USD':<{label_w}}" + "".join(f"  {e:>{w}}" for e, w in zip(envs, widths, strict=True))]
    for label, values in rows:
        if label == "Total":
            lines.append("-" * len(lines[0]))
        lines.append(
            f"{label:<{label_w}}" + "".join(f"  {_money(v):>{w}}" for v, w in zip(values, widths, strict=True))
        )
    if by == "region" and reports:
        base = reports[0]
        lines.append(
            f"{'vs ' + base.region:<{label_w}}"
            + "".join(
                f"  {(r.total / base.total - 1) * 100 if base.total else 0.0:>+{w - 1}.1f}%"
                for r, w in zip(reports, widths, strict=True)
            )
        )
    return "\n".join(lines)


def render_markdown(reports: Iterable[CostReport], by: str = "env") -> str:
    """The README's cost table: one row per group, one column per environment (or region)."""
    envs, rows = compare_rows(reports, by)
    lines = ["| Monthly (USD) | " + " | ".join(envs) + " |", "|---|" + "---:|" * len(envs)]
    for label, values in rows:
        cells = [_money(v) for v in values]
        if label == "Total":
            lines.append("| **Total** | " + " | ".join(f"**{c}**" for c in cells) + " |")
        else:
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# -- the cost of a change -----------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    """One resource whose monthly cost differs between a base and a head estimate."""

    urn: str
    type: str
    name: str
    change: str  # "added", "removed" or "changed"
    base: float
    head: float
    base_basis: str = ""
    head_basis: str = ""

    @property
    def delta(self) -> float:
        return round(round(self.head, 2) - round(self.base, 2), 2)


@dataclass(frozen=True)
class CostDiff:
    """The monthly delta by resource between two estimates (a base plan and the current one)."""

    env: str
    base: CostReport
    head: CostReport
    lines: list[DiffLine]
    unchanged: int

    @property
    def delta(self) -> float:
        return round(self.head.total - self.base.total, 2)

    def to_document(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "currency": "USD",
            "base": {"region": self.base.region, "total": self.base.total},
            "head": {"region": self.head.region, "total": self.head.total},
            "delta": self.delta,
            "resources": [
                {
                    "urn": line.urn,
                    "type": line.type,
                    "change": line.change,
                    "base": round(line.base, 2),
                    "head": round(line.head, 2),
                    "delta": line.delta,
                }
                for line in self.lines
            ],
            "unchanged": self.unchanged,
            "unpriced": {"base": self.base.unpriced, "head": self.head.unpriced},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_document(), indent=2) + "\n"


def diff(base: CostReport, head: CostReport) -> CostDiff:
    """Match the two estimates' line items by URN: added, removed, or changed by at least a cent.

    Lines are sorted by the size of their delta (largest first), then by URN, so the output is stable.
    """
    before = {i.urn: i for i in base.items}
    after = {i.urn: i for i in head.items}
    lines: list[DiffLine] = []
    unchanged = 0
    for urn in sorted(before.keys() | after.keys()):
        b, h = before.get(urn), after.get(urn)
        item = h or b
        assert item is not None
        change = "added" if b is None else "removed" if h is None else "changed"
        line = DiffLine(
            urn=urn,
            type=item.type,
            name=item.name,
            change=change,
            base=b.monthly if b else 0.0,
            head=h.monthly if h else 0.0,
            base_basis=b.basis if b else "",
            head_basis=h.basis if h else "",
        )
        if change == "changed" and line.delta == 0:
            unchanged += 1
            continue
        lines.append(line)
    lines.sort(key=lambda line: (-abs(line.delta), line.urn))
    return CostDiff(env=head.env, base=base, head=head, lines=lines, unchanged=unchanged)


def _signed(value: float) -> str:
    return f"{'+' if value >= 0 else '-'}${abs(value):,.2f}"


def render_diff_text(d: CostDiff) -> str:
    where = d.head.region if d.base.region == d.head.region else f"{d.base.region} -> {d.head.region}"
    lines = [f"Monthly cost change of {d.env} ({where}, USD, usage: {d.head.usage_source})", ""]
    if not d.lines:
        lines.append(f"  no resource changes its monthly cost ({d.unchanged} priced resources unchanged)")
    else:
        type_w = max(len(_short_type(line.type)) for line in d.lines)
        name_w = max(len(line.name) for line in d.lines)
        lines.append(
            f"  {'Delta':>10}  {'Change':<7}  {'Type':<{type_w}}  {'Name':<{name_w}}  {'Base':>10}  {'Head':>10}"
        )
        for line in d.lines:
            lines.append(
                f"  {_signed(line.delta):>10}  {line.change:<7}  {_short_type(line.type):<{type_w}}  "
                f"{line.name:<{name_w}}  {_money(line.base):>10}  {_money(line.head):>10}"
            )
    lines += [
        "",
        f"  {_signed(d.delta):>10}  total per month: {_money(d.base.total)} -> {_money(d.head.total)} "
        f"({len(d.lines)} changed, {d.unchanged} unchanged)",
    ]
    for label, report in (("base", d.base), ("head", d.head)):
        if report.unpriced:
            lines.append(f"  the {label} has {len(report.unpriced)} unpriced resource(s): its total is a lower bound")
    return "\n".join(lines)


def render_diff_markdown(d: CostDiff) -> str:
    """The pull-request comment: the delta by resource and the total, as a Markdown table."""
    lines = [
        f"#### Monthly cost of `{d.env}`: {_money(d.base.total)} → {_money(d.head.total)} (**{_signed(d.delta)}**)",
        "",
    ]
    if not d.lines:
        lines.append("No resource changes its monthly cost.")
    else:
        lines += ["| Change | Resource | Type | Base | Head | Delta |", "|---|---|---|---:|---:|---:|"]
        for line in d.lines:
            lines.append(
                f"| {line.change} | `{line.name}` | `{_short_type(line.type)}` | {_money(line.base)} | "
                f"{_money(line.head)} | {_signed(line.delta)} |"
            )
        lines.append(
            f"| | **Total** | | **{_money(d.base.total)}** | **{_money(d.head.total)}** | **{_signed(d.delta)}** |"
        )
    lines += [
        "",
        f"USD per month, {d.head.region}, usage profile {d.head.usage_source}; `python -m stacks cost {d.env} --diff BASE.json`.",
    ]
    return "\n".join(lines) + "\n"
