"""Vpc: a three-tier VPC (public, private, isolated subnets per AZ) with NAT, endpoints and flow logs.

Creates:

* the VPC (DNS support and hostnames on) and its default security group, managed with **no rules**;
* per AZ: a public subnet (route to an internet gateway), a private subnet (egress through NAT) and an
  isolated subnet (no route to the internet: databases, caches). CIDRs come from `_cidr.plan_subnets`
  and never move when AZs are added; no subnet maps public IPs on launch;
* NAT per `NatMode`: none, one fck-nat ARM instance (t4g.nano), one managed NAT gateway, or one per AZ;
* a free S3 gateway endpoint on the private and isolated route tables, and optional interface endpoints
  (``ecr.api``, ``ecr.dkr``, ``logs``, ``secretsmanager``...) in the private subnets behind their own
  security group (HTTPS from the VPC only);
* optional flow logs to a CloudWatch log group with a retention, written by a least-privilege role.

Example::

    net = Vpc("net", VpcArgs(az_count=3, nat=NatMode.PER_AZ, interface_endpoints=["ecr.api", "ecr.dkr"]))
    alb = LoadBalancer("web", LoadBalancerArgs.in_vpc(net, routes=[...]))

Cost (monthly, us-east-1, before traffic): VPC, subnets, route tables, IGW and the S3 gateway endpoint
are free. NAT: ``SINGLE`` $32.85 + $3.65 EIP = **$36.50**; ``PER_AZ`` that per AZ (3 AZs: **$109.50**),
plus $0.045/GB processed; ``INSTANCE`` t4g.nano about $3.07 + $3.65 public IPv4 = **about $7**;
``NONE`` $0. Interface endpoints: $7.30 per endpoint per AZ (4 endpoints x 2 AZs = $58.40) + $0.01/GB.
Flow logs: $0.50/GB ingested + $0.03/GB-month stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NoReturn

import pulumi
import pulumi_aws as aws

from components._cidr import AZ_SLOTS, cidr_problem, plan_subnets
from components.aws_formats import LOG_RETENTION_DAYS
from components.base import Component, validation_lookup_opts
from components.iam import service_trust_policy
from components.subnet import SubnetRef

__all__ = ["NatMode", "SubnetRef", "Vpc", "VpcArgs"]

#: fck-nat's publisher account and the AL2023 ARM image name pattern (https://fck-nat.dev).
FCK_NAT_OWNER = "568608671756"
FCK_NAT_NAME_FILTER = "fck-nat-al2023-*-arm64*"

_AZ_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d[a-z]$")
_ENDPOINT_SERVICE = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$")


class NatMode(StrEnum):
    """How private subnets reach the internet."""

    NONE = "none"
    """No NAT: private subnets have no internet route (use endpoints)."""
    INSTANCE = "instance"
    """One fck-nat t4g.nano instance in the first public subnet: cheap, not highly available (dev)."""
    SINGLE = "single"
    """One managed NAT gateway in the first public subnet, shared by all AZs."""
    PER_AZ = "per_az"
    """One managed NAT gateway per AZ: no cross-AZ dependency (production)."""


@dataclass(frozen=True, kw_only=True)
class VpcArgs:
    """Arguments of `Vpc`."""

    cidr: str = "10.0.0.0/16"
    """IPv4 CIDR of the VPC, /16 to /23. Public and isolated tiers get a quarter each, private a half. Default: "10.0.0.0/16"."""

    az_count: int | None = None
    """Number of AZs (1-6), taken from the region's available AZs in order; exclusive with `availability_zones`. Default: 2 (when `availability_zones` is not given)."""

    availability_zones: Sequence[str] | None = None
    """Explicit AZ names (e.g. ["us-east-1a", "us-east-1b"]); exclusive with `az_count`. Default: None (use `az_count`)."""

    nat: NatMode = NatMode.PER_AZ
    """NAT strategy for the private subnets: NONE, INSTANCE (fck-nat, ~$7/month), SINGLE ($36.50/month) or PER_AZ ($36.50/month per AZ). Default: NatMode.PER_AZ."""

    nat_instance_type: str = "t4g.nano"
    """EC2 instance type of the NAT instance (ARM/Graviton only; used when `nat` is INSTANCE). Default: "t4g.nano"."""

    flow_logs: bool = True
    """Send VPC flow logs (all traffic) to a CloudWatch log group (FSBP EC2.6). Default: True."""

    flow_log_retention_days: int = 90
    """Retention of the flow-log group, one of CloudWatch's allowed values (1, 3, 5, 7, 14, 30, 60, 90, ...). Default: 90."""

    log_kms_key_arn: pulumi.Input[str] | None = None
    """ARN of a customer-managed KMS key encrypting the flow-log group (its key policy must let
    ``logs.<region>.amazonaws.com`` use it). Default: ``None`` (CloudWatch Logs' own encryption)."""

    interface_endpoints: Sequence[str] = ()
    """Interface endpoint service short names (e.g. "ecr.api", "ecr.dkr", "logs", "secretsmanager"), each $7.30/month per AZ. Default: () (none)."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every taggable resource (after Name and the common tags). Default: {}."""


