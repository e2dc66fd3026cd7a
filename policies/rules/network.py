"""Security groups and VPC: internet ingress, admin ports, the data tier, default SG, flow logs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._core import (
    ResourceView,
    StackFinding,
    as_list,
    as_number,
    get,
    is_true,
    is_unknown,
    linked,
    of_types,
    resource_rule,
    stack_rule,
)

SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
INGRESS_TYPES = (SG, DEFAULT_SG, SG_RULE, INGRESS_RULE)
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")

WORLD = ("0.0.0.0/0", "::/0")
ALL_PROTOCOLS = ("-1", "all")


@dataclass(frozen=True)
class Permission:
    """One ingress permission, whichever of the three resource shapes declared it."""

    where: str
    protocol: str
    from_port: float | None
    to_port: float | None
    cidrs: tuple[str, ...]
    references: tuple[str, ...]
    prefix_lists: tuple[str, ...]

    @property
    def all_ports(self) -> bool:
        return self.protocol in ALL_PROTOCOLS

    @property
    def ports_known(self) -> bool:
        return self.all_ports or (self.from_port is not None and self.to_port is not None)

    def covers(self, port: int) -> bool:
        """True when the permission may admit TCP/UDP ``port`` (unknown ports count as may)."""
        if self.all_ports or not self.ports_known:
            return True
        if self.protocol not in ("tcp", "udp", "6", "17"):
            return False
        assert self.from_port is not None and self.to_port is not None
        return self.from_port <= port <= self.to_port

    @property
    def world(self) -> tuple[str, ...]:
        return tuple(c for c in self.cidrs if c in WORLD)

    def describe(self) -> str:
        if self.all_ports:
            ports = "all ports"
        elif not self.ports_known:
            ports = "unknown ports"
        elif self.from_port == self.to_port:
            ports = f"port {self.from_port:g}"
        else:
            ports = f"ports {self.from_port:g}-{self.to_port:g}"
        return f"{self.where} ({self.protocol} {ports})"


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in as_list(value) if isinstance(v, str) and not is_unknown(v))


def _protocol(value: Any) -> str:
    return "?" if value is None or is_unknown(value) else str(value).lower()


def ingress_permissions(resource: ResourceView) -> Iterator[Permission]:
    """Every ingress permission declared by an SG (inline), an SG rule or a VPC ingress rule."""
    p = resource.props
    if resource.type in (SG, DEFAULT_SG):
        for i, rule in enumerate(as_list(p.get("ingress"))):
            if not isinstance(rule, Mapping):
                continue
            refs = _strs(rule.get("securityGroups")) + (("self",) if is_true(rule.get("self")) else ())
            yield Permission(
                f"ingress[{i}]",
                _protocol(rule.get("protocol")),
                as_number(rule.get("fromPort")),
                as_number(rule.get("toPort")),
                _strs(rule.get("cidrBlocks")) + _strs(rule.get("ipv6CidrBlocks")),
                refs,
                _strs(rule.get("prefixListIds")),
            )
    elif resource.type == SG_RULE:
        if p.get("type") != "ingress":
            return
        refs = _strs(p.get("sourceSecurityGroupId")) + (("self",) if is_true(p.get("self")) else ())
        yield Permission(
            "rule",
            _protocol(p.get("protocol")),
            as_number(p.get("fromPort")),
            as_number(p.get("toPort")),
            _strs(p.get("cidrBlocks")) + _strs(p.get("ipv6CidrBlocks")),
            refs,
            _strs(p.get("prefixListIds")),
        )
    elif resource.type == INGRESS_RULE:
        yield Permission(
            "rule",
            _protocol(p.get("ipProtocol")),
            as_number(p.get("fromPort")),
            as_number(p.get("toPort")),
            _strs(p.get("cidrIpv4")) + _strs(p.get("cidrIpv6")),
            _strs(p.get("referencedSecurityGroupId")),
            _strs(p.get("prefixListId")),
        )


@resource_rule(
    "sg-no-admin-ports-from-internet",
    control="EC2.19",
    description="No security group admits SSH (22) or RDP (3389) from 0.0.0.0/0 or ::/0. Unknown ports on a world-open rule count as open.",
    types=INGRESS_TYPES,
    params={"ports": {"type": "array", "items": {"type": "integer"}, "default": [22, 3389]}},
)
def no_admin_ports_from_internet(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for perm in ingress_permissions(r):
        if not perm.world:
            continue
        for port in config["ports"]:
            if perm.covers(int(port)):
                yield (
                    f"{r.label}: {perm.describe()} admits port {port} from {', '.join(perm.world)}. "
                    f"Remove this ingress; reach tasks with `aws ecs execute-command` (SSM) instead of SSH/RDP, "
                    f"or restrict the source to a security group."
                )
                break


@resource_rule(
    "sg-internet-ingress-only-http-https",
    control="EC2.18",
    description="Ingress from 0.0.0.0/0 or ::/0 is allowed only on TCP 80 and 443 (single-port rules). Unknown ports on a world-open rule count as a violation.",
    types=INGRESS_TYPES,
    params={"allowedPorts": {"type": "array", "items": {"type": "integer"}, "default": [80, 443]}},
)
def internet_ingress_only_http_https(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    allowed = {float(p) for p in config["allowedPorts"]}
    for perm in ingress_permissions(r):
        if not perm.world:
            continue
        ok = (
            perm.protocol in ("tcp", "6")
            and perm.ports_known
            and perm.from_port == perm.to_port
            and perm.from_port in allowed
        )
        if not ok:
            yield (
                f"{r.label}: {perm.describe()} is open to {', '.join(perm.world)}; only TCP "
                f"{'/'.join(f'{p:g}' for p in sorted(allowed))} may be. Restrict the source to a security group "
                f"(referenced_security_group_id) or a specific CIDR, or use from_port=to_port=443."
            )


def _sg_target_urns(rule: ResourceView, sgs: Sequence[ResourceView]) -> list[str]:
    """The security group(s) a standalone rule belongs to."""
    sg_id = rule.props.get("securityGroupId")
    by_id = [s.urn for s in sgs if isinstance(sg_id, str) and not is_unknown(sg_id) and s.props.get("id") == sg_id]
    if by_id:
        return by_id
    referenced = set(
        _strs(rule.props.get("referencedSecurityGroupId")) + _strs(rule.props.get("sourceSecurityGroupId"))
    )
    return [s.urn for s in sgs if s.urn in rule.dependencies and s.props.get("id") not in referenced]


@stack_rule(
    "sg-internet-ingress-only-on-load-balancer",
    control="EC2.18",
    description=(
        "Only the load balancer's security group (one listed in a load balancer's securityGroups, found by "
        "dependency or id) may admit traffic from 0.0.0.0/0 or ::/0."
    ),
    types=INGRESS_TYPES,
)
def internet_ingress_only_on_load_balancer(
    resources: Sequence[ResourceView], config: Mapping[str, Any]
) -> Iterable[StackFinding]:
    sgs = of_types(resources, SG)
    lb_sgs: set[str] = set()
    for lb in of_types(resources, *LOAD_BALANCERS):
        lb_sgs.update(s.urn for s in sgs if linked(lb, s, prop="securityGroups"))
    for r in of_types(resources, *INGRESS_TYPES):
        world = [p for p in ingress_permissions(r) if p.world]
        if not world:
            continue
        targets = [r.urn] if r.type in (SG, DEFAULT_SG) else _sg_target_urns(r, sgs)
        if targets and all(t in lb_sgs for t in targets):
            continue
        if not targets and r.type not in (SG, DEFAULT_SG):
            continue  # cannot tell which group it belongs to; the resource rules still apply
        yield StackFinding(
            r.urn,
            f"{r.label}: {world[0].describe()} admits {', '.join(world[0].world)} on a security "
            f"group that no load balancer uses. Only the load balancer's security group may be "
            f"internet-facing; let other groups admit the load balancer's group instead "
            f"(referenced_security_group_id=<LB SG id>).",
        )


DATA_TIER = {
    "aws:rds/instance:Instance": "vpcSecurityGroupIds",
    "aws:elasticache/replicationGroup:ReplicationGroup": "securityGroupIds",
}


@stack_rule(
    "sg-data-tier-only-from-security-groups",
    description=(
        "The data tier (security groups attached to RDS instances and ElastiCache replication groups) admits "
        "traffic only from other security groups (the services'), never from a CIDR or prefix list; the "
        "offline runner finds a standalone rule's group by dependency."
    ),
    types=INGRESS_TYPES,
)
def data_tier_only_from_security_groups(
    resources: Sequence[ResourceView], config: Mapping[str, Any]
) -> Iterable[StackFinding]:
    sgs = of_types(resources, SG)
    data_sgs = {s.urn for db in of_types(resources, *DATA_TIER) for s in sgs if linked(db, s, prop=DATA_TIER[db.type])}
    for r in of_types(resources, *INGRESS_TYPES):
        targets = [r.urn] if r.type in (SG, DEFAULT_SG) else _sg_target_urns(r, sgs)
        if not any(t in data_sgs for t in targets):
            continue
        for perm in ingress_permissions(r):
            sources = perm.cidrs + perm.prefix_lists
            if sources:
                yield StackFinding(
                    r.urn,
                    f"{r.label}: {perm.describe()} admits {', '.join(sources)} into the data tier's "
                    f"security group. Allow only the services' security group: "
                    f"aws.vpc.SecurityGroupIngressRule(referenced_security_group_id=<service SG id>, "
                    f"from_port=to_port=<5432 or 6379>).",
                )


@stack_rule(
    "vpc-default-security-group-closed",
    control="EC2.2",
    description=(
        "Every VPC adopts its default security group with aws.ec2.DefaultSecurityGroup and no ingress or "
        "egress rules, so nothing placed in it by mistake can talk."
    ),
    types=(VPC, DEFAULT_SG),
)
def default_security_group_closed(
    resources: Sequence[ResourceView], config: Mapping[str, Any]
) -> Iterable[StackFinding]:
    defaults = of_types(resources, DEFAULT_SG)
    for d in defaults:
        rules = [k for k in ("ingress", "egress") if as_list(d.props.get(k))]
        if rules:
            yield StackFinding(
                d.urn,
                f"{d.label}: the default security group has {' and '.join(rules)} rules. "
                f"Declare it with ingress=[] and egress=[].",
            )
    for vpc in of_types(resources, VPC):
        if not any(linked(d, vpc, prop="vpcId") for d in defaults):
            yield StackFinding(
                vpc.urn,
                f"{vpc.label}: its default security group is not adopted, so it keeps AWS's "
                f"allow-all-from-itself rules. Add aws.ec2.DefaultSecurityGroup(vpc_id=vpc.id, "
                f"ingress=[], egress=[]).",
            )


@stack_rule(
    "vpc-flow-logs-enabled",
    control="EC2.6",
    description="Every VPC has a flow log (aws.ec2.FlowLog with vpc_id) capturing REJECT or ALL traffic.",
    types=(VPC, FLOW_LOG),
)
def flow_logs_enabled(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    logs = of_types(resources, FLOW_LOG)
    for vpc in of_types(resources, VPC):
        mine = [f for f in logs if linked(f, vpc, prop="vpcId")]
        if not mine:
            yield StackFinding(
                vpc.urn,
                f"{vpc.label}: no flow log. Add aws.ec2.FlowLog(vpc_id=vpc.id, "
                f'traffic_type="ALL", log_destination=<log group ARN>, iam_role_arn=<role>).',
            )
        elif all(get(f.props, "trafficType") == "ACCEPT" for f in mine):
            yield StackFinding(
                vpc.urn, f'{vpc.label}: its flow logs capture only ACCEPT traffic; set traffic_type="ALL" or "REJECT".'
            )


@resource_rule(
    "vpc-subnet-no-auto-public-ip",
    control="EC2.15",
    description="Subnets do not assign public IPv4 addresses on launch (mapPublicIpOnLaunch is not true).",
    types=(SUBNET,),
)
def subnet_no_auto_public_ip(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    if is_true(r.props.get("mapPublicIpOnLaunch")):
        yield (
            f"{r.label}: map_public_ip_on_launch is true, so anything launched here gets a public IP. Set it to "
            f"False; give the NAT an Elastic IP and let the load balancer own the public addresses."
        )


@stack_rule(
    "stack-min-availability-zones",
    description="The environment's subnets span at least minAzs Availability Zones (prod: 3). Subnets whose AZ is unknown are not counted; a stack without subnets passes.",
    types=(SUBNET,),
    category="reliability",
    params={"minAzs": {"type": "integer", "default": 3}},
)
def min_availability_zones(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    subnets = of_types(resources, SUBNET)
    if not subnets:
        return
    azs = {
        str(az)
        for s in subnets
        for az in [s.props.get("availabilityZone") or s.props.get("availabilityZoneId")]
        if az and not is_unknown(az)
    }
    if azs and len(azs) < int(config["minAzs"]):
        vpcs = of_types(resources, VPC)
        urn = vpcs[0].urn if vpcs else subnets[0].urn
        yield StackFinding(
            urn,
            f"{(vpcs[0] if vpcs else subnets[0]).label}: the stack's subnets span {len(azs)} Availability Zone(s) ({', '.join(sorted(azs))}); "
            f"this environment needs at least {config['minAzs']}. Raise the VPC's AZ count "
            f"(e.g. availability_zone_count={config['minAzs']}) in the stack config.",
        )
