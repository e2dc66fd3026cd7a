"""Reusable Pulumi components for AWS: a VPC, an ALB with path routing, ECS Fargate services, RDS
PostgreSQL, ElastiCache, CloudFront + S3, a WAF web ACL, a container image and a blue-green switcher.

Everything public is importable from here::

    from components import Vpc, VpcArgs, NatMode, LoadBalancer, LoadBalancerArgs, Route

Each component validates its arguments before it registers anything (`ComponentArgsError` names
the instance, the argument, the value and the fix), sends every lookup and child to the provider
it was given (``opts=pulumi.ResourceOptions(providers={"aws": eu_west_1})``) and tags every
taggable child with ``Project``, ``Environment``, ``Component`` and ``ManagedBy``. See
``docs/components/`` for a page per component, and `components.base.Component` for what they share.
"""

from components.account_baseline import AccountBaseline, AccountBaselineArgs, FindingFrequency
from components.alerts import AlarmTopic, AlarmTopicArgs
from components.backup import Backup, BackupArgs
from components.base import TYPE_PACKAGE, Component, type_token
from components.blue_green import (
    BlueGreen,
    BlueGreenArgs,
    BlueGreenMode,
    BlueGreenSettings,
    Color,
    ColorSettings,
    NativeHook,
)
from components.cache import Cache, CacheArgs, CacheAuthMode, CacheEngine
from components.cdn import Cdn, CdnArgs, GeoRestrictionType, OriginProtocol, PriceClass
from components.cluster import Cluster, ClusterArgs, ContainerInsights
from components.container_image import ContainerImage, ContainerImageArgs, RepositoryEncryption
from components.dashboards import Dashboards, DashboardsArgs, DashboardTarget, ServiceDashboard
from components.domain import Domain, DomainArgs
from components.errors import ComponentArgsError
from components.fargate_service import (
    AlarmThresholds,
    Architecture,
    Autoscaling,
    Capacity,
    ContainerHealthCheck,
    DataTierEgress,
    DeploymentStrategy,
    FargateService,
    FargateServiceArgs,
    InitContainer,
    LifecycleHook,
    LifecycleStage,
    LoadBalancerAdvanced,
    ScaleSchedule,
)
from components.iam import IamPolicyError, S3Access, S3Grant, StatementGrant
from components.kms_key import EnvironmentKey, EnvironmentKeyArgs
from components.load_balancer import HealthCheck, LoadBalancer, LoadBalancerArgs, Route, RuleMode
from components.postgres import LogStatement, Postgres, PostgresArgs
from components.subnet import SubnetRef
from components.tags import MANAGED_BY, REQUIRED_TAG_KEYS, layered_tags
from components.vpc import NatMode, Vpc, VpcArgs
from components.web_acl import WebAcl, WebAclArgs

__version__ = "0.4.0"

__all__ = [
    "MANAGED_BY",
    "REQUIRED_TAG_KEYS",
    "TYPE_PACKAGE",
    "AccountBaseline",
    "AccountBaselineArgs",
    "AlarmThresholds",
    "AlarmTopic",
    "AlarmTopicArgs",
    "Architecture",
    "Autoscaling",
    "Backup",
    "BackupArgs",
    "BlueGreen",
    "BlueGreenArgs",
    "BlueGreenMode",
    "BlueGreenSettings",
    "Cache",
    "CacheArgs",
    "CacheAuthMode",
    "CacheEngine",
    "Capacity",
    "Cdn",
    "CdnArgs",
    "Cluster",
    "ClusterArgs",
    "Color",
    "ColorSettings",
    "Component",
    "ComponentArgsError",
    "ContainerHealthCheck",
    "ContainerImage",
    "ContainerImageArgs",
    "ContainerInsights",
    "DashboardTarget",
    "Dashboards",
    "DashboardsArgs",
    "DataTierEgress",
    "DeploymentStrategy",
    "Domain",
    "DomainArgs",
    "EnvironmentKey",
    "EnvironmentKeyArgs",
    "FargateService",
    "FargateServiceArgs",
    "FindingFrequency",
    "GeoRestrictionType",
    "HealthCheck",
    "IamPolicyError",
    "InitContainer",
    "LifecycleHook",
    "LifecycleStage",
    "LoadBalancer",
    "LoadBalancerAdvanced",
    "LoadBalancerArgs",
    "LogStatement",
    "NatMode",
    "NativeHook",
    "OriginProtocol",
    "Postgres",
    "PostgresArgs",
    "PriceClass",
    "RepositoryEncryption",
    "Route",
    "RuleMode",
    "S3Access",
    "S3Grant",
    "ScaleSchedule",
    "ServiceDashboard",
    "StatementGrant",
    "SubnetRef",
    "Vpc",
    "VpcArgs",
    "WebAcl",
    "WebAclArgs",
    "__version__",
    "layered_tags",
    "type_token",
]