class Vpc(Component):
    """A three-tier VPC. See the module docstring for what it creates and costs."""

    vpc_id: pulumi.Output[str]
    """The VPC id."""
    cidr_block: str
    """The VPC's IPv4 CIDR (plain)."""
    availability_zones: list[str]
    """The AZ names used, in order (plain)."""
    public_subnet_ids: list[pulumi.Output[str]]
    """Public subnet ids, one per AZ in AZ order."""
    private_subnet_ids: list[pulumi.Output[str]]
    """Private subnet ids, one per AZ in AZ order."""
    isolated_subnet_ids: list[pulumi.Output[str]]
    """Isolated subnet ids, one per AZ in AZ order."""
    public_subnets: list[SubnetRef]
    """Public subnets with their AZ (for `LoadBalancerArgs.in_vpc`)."""
    private_subnets: list[SubnetRef]
    """Private subnets with their AZ."""
    isolated_subnets: list[SubnetRef]
    """Isolated subnets with their AZ."""

    def __init__(self, name: str, args: VpcArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        azs = _validate(name, args, opts)
        super().__init__(name, opts, tags=args.tags)
        self._name = name
        self._args = args
        plan = plan_subnets(args.cidr, len(azs))
        region = aws.get_region(opts=self.lookup_opts()).region

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=self._tags(name),
            opts=self.child_opts(),
        )
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            tags=self._tags(f"{name}-default-do-not-use"),
            opts=self.child_opts(),
        )
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=self._tags(name), opts=self.child_opts())

        public = self._subnets(vpc, "public", azs, plan.public)
        private = self._subnets(vpc, "private", azs, plan.private)
        isolated = self._subnets(vpc, "isolated", azs, plan.isolated)

        public_rt = self._route_table(vpc, "public-rt", "public", public)
        aws.ec2.Route(
            f"{name}-public-default-route",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=self.child_opts(),
        )
        private_rts = [
            self._route_table(vpc, f"private-rt-{i + 1}", "private", [s], first=i) for i, s in enumerate(private)
        ]
        isolated_rt = self._route_table(vpc, "isolated-rt", "isolated", isolated)
        self._create_nat(vpc, public, private_rts, depends_on=[igw])

        aws.ec2.VpcEndpoint(
            f"{name}-s3-endpoint",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[rt.id for rt in [*private_rts, isolated_rt]],
            tags=self._tags(f"{name}-s3"),
            opts=self.child_opts(),
        )
        if args.interface_endpoints:
            self._create_interface_endpoints(vpc, private, region)
        if args.flow_logs:
            self._create_flow_logs(vpc, region)

        self.vpc_id = vpc.id
        self.cidr_block = args.cidr
        self.availability_zones = list(azs)
        self.public_subnet_ids = [s.id for s in public]
        self.private_subnet_ids = [s.id for s in private]
        self.isolated_subnet_ids = [s.id for s in isolated]
        self.public_subnets = [SubnetRef(az, s.id, c) for az, s, c in zip(azs, public, plan.public, strict=True)]
        self.private_subnets = [SubnetRef(az, s.id, c) for az, s, c in zip(azs, private, plan.private, strict=True)]
        self.isolated_subnets = [SubnetRef(az, s.id, c) for az, s, c in zip(azs, isolated, plan.isolated, strict=True)]
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "cidr_block": self.cidr_block,
                "availability_zones": self.availability_zones,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "isolated_subnet_ids": self.isolated_subnet_ids,
            }
        )

    # -- steps ---------------------------------------------------------------------------------
    def _tags(self, name_tag: str, **more: str) -> dict[str, str]:
        return self.tags(name_tag, **more)

    def _subnets(self, vpc: aws.ec2.Vpc, tier: str, azs: Sequence[str], cidrs: Sequence[str]) -> list[aws.ec2.Subnet]:
        return [
            aws.ec2.Subnet(
                f"{self._name}-{tier}-{i + 1}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags=self._tags(f"{self._name}-{tier}-{az}", Tier=tier),
                opts=self.child_opts(),
            )
            for i, (az, cidr) in enumerate(zip(azs, cidrs, strict=True))
        ]

    def _route_table(
        self, vpc: aws.ec2.Vpc, role: str, tier: str, subnets: Sequence[aws.ec2.Subnet], first: int = 0
    ) -> aws.ec2.RouteTable:
        table = aws.ec2.RouteTable(
            f"{self._name}-{role}",
            vpc_id=vpc.id,
            tags=self._tags(f"{self._name}-{role}"),
            opts=self.child_opts(),
        )
        for i, subnet in enumerate(subnets, start=first):
            aws.ec2.RouteTableAssociation(
                f"{self._name}-{tier}-rta-{i + 1}",
                route_table_id=table.id,
                subnet_id=subnet.id,
                opts=self.child_opts(),
            )
        return table

    def _create_nat(
        self,
        vpc: aws.ec2.Vpc,
        public: Sequence[aws.ec2.Subnet],
        private_rts: Sequence[aws.ec2.RouteTable],
        depends_on: Sequence[pulumi.Resource],
    ) -> None:
        name, mode = self._name, self._args.nat
        if mode is NatMode.NONE:
            return
        if mode is NatMode.INSTANCE:
            eni = self._create_nat_instance(vpc, public[0], depends_on)
            for i, rt in enumerate(private_rts):
                aws.ec2.Route(
                    f"{name}-private-default-route-{i + 1}",
                    route_table_id=rt.id,
                    destination_cidr_block="0.0.0.0/0",
                    network_interface_id=eni,
                    opts=self.child_opts(),
                )
            return
        count = len(public) if mode is NatMode.PER_AZ else 1
        gateways = []
        for i in range(count):
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{i + 1}",
                domain="vpc",
                tags=self._tags(f"{name}-nat-{i + 1}"),
                opts=self.child_opts(depends_on=list(depends_on)),
            )
            gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{i + 1}",
                    allocation_id=eip.allocation_id,
                    subnet_id=public[i].id,
                    connectivity_type="public",
                    tags=self._tags(f"{name}-nat-{i + 1}"),
                    opts=self.child_opts(depends_on=list(depends_on)),
                )
            )
        for i, rt in enumerate(private_rts):
            aws.ec2.Route(
                f"{name}-private-default-route-{i + 1}",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=gateways[i % count].id,
                opts=self.child_opts(),
            )

    def _create_nat_instance(
        self, vpc: aws.ec2.Vpc, subnet: aws.ec2.Subnet, depends_on: Sequence[pulumi.Resource]
    ) -> pulumi.Output[str]:
        name = self._name
        sg = aws.ec2.SecurityGroup(
            f"{name}-nat-sg",
            vpc_id=vpc.id,
            description=f"{name} NAT instance: forwards traffic from the VPC to the internet",
            tags=self._tags(f"{name}-nat"),
            opts=self.child_opts(),
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-nat-ingress-vpc",
            security_group_id=sg.id,
            ip_protocol="-1",
            cidr_ipv4=self._args.cidr,
            description="All traffic from inside the VPC (to be NATed)",
            tags=self._tags(f"{name}-nat-ingress-vpc"),
            opts=self.child_opts(),
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-nat-egress-internet",
            security_group_id=sg.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            description="NATed traffic to the internet",
            tags=self._tags(f"{name}-nat-egress-internet"),
            opts=self.child_opts(),
        )
        ami = aws.ec2.get_ami(
            opts=self.lookup_opts(),
            owners=[FCK_NAT_OWNER],
            most_recent=True,
            filters=[
                aws.ec2.GetAmiFilterArgs(name="name", values=[FCK_NAT_NAME_FILTER]),
                aws.ec2.GetAmiFilterArgs(name="architecture", values=["arm64"]),
            ],
        )
        instance = aws.ec2.Instance(
            f"{name}-nat-instance",
            ami=ami.id,
            instance_type=self._args.nat_instance_type,
            subnet_id=subnet.id,
            vpc_security_group_ids=[sg.id],
            associate_public_ip_address=True,
            source_dest_check=False,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="required", http_endpoint="enabled"),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True, volume_type="gp3"),
            tags=self._tags(f"{name}-nat"),
            volume_tags=self._tags(f"{name}-nat"),
            opts=self.child_opts(depends_on=list(depends_on), ignore_changes=["ami"]),
        )
        return instance.primary_network_interface_id

    def _create_interface_endpoints(self, vpc: aws.ec2.Vpc, private: Sequence[aws.ec2.Subnet], region: str) -> None:
        name = self._name
        sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints-sg",
            vpc_id=vpc.id,
            description=f"{name} interface endpoints: HTTPS from the VPC only",
            tags=self._tags(f"{name}-endpoints"),
            opts=self.child_opts(),
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoints-ingress-https",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=self._args.cidr,
            description="HTTPS from inside the VPC",
            tags=self._tags(f"{name}-endpoints-ingress-https"),
            opts=self.child_opts(),
        )
        for service in self._args.interface_endpoints:
            role = service.replace(".", "-")
            aws.ec2.VpcEndpoint(
                f"{name}-{role}-endpoint",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[s.id for s in private],
                security_group_ids=[sg.id],
                tags=self._tags(f"{name}-{role}"),
                opts=self.child_opts(),
            )

    def _create_flow_logs(self, vpc: aws.ec2.Vpc, region: str) -> None:
        name = self._name
        account = aws.get_caller_identity(opts=self.lookup_opts()).account_id
        partition = aws.get_partition(opts=self.lookup_opts()).partition
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            retention_in_days=self._args.flow_log_retention_days,
            kms_key_id=self._args.log_kms_key_arn,
            tags=self._tags(f"{name}-flow-logs"),
            opts=self.child_opts(),
        )
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            description=f"Lets VPC Flow Logs write {name}'s flow logs to CloudWatch Logs",
            assume_role_policy=json.dumps(flow_logs_trust_policy(account, region, partition)),
            tags=self._tags(f"{name}-flow-logs"),
            opts=self.child_opts(),
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs-policy",
            role=role.id,
            policy=pulumi.Output.json_dumps(flow_logs_write_policy(group.arn)),
            opts=self.child_opts(),
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=self._tags(f"{name}-flow-log"),
            opts=self.child_opts(),
        )


