"""StreamingPlatform: one whole environment for the bundled streaming app, from a typed config.

Composes the components into the product's home on AWS::

    viewer ─HTTPS─> CloudFront (Cdn) ─┬─ /          -> site bucket (the app's web page)
                                      ├─ /media/*   -> media bucket (signed URLs)
                                      └─ /api/*     -> VPC origin -> internal ALB (LoadBalancer) ─┬─ /api/catalog/*  -> catalog service(s)
                                                                            └─ /api/accounts/* -> accounts service
    services (FargateService, private subnets) ─> Postgres :5432, Cache :6379 (isolated subnets)

Security-group chain: CloudFront (its origin-facing prefix list; ``edge.albScheme`` internal: through a
VPC origin, internet-facing: HTTPS plus a secret origin header) -> ALB 80/443 -> services' port ->
Postgres 5432 / Cache 6379, nothing else. Services get endpoints as environment variables and only
the credentials they use as ECS secrets (both: the cache AUTH secret and the JWT signing secret,
which the catalog needs to verify tokens; the catalog alone: the CDN signing key). Each connects to
PostgreSQL as a role of its own whose password is in its own secret (``DATABASE_SECRET_ARN``, read
by the app at connect time with the task role, which may read that one secret only); the RDS master
credentials go only to each task's ``migrate`` init container, which applies the schema and
provisions the service's role before the app starts. Task roles get only the S3 access and the
secret they need. The catalog service runs blue-green when the config has a ``blueGreen.catalog`` entry.

Importable into any Pulumi program (see ``examples/``)::

    from stacks.environment.config import load_config
    from stacks.environment.streaming_platform import StreamingPlatform, StreamingPlatformArgs
    StreamingPlatform("streaming", StreamingPlatformArgs(config=load_config({}, env="dev", source="inline")))

Cost: the sum of its components; ``python -m stacks cost <env>`` prices a plan.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.resources
import mimetypes
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_random as random
import pulumi_tls as tls

from components import (
    MANAGED_BY,
    AlarmTopic,
    AlarmTopicArgs,
    Architecture,
    Autoscaling,
    Backup,
    BackupArgs,
    BlueGreen,
    BlueGreenArgs,
    Cache,
    CacheArgs,
    CacheEngine,
    Capacity,
    Cdn,
    CdnArgs,
    Cluster,
    ClusterArgs,
    Component,
    ContainerImage,
    ContainerImageArgs,
    ContainerInsights,
    Dashboards,
    DashboardsArgs,
    DashboardTarget,
    DataTierEgress,
    Domain,
    DomainArgs,
    EnvironmentKey,
    EnvironmentKeyArgs,
    FargateService,
    FargateServiceArgs,
    GeoRestrictionType,
    InitContainer,
    LoadBalancer,
    LoadBalancerArgs,
    NatMode,
    OriginProtocol,
    Postgres,
    PostgresArgs,
    PriceClass,
    RepositoryEncryption,
    Route,
    RuleMode,
    S3Access,
    S3Grant,
    ScaleSchedule,
    ServiceDashboard,
    StatementGrant,
    Vpc,
    VpcArgs,
    WebAcl,
    WebAclArgs,
)
from components.dashboards import arn_suffix
from stacks.environment.config import PlatformConfig, ServiceSize


def bundled_app_dir() -> Path:
    """The bundled streaming app's directory (its Dockerfile and ``web/``), wherever ``apps`` is
    installed: the checkout for an editable install, ``site-packages`` for the wheel."""
    return Path(str(importlib.resources.files("apps.streaming")))


def program_relative(path: Path) -> str:
    """``path`` as the engine should see it: relative to the program's working directory when it
    lies in the project (the nearest directory upwards holding ``Pulumi.yaml``), so the input is
    the same from every checkout; absolute otherwise (an app installed outside the project, where a
    deploy from another machine re-uploads the same bytes under a new path)."""
    cwd = Path.cwd().resolve()
    resolved = path.resolve()
    for directory in (cwd, *cwd.parents):
        if (directory / "Pulumi.yaml").is_file():
            if resolved.is_relative_to(directory):
                return Path(os.path.relpath(resolved, cwd)).as_posix()
            break
    return str(resolved)


SERVICES = ("catalog", "accounts")
ORIGIN_VERIFY_HEADER = "X-Origin-Verify"
#: AWS's managed prefix list of CloudFront's origin-facing addresses (CloudFront developer guide,
#: "Use the CloudFront managed prefix list").
CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"


@dataclass(frozen=True, kw_only=True)
class StreamingPlatformArgs:
    """Arguments of `StreamingPlatform`."""

    config: PlatformConfig
    """The environment's validated settings (`stacks.environment.config.load_config`). Default: required."""
    app_dir: Path = field(default_factory=bundled_app_dir)
    """The app's build context (Dockerfile) and its ``web/`` page. Default: the bundled apps/streaming (`bundled_app_dir`)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every taggable resource. Default: {}."""


