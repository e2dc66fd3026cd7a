"""The data tier's security group: one port, admitted only from labelled client security groups.

Shared by `Postgres` and `Cache`. Like `_private_bucket`, it creates resources as children of the
component that calls it (it is not a component itself): ``<name>-sg`` with no inline rules, and one
standalone ``aws.vpc.SecurityGroupIngressRule`` ``<name>-from-<label>`` per client security group
(``referenced_security_group_id``, never a CIDR). Labels name the rules, so admitting one more
client never renames another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import pulumi
import pulumi_aws as aws

from components._data_rules import label_problem
from components.errors import ComponentArgsError
from components.subnet import SubnetRef
from components.tags import layered_tags


class IsolatedVpc(Protocol):
    """What a data component's ``in_vpc`` reads from a `Vpc`."""

    @property
    def vpc_id(self) -> pulumi.Output[str]: ...
    @property
    def isolated_subnets(self) -> list[SubnetRef]: ...


class DataTierAccess:
    """The security group of one data component and the rules admitting its clients."""

    def __init__(
        self,
        parent: pulumi.Resource,
        name: str,
        *,
        kind: str,
        physical: str,
        vpc_id: pulumi.Input[str],
        port: int,
        protocol_label: str,
        tags: Mapping[str, str],
    ) -> None:
        self._parent, self._name, self._kind, self._physical = parent, name, kind, physical
        self._port, self._protocol_label, self._tags = port, protocol_label, tags
        self._labels: list[str] = []
        self.group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
            description=f"{kind} {physical}: port {port} from allowed security groups only",
            tags=layered_tags(kind, f"{physical}-sg", tags),
            opts=pulumi.ResourceOptions(parent=parent),
        )

    def admit(self, label: str, security_group_id: pulumi.Input[str]) -> aws.vpc.SecurityGroupIngressRule:
        """Admit the port from ``security_group_id``, in a rule named ``<name>-from-<label>``."""
        problem = label_problem(label, self._labels)
        if problem:
            raise ComponentArgsError(self._kind, self._name, "allow_from", problem)
        self._labels.append(label)
        return aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-from-{label}",
            security_group_id=self.group.id,
            referenced_security_group_id=security_group_id,
            ip_protocol="tcp",
            from_port=self._port,
            to_port=self._port,
            description=f"{self._protocol_label} from {label}",
            tags=layered_tags(self._kind, f"{self._physical}-from-{label}", self._tags),
            opts=pulumi.ResourceOptions(parent=self._parent),
        )