# -- policies (pure) ---------------------------------------------------------------------------
def flow_logs_trust_policy(account_id: str, region: str, partition: str = "aws") -> dict[str, object]:
    """Trust policy: only VPC Flow Logs, only on behalf of this account's flow logs (confused deputy)."""
    return service_trust_policy(
        "vpc-flow-logs.amazonaws.com",
        account_id,
        source_arn=f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*",
    )


def flow_logs_write_policy(log_group_arn: pulumi.Input[str]) -> dict[str, object]:
    """Write access to one log group's streams, nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteFlowLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": [pulumi.Output.concat(log_group_arn, ":*")],
            }
        ],
    }


# -- validation --------------------------------------------------------------------------------
def _validate(name: str, args: VpcArgs, opts: pulumi.ResourceOptions | None) -> list[str]:
    """Check every argument; return the AZ names to use. Raises `ComponentArgsError`.

    The AZ lookup goes to the provider the Vpc will use (``opts``), so a Vpc given an eu-west-1
    provider gets eu-west-1's zones.
    """

    def fail(argument: str, message: str) -> NoReturn:
        Vpc.fail(name, argument, message)

    problem = cidr_problem(args.cidr)
    if problem:
        fail("cidr", problem)
    if not isinstance(args.nat, NatMode):
        fail("nat", f"{args.nat!r} is not a NatMode; use one of {', '.join(m.name for m in NatMode)}.")
    if args.nat is NatMode.INSTANCE and not re.fullmatch(r"[a-z0-9]+g[a-z]*\.[a-z0-9]+", args.nat_instance_type):
        fail(
            "nat_instance_type",
            f"{args.nat_instance_type!r} is not a Graviton (ARM) type; the fck-nat "
            "image is arm64, so use e.g. 't4g.nano' or 't4g.micro'.",
        )
    if args.flow_log_retention_days not in LOG_RETENTION_DAYS:
        fail(
            "flow_log_retention_days",
            f"{args.flow_log_retention_days} is not a retention CloudWatch "
            f"accepts; choose one of {', '.join(map(str, LOG_RETENTION_DAYS))}.",
        )
    seen: set[str] = set()
    for service in args.interface_endpoints:
        if not isinstance(service, str) or not _ENDPOINT_SERVICE.fullmatch(service) or service.startswith("com."):
            fail(
                "interface_endpoints",
                f"{service!r} is not a service short name; use names such as "
                "'ecr.api', 'ecr.dkr', 'logs' or 'secretsmanager'.",
            )
        if service in seen:
            fail("interface_endpoints", f"{service!r} is listed twice; list each service once.")
        seen.add(service)
    max_azs = min(AZ_SLOTS, 6)
    if args.az_count is not None and args.availability_zones is not None:
        fail("az_count", "Only one of [az_count] and [availability_zones] can be specified; drop one of them.")
    if args.availability_zones is not None:
        azs = list(args.availability_zones)
        if isinstance(args.availability_zones, str) or not 1 <= len(azs) <= max_azs:
            fail(
                "availability_zones",
                f"{args.availability_zones!r} must list 1 to {max_azs} AZ names, e.g. ['us-east-1a', 'us-east-1b'].",
            )
        for az in azs:
            if not isinstance(az, str) or not _AZ_NAME.fullmatch(az):
                fail("availability_zones", f"{az!r} is not an AZ name; use names such as 'us-east-1a'.")
        if len(set(azs)) != len(azs):
            fail("availability_zones", f"{azs} lists an AZ twice; list each AZ once.")
        offered = list(aws.get_availability_zones(state="available", opts=validation_lookup_opts(opts)).names)
        missing = [az for az in azs if az not in offered]
        if missing:
            fail(
                "availability_zones",
                f"{missing} {'is' if len(missing) == 1 else 'are'} not available in the Vpc's region, whose "
                f"zones are {', '.join(offered)}; list zones of that region (or use az_count).",
            )
        return azs
    count = 2 if args.az_count is None else args.az_count
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= max_azs:
        fail("az_count", f"{count!r} is outside 1..{max_azs}; choose 2 or 3 for most workloads.")
    available = list(aws.get_availability_zones(state="available", opts=validation_lookup_opts(opts)).names)
    if count > len(available):
        fail(
            "az_count",
            f"{count} AZs requested but the region has {len(available)} available "
            f"({', '.join(available)}); lower az_count.",
        )
    return available[:count]