class StreamingPlatform(Component):
    """A complete environment for the streaming app."""

    url: pulumi.Output[str]
    """The public URL (CloudFront, or the first custom domain)."""
    alb_dns_name: pulumi.Output[str]
    """The load balancer's DNS name."""
    cluster_name: pulumi.Output[str]
    """The ECS cluster's name."""
    service_names: dict[str, pulumi.Output[str]]
    """ECS service names by service (and colour for blue-green: ``catalog-blue``)."""
    image_uri: pulumi.Output[str]
    """The app image, by digest."""
    database_endpoint: pulumi.Output[str]
    """Postgres ``host:port``."""
    cache_endpoint: pulumi.Output[str]
    """The cache's primary endpoint."""
    site_bucket_name: pulumi.Output[str]
    """The bucket serving the web page."""
    media_bucket_name: pulumi.Output[str]
    """The bucket holding media."""

    def __init__(self, name: str, args: StreamingPlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not (args.app_dir / "web").is_dir():
            StreamingPlatform.fail(
                name, "app_dir", f"{args.app_dir} has no web/ page to upload; point app_dir at the app's directory"
            )
        # The budget travels as the component's input so the policy pack's budget rule can read it.
        super().__init__(
            name,
            opts,
            tags=args.tags,
            props={
                "budgetMonthlyUsd": args.config.budget_monthly_usd,
                # Accepted by the typed config; the policy pack relaxes the matching rules to advisory.
                "invariantOverrides": list(args.config.invariant_overrides),
            },
        )
        self._name = name
        self._args = args
        c = args.config
        child = self.child_opts()
        key = self._environment_key()
        self._key_arn: pulumi.Output[str] | None = key.arn if key is not None else None
        key_arn = self._key_arn

        vpc = Vpc(
            f"{name}-net",
            VpcArgs(
                cidr=c.network.cidr,
                az_count=c.network.az_count,
                nat=NatMode(c.network.nat_mode),
                flow_logs=c.network.flow_logs,
                flow_log_retention_days=c.network.flow_log_retention_days,
                interface_endpoints=tuple(c.network.interface_endpoints),
                log_kms_key_arn=key_arn,
                tags=args.tags,
            ),
            child,
        )

        image = self._image()
        # edge.domain: the platform makes the certificates and records; otherwise the stack file's own.
        domain = self._domain()
        alb_certificate = domain.origin_certificate_arn if domain else c.edge.certificate_arn
        alb_domain_name = domain.origin_domain_name if domain else c.edge.alb_domain_name
        internal = c.edge.alb_scheme == "internal"
        # Only CloudFront reaches the load balancer: its origin-facing prefix list, on the serving port.
        cloudfront = aws.ec2.get_managed_prefix_list(name=CLOUDFRONT_ORIGIN_FACING, opts=self.lookup_opts())
        # A public ALB is reachable from every CloudFront distribution, so it also requires a secret header
        # only ours sends; an internal one is reachable only through this account's VPC origin.
        origin_secret = (
            None if internal else random.RandomPassword(f"{name}-origin-verify", length=48, special=False, opts=child)
        )
        lb = LoadBalancer(
            f"{name}-lb",
            LoadBalancerArgs.in_vpc(
                vpc,
                internal=internal,
                routes=[self._route(s) for s in SERVICES],
                certificate_arn=alb_certificate,
                ingress_cidrs=tuple(c.edge.alb_ingress_cidrs),
                ingress_prefix_list_ids=(cloudfront.id,),
                deletion_protection=c.edge.alb_deletion_protection,
                access_logs=c.edge.alb_access_logs,
                required_header_name=ORIGIN_VERIFY_HEADER if origin_secret is not None else None,
                required_header_value=origin_secret.result if origin_secret is not None else None,
                force_destroy_logs=not c.edge.alb_deletion_protection,
                tags=args.tags,
            ),
            child,
        )

        # One key for every blue-green service's header test rules: the edge lets through only
        # requests carrying it (it holds the key's hash), the rules require it, operators read it
        # from Secrets Manager (docs/blue_green.md).
        test_key = (
            random.RandomPassword(f"{name}-deployment-test-key", length=48, special=False, opts=child).result
            if any(entry.test_header for entry in c.blue_green.values())
            else None
        )
        signing_key = (
            tls.PrivateKey(f"{name}-cdn-signing-key", algorithm="RSA", rsa_bits=2048, opts=child)
            if c.edge.signed_media_urls
            else None
        )
        cdn = Cdn(
            f"{name}-cdn",
            CdnArgs(
                # The custom origin name is a DNS alias of the ALB: keep the dependency on the ALB explicit.
                api_origin_domain=(
                    lb.dns_name.apply(lambda _: str(alb_domain_name)) if alb_domain_name else lb.dns_name
                ),
                # HTTP only without a certificate, and then only inside AWS: from the edge to the VPC origin.
                api_origin_protocol=OriginProtocol.HTTPS_ONLY if alb_certificate else OriginProtocol.HTTP_ONLY,
                api_vpc_origin_arn=lb.arn if internal else None,
                origin_verify_secret=origin_secret.result if origin_secret is not None else None,
                api_test_key_sha256=(
                    test_key.apply(lambda k: hashlib.sha256(k.encode()).hexdigest()) if test_key is not None else None
                ),
                aliases=(domain.domain,) if domain else tuple(c.edge.cdn_domain_names),
                certificate_arn=domain.cdn_certificate_arn if domain else c.edge.cdn_certificate_arn,
                media_public_key_pem=signing_key.public_key_pem if signing_key is not None else None,
                price_class=PriceClass(c.edge.price_class),
                access_logs=c.edge.cdn_access_logs,
                web_acl_id=self._web_acl_arn(),
                geo_restriction=GeoRestrictionType(c.edge.geo_restriction.mode),
                geo_countries=tuple(c.edge.geo_restriction.countries),
                force_destroy=not c.database.deletion_protection,
                kms_key_arn=key_arn,
                tags=args.tags,
            ),
            child,
        )

        db = Postgres(
            f"{name}-db",
            PostgresArgs.in_vpc(
                vpc,
                engine_version=c.database.engine_version,
                instance_class=c.database.instance_class,
                allocated_storage=c.database.allocated_storage,
                max_allocated_storage=c.database.max_allocated_storage,
                multi_az=c.database.multi_az,
                backup_retention_days=c.database.backup_retention_days,
                deletion_protection=c.database.deletion_protection,
                performance_insights=c.database.performance_insights,
                monitoring_interval=c.database.monitoring_interval,
                iam_authentication=c.database.iam_authentication,
                log_retention_days=c.services.log_retention_days,
                identifier=f"{name}-{pulumi.get_stack()}-db",
                kms_key_id=key_arn,
                master_user_secret_kms_key_id=key_arn,
                log_kms_key_arn=key_arn,
                tags=args.tags,
            ),
            child,
        )
        # cache.enabled: false (dev) plans no cache: each task then keeps its in-process cache.
        cache: Cache | None = None
        if c.cache.enabled:
            cache = Cache(
                f"{name}-cache",
                CacheArgs.in_vpc(
                    vpc,
                    engine=CacheEngine(c.cache.engine),
                    node_type=c.cache.node_type,
                    num_nodes=c.cache.nodes,
                    snapshot_retention_limit=c.cache.snapshot_retention_days,
                    log_retention_days=c.services.log_retention_days,
                    replication_group_id=f"{name}-{pulumi.get_stack()}-cache",
                    # A fixed name: a rebuilt dev must not find it "scheduled for deletion".
                    secret_recovery_window_days=self._secret_recovery_days(),
                    kms_key_id=key_arn,
                    secret_kms_key_id=key_arn,
                    log_kms_key_arn=key_arn,
                    tags=args.tags,
                ),
                child,
            )

        cluster = Cluster(
            f"{name}-cluster",
            ClusterArgs(container_insights=ContainerInsights(c.services.container_insights), tags=args.tags),
            child,
        )
        jwt_secret = self._generated_secret("jwt-secret", "JWT signing secret of the accounts service")
        signing_secret = (
            self._secret_holding(
                "cdn-signing-key", signing_key.private_key_pem, "Private key that signs CloudFront media URLs"
            )
            if signing_key is not None
            else None
        )

        aliases = (domain.domain,) if domain else tuple(c.edge.cdn_domain_names)
        environment: dict[str, pulumi.Input[str]] = {
            "DATABASE_HOST": db.address,
            "DATABASE_PORT": db.port.apply(str),
            "DATABASE_NAME": db.database_name,
            "DATABASE_SSLMODE": "require",
            "MEDIA_BUCKET": cdn.media_bucket_name,
            "AWS_REGION": aws.get_region(opts=self.lookup_opts()).region,
            # The page is served from the first alias when there are aliases: media URLs are signed
            # for that origin (the page's CSP allows media from its own origin) and CORS allows every
            # name the distribution answers to.
            "CDN_DOMAIN": aliases[0] if aliases else cdn.domain_name,
            "ALLOWED_ORIGINS": cdn.domain_name.apply(lambda d: ",".join(f"https://{n}" for n in (*aliases, d))),
            "TRUSTED_PROXY_HOPS": "2",  # CloudFront, then the ALB
        }
        if cache is not None:
            environment.update(
                {"REDIS_HOST": cache.primary_endpoint, "REDIS_PORT": cache.port.apply(str), "REDIS_TLS": "true"}
            )
        if cdn.public_key_id is not None:
            environment["CDN_KEY_PAIR_ID"] = cdn.public_key_id
        secrets: dict[str, pulumi.Input[str]] = {
            "JWT_SECRET": jwt_secret.arn,
        }
        if cache is not None:
            secrets["REDIS_AUTH_TOKEN"] = cache.auth_secret_arn
        # Only what each service uses: the catalog signs media URLs; the accounts do not.
        service_secrets = {
            "accounts": secrets,
            "catalog": {**secrets, **({"CDN_PRIVATE_KEY": signing_secret.arn} if signing_secret is not None else {})},
        }
        db_endpoint = {
            k: environment[k] for k in ("DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_SSLMODE")
        }

        alarm_actions = self._alarm_topic()
        data_egress = [DataTierEgress(role="db", security_group_id=db.security_group_id, port=5432)]
        if cache is not None:
            data_egress.append(DataTierEgress(role="cache", security_group_id=cache.security_group_id, port=6379))
        self.service_names = {}
        boards: list[ServiceDashboard] = []
        for service in SERVICES:
            size: ServiceSize = getattr(c.services, service)
            role_secret = self._database_role_secret(service)
            service_environment = {**environment, "APP_SERVICE": service, "DATABASE_SECRET_ARN": role_secret.arn}
            if service != "catalog":  # the key pair id comes with the private key only
                service_environment.pop("CDN_KEY_PAIR_ID", None)
            template = FargateServiceArgs(
                cluster_arn=cluster.arn,
                vpc_id=vpc.vpc_id,
                subnet_ids=vpc.private_subnet_ids,
                image=image.image_uri,
                repository_arn=image.repository_arn,
                cpu=size.cpu,
                memory=size.memory,
                architecture=Architecture(c.services.architecture),
                container_port=c.services.container_port,
                environment=service_environment,
                secrets=service_secrets[service],
                non_secret_environment_names=("DATABASE_SECRET_ARN",),
                init_container=self._migration_step(service, db, db_endpoint, role_secret),
                desired_count=size.desired_count,
                capacity=self._capacity(),
                load_balancer_security_group_id=lb.security_group_id,
                load_balancer_arn_suffix=lb.arn_suffix,
                data_tier_egress=tuple(data_egress),
                enable_execute_command=c.services.enable_execute_command,
                log_retention_days=c.services.log_retention_days,
                log_kms_key_arn=key_arn,
                secrets_kms_key_arns=(key_arn,) if key_arn is not None else (),
                task_role_grants=(*self._grants(service, cdn), *self._secret_grants(role_secret, key_arn)),
                alarm_actions=alarm_actions,
                autoscaling=Autoscaling(min_count=size.min_count, max_count=size.max_count, schedule=self._schedule()),
                tags={**args.tags, "Service": service},
                service_name=f"{name}-{pulumi.get_stack()}-{service}",
            )
            if service in c.blue_green:
                pair = BlueGreen(
                    f"{name}-{service}",
                    BlueGreenArgs(
                        service=service,
                        settings=c.blue_green_settings(service),
                        load_balancer=lb,
                        route=service,
                        service_template=template,
                        test_key=test_key,
                        secret_recovery_window_days=self._secret_recovery_days(),
                        secret_kms_key_id=key_arn,
                    ),
                    child,
                )
                security_groups = list(pair.security_group_ids.values())
                for color, service_name in pair.service_names.items():
                    self.service_names[f"{service}-{color}"] = service_name
                targets = tuple(
                    DashboardTarget(
                        label=color,
                        service_name=service_name,
                        target_group_arn_suffix=arn_suffix(pair.target_group_arns[color]),
                    )
                    for color, service_name in pair.service_names.items()
                )
            else:
                svc = FargateService(
                    f"{name}-{service}",
                    dataclasses.replace(
                        template,
                        target_group_arn=lb.target_group_arns[service],
                        target_group_arn_suffix=lb.target_group(service).arn_suffix,
                    ),
                    child,
                )
                security_groups = [svc.security_group_id]
                self.service_names[service] = svc.service_name
                targets = (
                    DashboardTarget(
                        label=service,
                        service_name=svc.service_name,
                        target_group_arn_suffix=lb.target_group(service).arn_suffix,
                    ),
                )
            boards.append(ServiceDashboard(service=service, targets=targets))
            for i, group in enumerate(security_groups):
                label = service if len(security_groups) == 1 else f"{service}-{i + 1}"
                db.allow_from(label, group)
                if cache is not None:
                    cache.allow_from(label, group)

        self._upload_site(cdn)
        if domain is not None:
            domain.alias_distribution(cdn.domain_name, cdn.hosted_zone_id)
            domain.alias_load_balancer(lb.dns_name, lb.zone_id)
        if c.backup.enabled:
            # The media bucket is versioned (CdnArgs.versioning, on by default): AWS Backup needs it for S3.
            Backup(
                f"{name}-backup",
                BackupArgs(
                    resource_arns=(db.arn, cdn.media_bucket_arn),
                    schedule=c.backup.schedule,
                    retention_days=c.backup.retention_days,
                    # The environment's key where it has one (prod); else AWS Backup's AWS managed key.
                    kms_key_arn=key_arn,
                    force_destroy=not c.database.deletion_protection,
                    tags=args.tags,
                ),
                child,
            )
        if c.alarms.dashboards:
            Dashboards(
                f"{name}-dashboards",
                DashboardsArgs(
                    dashboard_prefix=f"{name}-{pulumi.get_stack()}",
                    cluster_name=cluster.name,
                    load_balancer_arn_suffix=lb.arn_suffix,
                    services=tuple(boards),
                    distribution_id=cdn.distribution_id,
                    web_acl_metric_name=self._web_acl_metric_name,
                    database_identifier=db.identifier,
                    cache_replication_group_id=(
                        cache.arn.apply(lambda arn: arn.rsplit(":", 1)[-1]) if cache is not None else None
                    ),
                    cache_nodes=c.cache.nodes,
                    tags=args.tags,
                ),
                child,
            )

        self.url = (
            pulumi.Output.from_input(f"https://{c.edge.domain}")
            if c.edge.domain
            else pulumi.Output.from_input(f"https://{c.edge.cdn_domain_names[0]}")
            if c.edge.cdn_domain_names
            else cdn.domain_name.apply(lambda d: f"https://{d}")
        )
        self.alb_dns_name = lb.dns_name
        self.cluster_name = cluster.name
        self.image_uri = image.image_uri
        self.database_endpoint = db.endpoint
        # No cache (cache.enabled: false): an empty endpoint, so the stack's outputs keep their shape.
        self.cache_endpoint = cache.primary_endpoint if cache is not None else pulumi.Output.from_input("")
        self.site_bucket_name = cdn.site_bucket_name
        self.media_bucket_name = cdn.media_bucket_name
        self.register_outputs(
            {
                "url": self.url,
                "alb_dns_name": self.alb_dns_name,
                "cluster_name": self.cluster_name,
                "service_names": self.service_names,
                "image_uri": self.image_uri,
                "database_endpoint": self.database_endpoint,
                "cache_endpoint": self.cache_endpoint,
                "site_bucket_name": self.site_bucket_name,
                "media_bucket_name": self.media_bucket_name,
            }
        )

    # -- steps ---------------------------------------------------------------------------------

    def _schedule(self) -> ScaleSchedule | None:
        s = self._args.config.services.schedule
        return None if s is None else ScaleSchedule(sleep=s.sleep, wake=s.wake, timezone=s.timezone)

    def _image(self) -> ContainerImage:
        c = self._args.config
        image_args = (
            ContainerImageArgs(prebuilt_image=c.services.image, tags=self._args.tags)
            if c.services.image
            else ContainerImageArgs(
                context=str(self._args.app_dir),
                architecture=Architecture(c.services.architecture),
                force_delete=not c.database.deletion_protection,
                encryption=RepositoryEncryption.KMS if self._key_arn is not None else RepositoryEncryption.AES256,
                kms_key_arn=self._key_arn,
                tags=self._args.tags,
            )
        )
        return ContainerImage(f"{self._name}-image", image_args, self.child_opts())

    def _log_retention(self) -> int:
        return self._args.config.services.log_retention_days

    def _environment_key(self) -> EnvironmentKey | None:
        """The environment's customer-managed key (``encryption.customerManagedKey``), else none."""
        if not self._args.config.encryption.customer_managed_key:
            return None
        return EnvironmentKey(
            f"{self._name}-key",
            EnvironmentKeyArgs(alias_prefix=f"{pulumi.get_project()}/{pulumi.get_stack()}", tags=self._args.tags),
            self.child_opts(),
        )

    def _alarm_topic(self) -> tuple[pulumi.Input[str], ...]:
        """The encrypted alarm topic every alarm notifies (always created; prod and staging require a
        subscriber, a profile invariant), and ``alarms.topicArn`` beside it when set."""
        alarms = self._args.config.alarms
        topic = AlarmTopic(
            f"{self._name}-alarms",
            AlarmTopicArgs(
                emails=(alarms.email,) if alarms.email else (),
                extra_topic_arns=(alarms.topic_arn,) if alarms.topic_arn else (),
                # prod's environment key lets CloudWatch publish (CloudWatchAlarmsPublish)
                kms_key_arn=self._key_arn,
                tags=self._args.tags,
            ),
            self.child_opts(),
        )
        return topic.alarm_actions

    def _domain(self) -> Domain | None:
        """The custom domain's certificates and records, when ``edge.domain`` is set."""
        edge = self._args.config.edge
        if edge.domain is None:
            return None
        return Domain(
            f"{self._name}-domain",
            DomainArgs(
                domain=edge.domain,
                hosted_zone_id=edge.hosted_zone_id,
                hosted_zone_name=edge.hosted_zone_name,
                tags=self._args.tags,
            ),
            self.child_opts(),
        )

    def _web_acl_arn(self) -> pulumi.Input[str] | None:
        edge = self._args.config.edge
        self._web_acl_metric_name: str | None = None
        if not edge.waf:
            return edge.waf_web_acl_arn
        # CloudFront-scoped web ACLs live in us-east-1 whatever the stack's region.
        east = aws.Provider(
            f"{self._name}-us-east-1",
            region="us-east-1",
            default_tags=aws.ProviderDefaultTagsArgs(
                tags={"Project": pulumi.get_project(), "Environment": pulumi.get_stack(), "ManagedBy": MANAGED_BY}
            ),
            opts=self.child_opts(),
        )
        acl = WebAcl(
            f"{self._name}-waf",
            WebAclArgs(logging=edge.waf_logging, log_retention_days=self._log_retention(), tags=self._args.tags),
            pulumi.ResourceOptions(parent=self, providers={"aws": east}),
        )
        self._web_acl_metric_name = acl.metric_name
        return acl.arn

    def _route(self, service: str) -> Route:
        blue_green = service in self._args.config.blue_green
        return Route(
            name=service,
            path_patterns=[f"/api/{service}/*"],
            port=self._args.config.services.container_port,
            rule=RuleMode.EXTERNAL if blue_green else RuleMode.FORWARD,
        )

    def _capacity(self) -> Capacity:
        mode = self._args.config.services.capacity
        if mode == "spot":
            return Capacity.all_spot()
        if mode == "mixed":
            return Capacity(on_demand_weight=1, spot_weight=1, on_demand_base=1)
        return Capacity()

    def _grants(self, service: str, cdn: Cdn) -> tuple[S3Grant, ...]:
        if service == "catalog":
            # Presigned GET/PUT of media objects are signed with the task role; ListBucket (limited to
            # the prefix) lets the seeding step tell a missing object (404) from a forbidden one (403).
            return (
                S3Grant(
                    bucket_arn=cdn.media_bucket_arn,
                    prefix="media/*",
                    access=S3Access.READ_WRITE,
                    list_bucket=True,
                    kms_key_arn=self._key_arn,
                ),
            )
        return ()

    def _database_role_secret(self, service: str) -> aws.secretsmanager.Secret:
        """The service's PostgreSQL role and its generated password, as ``{"username", "password"}``
        (the RDS-managed secret's shape). The migration step sets the role's password from it."""
        password = random.RandomPassword(
            f"{self._name}-db-{service}-password", length=40, special=False, opts=self.child_opts()
        )
        value = pulumi.Output.json_dumps({"username": f"{service}_svc", "password": password.result})
        return self._secret_holding(f"db-{service}", value, f"PostgreSQL role of the {service} service")

    def _migration_step(
        self,
        service: str,
        db: Postgres,
        db_endpoint: Mapping[str, pulumi.Input[str]],
        role_secret: aws.secretsmanager.Secret,
    ) -> InitContainer:
        """The task's ``migrate`` init container: the only holder of the master credentials (injected
        by ECS from the RDS-managed secret each time a task starts, so a rotation is always seen).
        It migrates the schema, provisions the service's role from its secret, and seeds the catalog;
        the app container starts only when it succeeded."""
        return InitContainer(
            name="migrate",
            command=("python3", "-m", "apps.streaming", "migrate"),
            environment={**db_endpoint, "APP_SERVICE": service},
            secrets={
                "DATABASE_USER": db.secret_arn.apply(lambda arn: f"{arn}:username::"),
                "DATABASE_PASSWORD": db.secret_arn.apply(lambda arn: f"{arn}:password::"),
                "DATABASE_ROLE_SECRET": role_secret.arn,
            },
        )

    @staticmethod
    def _secret_grants(
        secret: aws.secretsmanager.Secret, key_arn: pulumi.Input[str] | None
    ) -> tuple[StatementGrant, ...]:
        """The app reads its own database secret at connect time (and after a rotation): that one ARN,
        and, where the environment key encrypts it, Decrypt on that key (through Secrets Manager only)."""
        grants = [
            StatementGrant(
                sid="DatabaseRoleSecret", actions=("secretsmanager:GetSecretValue",), resources=(secret.arn,)
            )
        ]
        if key_arn is not None:
            grants.append(
                StatementGrant(
                    sid="DatabaseRoleSecretKey",
                    actions=("kms:Decrypt",),
                    resources=(key_arn,),
                    conditions={"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}},
                )
            )
        return tuple(grants)

    def _secret_recovery_days(self) -> int:
        """The recovery window of every secret the platform names (all of them have fixed names).

        0 (deleted at once, the name free again) where the data tier is not deletion-protected
        (dev, staging): otherwise a ``pulumi destroy`` followed by ``pulumi up`` within the window
        fails with "a secret with this name is already scheduled for deletion". 7 days where it is (prod).
        """
        return 0 if not self._args.config.database.deletion_protection else 7

    def _generated_secret(self, role: str, description: str) -> aws.secretsmanager.Secret:
        value = random.RandomPassword(f"{self._name}-{role}-value", length=64, special=False, opts=self.child_opts())
        return self._secret_holding(role, value.result, description)

    def _secret_holding(self, role: str, value: pulumi.Input[str], description: str) -> aws.secretsmanager.Secret:
        opts = self.child_opts()
        secret = aws.secretsmanager.Secret(
            f"{self._name}-{role}",
            name=f"{pulumi.get_project()}/{pulumi.get_stack()}/{role}",
            description=description,
            recovery_window_in_days=self._secret_recovery_days(),
            kms_key_id=self._key_arn,
            tags=self.tags(f"{self._name}-{role}"),
            opts=opts,
        )
        aws.secretsmanager.SecretVersion(
            f"{self._name}-{role}-version", secret_id=secret.id, secret_string=pulumi.Output.secret(value), opts=opts
        )
        return secret

    def _upload_site(self, cdn: Cdn) -> None:
        web = self._args.app_dir / "web"
        for path in sorted(p for p in web.rglob("*") if p.is_file()):
            key = path.relative_to(web).as_posix()
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            aws.s3.BucketObjectv2(
                f"{self._name}-web-{key}",
                bucket=cdn.site_bucket_name,
                key=key,
                source=pulumi.FileAsset(program_relative(path)),
                content_type=content_type,
                cache_control="no-cache" if key.endswith(".html") else "public, max-age=300",
                tags=self.tags(key),
                opts=self.child_opts(),
            )
