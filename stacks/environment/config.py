"""The stack's typed config: every key under the project's namespace, validated in one place.

``Pulumi.<env>.yaml`` holds keys such as ``streaming-platform:database`` (an object) on top of the
environment's profile (`stacks.environment.profiles`). `load_config` merges them, validates types, ranges and
unknown keys with pydantic, checks the profile's invariants, and returns a frozen `PlatformConfig`.
Any problem raises `ConfigError` whose message names the file, the key, the value and the fix —
before a single resource is created.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from components.aws_formats import (
    IMAGE_BY_DIGEST,
    LOG_RETENTION_DAYS,
    country_code_problem,
    fargate_size_problem,
    postgres_instance_class_problem,
)
from components.blue_green import DEFAULT_TEST_HEADER, HEADER_NAME, BlueGreenSettings, Color, ColorSettings
from stacks.environment.profiles import PROFILES, Profile, deep_merge, lookup
from stacks.environment.regions import region_problem

NAMESPACE = "streaming-platform"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")
_DNS_NAME = re.compile(r"^(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$")
_WAF_ARN = re.compile(r"^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global/webacl/[\w-]+/[0-9a-f-]{36}$")
#: The error type of a rule across fields that names the sub-key to blame (see `_blame`).
_BLAMED = "blamed"
#: A shown value longer than this is abbreviated to ``{…}`` in error messages.
_SHOWN_MAX = 80


class ConfigError(ValueError):
    """A stack config problem; the message names the file, the key, the value and the fix."""


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        strict=True,
        use_attribute_docstrings=True,
    )


def _blame(key: str, value: Any, message: str) -> PydanticCustomError:
    """The error of a rule across several fields, reported at ``key`` (dotted camelCase, below the model
    that raises it) holding ``value``, so the message names the value to change rather than the model."""
    return PydanticCustomError(_BLAMED, message, {"blame_key": key, "blame_value": value})


def _retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS[:12])
        raise ValueError(f"CloudWatch Logs accepts only {allowed}, … days")
    return value


class NetworkConfig(_Model):
    cidr: str
    """The VPC's IPv4 CIDR (/16 to /20)."""
    az_count: Annotated[int, Field(ge=2, le=6)]
    """How many availability zones the VPC spans (2 to 6)."""
    nat_mode: Literal["none", "instance", "single", "per_az"]
    """Egress for private subnets: none, a NAT instance, one NAT gateway, or one per AZ."""
    flow_logs: bool
    """Record VPC flow logs to CloudWatch Logs."""
    flow_log_retention_days: int
    """Days to keep flow logs."""
    interface_endpoints: list[str]
    """Interface VPC endpoints to create (ecr.api, ecr.dkr, logs, secretsmanager, …)."""

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value)
        except ValueError as exc:
            raise ValueError(f"is not an IPv4 CIDR such as 10.0.0.0/16 ({exc})") from None
        if not 16 <= network.prefixlen <= 20:
            raise ValueError("must be a /16 to /20 block (the VPC is cut into 3 tiers per AZ)")
        if not network.is_private:
            raise ValueError("must be a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)")
        return value

    _flow_retention = field_validator("flow_log_retention_days")(classmethod(lambda cls, v: _retention(v)))


class GeoRestriction(_Model):
    mode: Literal["none", "allow", "deny"]
    """none, or allow/deny the listed countries."""
    countries: list[str]
    """ISO 3166-1 alpha-2 country codes."""

    @field_validator("countries")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        for code in value:
            problem = country_code_problem(code)
            if problem:
                raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> GeoRestriction:
        if self.mode != "none" and not self.countries:
            raise ValueError(f"mode '{self.mode}' needs at least one country in 'countries'")
        return self


class EdgeConfig(_Model):
    domain: str | None = None
    """The viewers' domain (e.g. stream.example.com): the platform creates and DNS-validates both certificates and the records (replaces certificateArn, albDomainName, cdnDomainNames, cdnCertificateArn)."""
    hosted_zone_id: str | None = None
    """The public Route 53 hosted zone of domain; none looks the zone up by hostedZoneName."""
    hosted_zone_name: str | None = None
    """The zone looked up when hostedZoneId is not given (defaults to domain without its first label)."""
    certificate_arn: str | None
    """ACM certificate (in the stack's region) for the load balancer's HTTPS listener; none means HTTP only."""
    alb_domain_name: str | None
    """A DNS name (covered by certificateArn) that points at the load balancer; CloudFront connects to it over HTTPS."""
    cdn_domain_names: list[str]
    """Custom domain names (aliases) of the CloudFront distribution."""
    cdn_certificate_arn: str | None
    """ACM certificate in us-east-1 for the custom domain names."""
    alb_scheme: Literal["internal", "internet-facing"]
    """internal: the load balancer sits in private subnets with no public address, and CloudFront reaches it through a VPC origin; internet-facing: public subnets, HTTPS only (needs certificateArn), admitted only from CloudFront's origin-facing prefix list."""
    alb_ingress_cidrs: list[str]
    """Extra CIDRs the load balancer admits besides CloudFront (e.g. a VPN for direct tests); CloudFront's origin-facing prefix list is always admitted."""
    alb_access_logs: bool
    """Keep load balancer access logs in S3."""
    alb_deletion_protection: bool
    """Protect the load balancer from deletion."""
    cdn_access_logs: bool
    """Keep CloudFront standard logs in S3."""
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]
    """CloudFront price class."""
    waf: bool
    """Create a WAFv2 web ACL (AWS managed rules + per-IP rate limit) for CloudFront (~$9/month)."""
    waf_logging: bool
    """Log the web ACL's requests to a CloudWatch log group ``aws-waf-logs-…`` (us-east-1)."""
    waf_web_acl_arn: str | None
    """An existing WAFv2 web ACL (global scope, us-east-1) to attach instead of creating one."""
    geo_restriction: GeoRestriction
    """Country allow or deny list for CloudFront."""
    signed_media_urls: bool
    """Serve /media/* only through CloudFront signed URLs (a key pair is generated)."""

    @field_validator("certificate_arn", "cdn_certificate_arn")
    @classmethod
    def _acm(cls, value: str | None) -> str | None:
        if value is not None and not _ACM_ARN.match(value):
            raise ValueError("is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)")
        return value

    @field_validator("waf_web_acl_arn")
    @classmethod
    def _waf(cls, value: str | None) -> str | None:
        if value is not None and not _WAF_ARN.match(value):
            raise ValueError(
                "is not a global WAFv2 web ACL ARN (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)"
            )
        return value

    @field_validator("alb_ingress_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr)
            except ValueError:
                raise ValueError(f"{cidr!r} is not a CIDR such as 0.0.0.0/0 or 203.0.113.0/24") from None
        return value

    @field_validator("domain", "hosted_zone_name")
    @classmethod
    def _dns_name(cls, value: str | None) -> str | None:
        if value is not None and not _DNS_NAME.match(value):
            raise ValueError("is not a lower-case DNS name with at least two labels, such as stream.example.com")
        return value

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone_id(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"Z[A-Z0-9]{1,31}", value):
            raise ValueError(
                "is not a Route 53 hosted zone id (Z followed by upper-case letters and digits); "
                "see `aws route53 list-hosted-zones`"
            )
        return value

    @model_validator(mode="after")
    def _domain_or_own_certificates(self) -> EdgeConfig:
        if self.domain is None:
            for zone_key, zone_value in (
                ("hostedZoneId", self.hosted_zone_id),
                ("hostedZoneName", self.hosted_zone_name),
            ):
                if zone_value is not None:
                    raise _blame(
                        zone_key, zone_value, "needs domain: the zone is where the domain's records are created"
                    )
            return self
        own: dict[str, str | list[str] | None] = {
            "certificateArn": self.certificate_arn,
            "albDomainName": self.alb_domain_name,
            "cdnDomainNames": self.cdn_domain_names or None,
            "cdnCertificateArn": self.cdn_certificate_arn,
        }
        for key, value in own.items():
            if value is not None:
                raise _blame(
                    key,
                    value,
                    "is set together with domain, which creates the certificates and names itself; "
                    "remove it (or remove domain to bring your own certificates)",
                )
        if self.hosted_zone_id is not None and self.hosted_zone_name is not None:
            raise _blame("hostedZoneName", self.hosted_zone_name, "is given with hostedZoneId; give one of them")
        zone = self.hosted_zone_name
        if zone is not None and not self.domain.endswith(f".{zone}") and self.domain != zone:
            raise _blame("hostedZoneName", zone, f"does not contain domain {self.domain}; give the zone it is in")
        return self

    @model_validator(mode="after")
    def _domain_needs_cert(self) -> EdgeConfig:
        if self.alb_scheme == "internet-facing" and self.certificate_arn is None and self.domain is None:
            raise _blame(
                "albScheme",
                self.alb_scheme,
                "needs domain (the platform's certificates) or certificateArn and albDomainName: a public load balancer is reached from CloudFront "
                "over the internet, so only over HTTPS; set them, or use albScheme: internal (a VPC origin)",
            )
        if self.certificate_arn is not None and self.alb_domain_name is None:
            raise ValueError(
                "certificateArn needs albDomainName: CloudFront verifies the load balancer's certificate "
                "against the origin's name, so give the DNS name the certificate covers"
            )
        if self.cdn_domain_names and self.cdn_certificate_arn is None:
            raise ValueError("cdnDomainNames needs cdnCertificateArn (an ACM certificate in us-east-1)")
        if self.waf and self.waf_web_acl_arn is not None:
            raise ValueError("waf creates a web ACL and wafWebAclArn attaches an existing one; set only one")
        if self.cdn_certificate_arn is not None and ":us-east-1:" not in self.cdn_certificate_arn:
            raise ValueError("cdnCertificateArn must be in us-east-1 (CloudFront reads certificates only there)")
        return self


class ServiceSize(_Model):
    cpu: Literal[256, 512, 1024, 2048, 4096, 8192, 16384]
    """Task vCPU units."""
    memory: Annotated[int, Field(ge=512, le=122880)]
    """Task memory (MiB); must suit cpu (Fargate's table)."""
    desired_count: Annotated[int, Field(ge=0, le=100)]
    """Tasks to start with."""
    min_count: Annotated[int, Field(ge=0, le=100)]
    """Autoscaling floor."""
    max_count: Annotated[int, Field(ge=1, le=100)]
    """Autoscaling ceiling."""

    @model_validator(mode="after")
    def _order(self) -> ServiceSize:
        problem = fargate_size_problem(self.cpu, self.memory)
        if problem:
            raise _blame("memory", self.memory, problem[1].removeprefix(f"{self.memory} ").replace("cpu=", "cpu "))
        if self.min_count > self.max_count:
            raise _blame(
                "minCount",
                self.min_count,
                f"is above maxCount ({self.max_count}); the autoscaling floor must not exceed its ceiling",
            )
        if self.desired_count < self.min_count:
            raise _blame(
                "desiredCount",
                self.desired_count,
                f"is below minCount ({self.min_count}); start at least as many tasks as the floor",
            )
        if self.desired_count > self.max_count:
            raise _blame(
                "desiredCount",
                self.desired_count,
                f"is above maxCount ({self.max_count}); start at most as many tasks as the ceiling",
            )
        return self


class ScheduleConfig(_Model):
    sleep: str
    """When the services scale to zero: ``cron(<minute> <hour> ? * <days> *)``."""
    wake: str
    """When they scale back to minCount: same form."""
    timezone: str
    """IANA time zone of both expressions."""


class ServicesConfig(_Model):
    architecture: Literal["ARM64", "X86_64"]
    """CPU architecture of the tasks (ARM64 is about 20% cheaper)."""
    capacity: Literal["spot", "mixed", "on_demand"]
    """Fargate capacity: all Spot, a Spot/on-demand mix with an on-demand base, or all on-demand."""
    image: str | None
    """A prebuilt image by digest (repo@sha256:…); none builds apps/streaming into ECR."""
    container_port: Annotated[int, Field(ge=1024, le=65535)]
    """The app's port."""
    enable_execute_command: bool
    """Allow ECS Exec into tasks."""
    container_insights: Literal["enhanced", "enabled", "disabled"]
    """The cluster's Container Insights mode (its metrics are billed as CloudWatch custom metrics; "disabled" fails FSBP ECS.12)."""
    log_retention_days: int
    """Days to keep service logs."""
    schedule: ScheduleConfig | None
    """Sleep (0 tasks) and wake the services on a weekly schedule; none keeps them always on."""
    catalog: ServiceSize
    """The catalog service's size."""
    accounts: ServiceSize
    """The accounts service's size."""

    _log_retention = field_validator("log_retention_days")(classmethod(lambda cls, v: _retention(v)))

    @model_validator(mode="after")
    def _spot_needs_x86(self) -> ServicesConfig:
        if self.capacity != "on_demand" and self.architecture == "ARM64":
            raise ValueError(
                f"capacity '{self.capacity}' uses Fargate Spot, which runs only X86_64 tasks; "
                "set architecture to X86_64 or capacity to on_demand"
            )
        return self

    @field_validator("image")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        if value is not None and not IMAGE_BY_DIGEST.fullmatch(value):
            raise ValueError("must be an image reference by digest (<repository>@sha256:<64 hex>)")
        return value


class DatabaseConfig(_Model):
    engine_version: Literal["14", "15", "16", "17"]
    """PostgreSQL major version."""
    instance_class: str
    """RDS instance class."""
    allocated_storage: Annotated[int, Field(ge=20, le=65536)]
    """Initial gp3 storage (GiB)."""
    max_allocated_storage: Annotated[int, Field(ge=20, le=65536)]
    """Storage autoscaling ceiling (GiB)."""
    multi_az: bool
    """A standby in a second AZ."""
    backup_retention_days: Annotated[int, Field(ge=1, le=35)]
    """Days of automated backups."""
    deletion_protection: bool
    """Refuse deletion (a final snapshot is taken whenever this is on)."""
    performance_insights: bool
    """Performance Insights (7 days free)."""
    monitoring_interval: Literal[0, 1, 5, 10, 15, 30, 60]
    """Seconds between RDS enhanced monitoring samples (0 = off)."""
    iam_authentication: bool
    """Enable IAM database authentication (FSBP RDS.10)."""

    @field_validator("instance_class")
    @classmethod
    def _instance_class(cls, value: str) -> str:
        problem = postgres_instance_class_problem(value)
        if problem:
            raise ValueError(problem.removeprefix(f"{value!r}: "))
        return value

    @model_validator(mode="after")
    def _storage(self) -> DatabaseConfig:
        if self.max_allocated_storage < self.allocated_storage:
            raise ValueError(
                f"maxAllocatedStorage ({self.max_allocated_storage}) must be >= allocatedStorage "
                f"({self.allocated_storage})"
            )
        return self


class CacheConfig(_Model):
    enabled: bool
    """Create the ElastiCache replication group; false leaves each task its in-process cache."""
    engine: Literal["valkey", "redis"]
    """Cache engine."""
    node_type: Annotated[str, Field(pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")]
    """ElastiCache node type."""
    nodes: Annotated[int, Field(ge=1, le=6)]
    """Nodes (2+ enables automatic failover and Multi-AZ)."""
    snapshot_retention_days: Annotated[int, Field(ge=0, le=35)]
    """Days of snapshots."""


class EncryptionConfig(_Model):
    customer_managed_key: bool
    """One customer-managed KMS key for the environment's logs, secrets, buckets, images, data tier and alarms."""


class AlarmsConfig(_Model):
    email: str | None
    """An address subscribed to an encrypted alarm topic that every alarm notifies (confirmed by email)."""
    topic_arn: Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")] | None
    """An existing SNS topic every alarm also notifies (e.g. one a chat integration or pager watches)."""
    dashboards: bool
    """CloudWatch dashboards: one per service and one for the environment ($3/month each beyond 3 per account)."""

    @field_validator("email")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.fullmatch(value):
            raise ValueError("is not an email address; write one such as ops@example.com (or null for none)")
        return value


class BackupConfig(_Model):
    enabled: bool
    """An AWS Backup vault and plan covering the database and the media bucket."""
    schedule: Annotated[str, Field(pattern=r"^cron\([^()]+\)$")]
    """When recovery points are taken, an AWS Backup cron expression in UTC (cron(0 3 * * ? *) is 03:00 daily)."""
    retention_days: Annotated[int, Field(ge=1, le=36500)]
    """Days each recovery point is kept."""


BlueGreenService = Literal["catalog", "accounts"]
"""The services that can run blue-green (the keys of ``blueGreen``)."""
BlueGreenColor = Literal["blue", "green"]
_COLORS: tuple[BlueGreenColor, BlueGreenColor] = ("blue", "green")


class BlueGreenWeights(_Model):
    """Percent of the route's traffic per colour: exactly blue and green, integers summing to 100."""

    blue: Annotated[int, Field(ge=0, le=100)]
    """Blue's share of the route's traffic (percent)."""
    green: Annotated[int, Field(ge=0, le=100)]
    """Green's share of the route's traffic (percent)."""

    @model_validator(mode="before")
    @classmethod
    def _both_colours(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or set(data) != set(_COLORS):
            raise ValueError("must name exactly blue and green, e.g. {blue: 100, green: 0}")
        return data

    @model_validator(mode="after")
    def _percentages(self) -> BlueGreenWeights:
        total = self.blue + self.green
        if total != 100:
            raise ValueError(
                f"sums to {total}; weights are percentages and must sum to 100, "
                f"e.g. {{blue: {self.blue}, green: {100 - self.blue}}}"
            )
        return self

    def of(self, color: BlueGreenColor) -> int:
        return self.blue if color == "blue" else self.green


class BlueGreenColorConfig(_Model):
    """One colour's deployment: its image and how many tasks it runs."""

    image: str = ""
    """An image by digest (<repository>@sha256:<64 hex>), or "" for the stack's own image (null means "")."""
    desired_count: Annotated[int, Field(ge=0)]
    """Tasks to run; 0 scales the colour away (defaults to 1 for the active colour, 0 for the idle one)."""

    @field_validator("image", mode="before")
    @classmethod
    def _null_is_the_stacks_image(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("image")
    @classmethod
    def _by_digest(cls, value: str) -> str:
        if value and not IMAGE_BY_DIGEST.fullmatch(value):
            raise ValueError('must be "" (the stack\'s own image) or an image by digest, <repository>@sha256:<64 hex>')
        return value


class BlueGreenServiceConfig(_Model):
    """One service's ``blueGreen.<service>`` entry: two colours behind one weighted listener rule.

    ``python -m stacks switch`` rewrites ``activeColor`` and ``weights`` after it moved traffic.
    """

    active_color: BlueGreenColor = "blue"
    """The colour that last took all traffic."""
    weights: BlueGreenWeights
    """Percent of the route's traffic per colour (defaults to 100 for the active colour, 0 for the other)."""
    blue: BlueGreenColorConfig
    """Blue's image and desired count."""
    green: BlueGreenColorConfig
    """Green's image and desired count."""
    test_header: str | None = DEFAULT_TEST_HEADER
    """Header of the per-colour test rules (``<header>: <colour>``); "" (or null) for no test rules."""

    @model_validator(mode="before")
    @classmethod
    def _defaults_follow_the_active_colour(cls, data: Any) -> Any:
        """Fill what defaults to the active colour's role: weights 100/0, desiredCount 1 (active) or 0 (idle)."""
        if not isinstance(data, Mapping):
            return data  # the model's own type check refuses it
        filled = dict(data)
        given = filled.get("activeColor", filled.get("active_color", "blue"))
        active = given if given in _COLORS else "blue"  # an invalid activeColor is refused on its own
        filled.setdefault("weights", {c: 100 if c == active else 0 for c in _COLORS})
        for color in _COLORS:
            entry = filled.get(color, {})
            if isinstance(entry, Mapping) and "desiredCount" not in entry and "desired_count" not in entry:
                filled[color] = {**entry, "desiredCount": 1 if color == active else 0}
        return filled

    @field_validator("test_header")
    @classmethod
    def _header_name(cls, value: str | None) -> str | None:
        if value and not HEADER_NAME.fullmatch(value):
            raise ValueError('must be an HTTP header name of at most 40 characters, or "" for no test rules')
        return value

    @model_validator(mode="after")
    def _consistent(self) -> BlueGreenServiceConfig:
        full = next((c for c in _COLORS if self.weights.of(c) == 100), None)
        if full is not None and full != self.active_color:
            raise _blame(
                "activeColor",
                self.active_color,
                f"contradicts weights ({full} takes 100%); set activeColor: {full} or use "
                "`python -m stacks switch` which writes both",
            )
        for color in _COLORS:
            weight, count = self.weights.of(color), self.color(color).desired_count
            if weight > 0 and count == 0:
                raise _blame(
                    f"{color}.desiredCount",
                    count,
                    f"is 0 but {color} takes {weight}% of traffic; run at least 1 task or set its weight to 0",
                )
        return self

    def color(self, color: BlueGreenColor) -> BlueGreenColorConfig:
        return self.blue if color == "blue" else self.green

    def to_settings(self) -> BlueGreenSettings:
        """The `BlueGreen` component's typed settings (`components.blue_green.BlueGreenSettings`)."""
        return BlueGreenSettings(
            active_color=Color(self.active_color),
            weights={Color(c): self.weights.of(c) for c in _COLORS},
            blue=ColorSettings(image=self.blue.image, desired_count=self.blue.desired_count),
            green=ColorSettings(image=self.green.image, desired_count=self.green.desired_count),
            test_header=self.test_header or None,
        )


class PlatformConfig(_Model):
    """The whole environment's settings, after profile defaults and the stack file are merged."""

    profile: Literal["dev", "staging", "prod"]
    """The profile whose defaults and invariants apply (defaults to the stack's name)."""
    network: NetworkConfig
    """The VPC."""
    edge: EdgeConfig
    """CloudFront, the load balancer, TLS and WAF."""
    services: ServicesConfig
    """The app's ECS services."""
    database: DatabaseConfig
    """RDS PostgreSQL."""
    cache: CacheConfig
    """ElastiCache."""
    alarms: AlarmsConfig
    """Alarm notifications."""
    encryption: EncryptionConfig
    """Encryption at rest beyond the AWS-managed keys."""
    backup: BackupConfig
    """AWS Backup of the database and the media bucket."""
    blue_green: dict[BlueGreenService, BlueGreenServiceConfig]
    """Per service: activeColor, weights, blue/green image and desiredCount, testHeader (see docs/blue_green.md)."""
    budget_monthly_usd: float | int | None
    """The monthly cost the budget policy allows (USD, estimated from the plan)."""
    invariant_overrides: list[str]
    """Names of profile invariants deliberately broken (e.g. database-multi-az)."""

    @field_validator("budget_monthly_usd")
    @classmethod
    def _positive_budget(cls, value: float | int | None) -> float | int | None:
        if value is not None and (isinstance(value, bool) or value <= 0):
            raise ValueError("must be a positive amount of US dollars per month (e.g. 85), or null for no budget")
        return value

    def blue_green_settings(self, service: str) -> BlueGreenSettings:
        """``service``'s ``blueGreen`` entry as the `BlueGreen` component's settings (KeyError if it has none)."""
        for name, entry in self.blue_green.items():
            if name == service:
                return entry.to_settings()
        raise KeyError(f"{NAMESPACE}:blueGreen has no entry {service!r}")


TOP_LEVEL_KEYS = tuple(to_camel(name) for name in PlatformConfig.model_fields)


def _loc_to_key(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in loc]
    key = ".".join(p for p in parts if not p.startswith("["))
    index = "".join(p for p in parts if p.startswith("["))
    return f"{NAMESPACE}:{key}{index}"


def _describe(kind: str, error: Mapping[str, Any], loc: tuple[int | str, ...]) -> str:
    if kind == "extra_forbidden":
        return f"is not a known key; known keys here: {', '.join(_known_keys_at(loc))}"
    if kind == "missing":
        return "is required"
    if kind == "model_type":
        return f"has the wrong type: it must be a mapping with the keys {', '.join(_keys_of(_type_at(loc)))}"
    msg = str(error["msg"]).removeprefix("Value error, ").replace("Input should be", "must be")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"has the wrong type: it {msg}"
    return msg


def _type_at(loc: tuple[int | str, ...]) -> Any:
    """The annotation of the value at ``loc`` (a pydantic error location) in `PlatformConfig`, or None."""
    node: Any = PlatformConfig
    for part in loc:
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(_snake(str(part)))
            node = field.annotation if field else None
        elif get_origin(node) in (dict, list):
            node = get_args(node)[-1]  # a mapping's values, a list's items
        else:
            return None
    return node


def _keys_of(annotation: Any) -> list[str]:
    """The keys a value of type ``annotation`` may have: a model's fields, a mapping's literal keys."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [to_camel(n) for n in annotation.model_fields]
    if get_origin(annotation) is dict:
        key = get_args(annotation)[0]
        if get_origin(key) is Literal:
            return [str(k) for k in get_args(key)]
    return []


def _known_keys_at(loc: tuple[int | str, ...]) -> list[str]:
    return _keys_of(_type_at(loc[:-1]))


def _value_at(raw: Any, loc: tuple[int | str, ...]) -> Any:
    for part in loc:
        raw = raw.get(part) if isinstance(raw, Mapping) else None
    return raw


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str)
    return "{…}" if isinstance(value, dict) and len(text) > _SHOWN_MAX else text


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", camel).lower()


def _parse_value(key: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def load_config(values: Mapping[str, str], *, env: str, source: str) -> PlatformConfig:
    """Merge ``values`` (engine-shaped config: full keys to strings) onto the profile and validate.

    ``env`` is the stack name, ``source`` the file named in errors (``Pulumi.dev.yaml``).
    """
    prefix = f"{NAMESPACE}:"
    region = values.get("aws:region")
    problem = region_problem(region) if region is not None else None
    if problem:
        raise ConfigError(f"{source}: aws:region = {json.dumps(region)}: {problem}")
    file_values: dict[str, Any] = {}
    for full_key, text in sorted(values.items()):
        if not full_key.startswith(prefix):
            continue
        key = full_key[len(prefix) :]
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(
                f"{source}: {full_key} is not a known key; known keys: {', '.join(prefix + k for k in TOP_LEVEL_KEYS)}"
            )
        file_values[key] = text if key == "profile" else _parse_value(full_key, text)

    profile_name = file_values.get("profile", env)
    profile: Profile | None = PROFILES.get(str(profile_name))
    if profile is None:
        raise ConfigError(
            f"{source}: {prefix}profile = {profile_name!r} is not a profile; set {prefix}profile to one of "
            f"{', '.join(PROFILES)} (stacks named otherwise must say which profile they follow)"
        )
    raw = deep_merge(profile.defaults, {**file_values, "profile": profile.name})
    try:
        config = PlatformConfig.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        kind, loc, value = error["type"], tuple(error["loc"]), error.get("input")
        if kind == _BLAMED:  # a rule across fields: name the sub-key it blames
            loc = (*loc, *str(error["ctx"]["blame_key"]).split("."))
            value = error["ctx"]["blame_value"]
        if loc and loc[-1] == "[key]":  # a mapping's key that is not one of its known keys
            kind, loc = "extra_forbidden", loc[:-1]
            value = _value_at(raw, loc)
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        raise ConfigError(
            f"{source}: {_loc_to_key(loc)} = {_shown(value)}: {_describe(kind, error, loc)}{more}"
        ) from None

    _check_invariants(profile, raw, config, source)
    return config


def _check_invariants(profile: Profile, raw: dict[str, Any], config: PlatformConfig, source: str) -> None:
    known = {inv.name for inv in profile.invariants}
    unknown = [o for o in config.invariant_overrides if o not in known]
    if unknown:
        raise ConfigError(
            f"{source}: {NAMESPACE}:invariantOverrides = {json.dumps(unknown)} names no invariant of the "
            f"'{profile.name}' profile; known: {', '.join(sorted(known)) or 'none'}"
        )
    for invariant in profile.invariants:
        if invariant.name in config.invariant_overrides or invariant.check(raw):
            continue
        value = lookup(raw, invariant.key)
        raise ConfigError(
            f"{source}: {NAMESPACE}:{invariant.key} = {json.dumps(value)} breaks the '{profile.name}' profile's "
            f"invariant '{invariant.name}' ({invariant.rule}); restore it, or accept the risk explicitly by "
            f"adding '{invariant.name}' to {NAMESPACE}:invariantOverrides"
        )
