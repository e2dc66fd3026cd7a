"""Every rule of the pack: GIVEN a compliant and a non-compliant resource set, THEN it passes / reports the fix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from policies.rules import REGISTRY, UNKNOWN, ResourceView

from ._helpers import GOOD_CONTAINER, TAGS, containers, doc, res, violations

SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
BUCKET = "aws:s3/bucket:Bucket"
DIST = "aws:cloudfront/distribution:Distribution"
RDS = "aws:rds/instance:Instance"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
ROLE = "aws:iam/role:Role"

Resources = list[ResourceView]


@dataclass(frozen=True)
class Case:
    rule: str
    good: Callable[[], Resources]
    bad: Callable[[], Resources]
    expect: str
    config: dict[str, Any] | None = None


def ingress(
    name: str, port: int, cidr: str | None = None, ref: str | None = None, deps: Resources = ()
) -> ResourceView:  # type: ignore[assignment]
    props: dict[str, Any] = {"ipProtocol": "tcp", "fromPort": port, "toPort": port, "securityGroupId": "sg-0target"}
    if cidr:
        props["cidrIpv4" if ":" not in cidr else "cidrIpv6"] = cidr
    if ref:
        props["referencedSecurityGroupId"] = ref
    return res(INGRESS, name, deps, **props)


def _lb_world() -> tuple[Resources, Resources]:
    lb_sg, app_sg = res(SG, "lb-sg", vpcId="vpc-1"), res(SG, "app-sg", vpcId="vpc-1")
    lb = res(LB, "lb", [lb_sg], securityGroups=["sg-0lb"], subnets=["subnet-a", "subnet-b"])
    good = [
        lb_sg,
        app_sg,
        lb,
        ingress("lb-https", 443, "0.0.0.0/0", deps=[lb_sg]),
        ingress("app-from-lb", 8080, ref="sg-0lb", deps=[app_sg, lb_sg]),
    ]
    bad = [lb_sg, app_sg, lb, ingress("app-https", 443, "0.0.0.0/0", deps=[app_sg])]
    return good, bad


def _data_tier(ingress_cidr: str | None) -> Resources:
    db_sg, app_sg = res(SG, "db-sg"), res(SG, "app-sg")
    db = res(RDS, "db", [db_sg], vpcSecurityGroupIds=["sg-0db"])
    nat_sg = res(SG, "nat-sg")  # a non-data group may admit the VPC CIDR on every port (NAT instance)
    nat_rule = res(
        INGRESS, "nat-from-vpc", [nat_sg], ipProtocol="-1", cidrIpv4="10.0.0.0/16", securityGroupId="sg-0nat"
    )
    rule = (
        ingress("db-from-vpc", 5432, ingress_cidr, deps=[db_sg])
        if ingress_cidr
        else ingress("db-from-app", 5432, ref="sg-0app", deps=[db_sg, app_sg])
    )
    return [db_sg, app_sg, db, nat_sg, nat_rule, rule]


def _bucket_with(*extra: Callable[[ResourceView], ResourceView]) -> Resources:
    b = res(BUCKET, "assets", tags=TAGS)
    return [b, *(f(b) for f in extra)]


PAB = lambda b: res(  # noqa: E731
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "pab",
    [b],
    bucket="assets",
    blockPublicAcls=True,
    blockPublicPolicy=True,
    ignorePublicAcls=True,
    restrictPublicBuckets=True,
)
SSE = lambda b: res(  # noqa: E731
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "sse",
    [b],
    bucket="assets",
    rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}],
)
TLS_POLICY = lambda b: res(  # noqa: E731
    "aws:s3/bucketPolicy:BucketPolicy",
    "policy",
    [b],
    bucket="assets",
    policy=doc(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::assets", "arn:aws:s3:::assets/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ),
)
VERSIONING = lambda b: res(  # noqa: E731
    "aws:s3/bucketVersioning:BucketVersioning",
    "ver",
    [b],
    bucket="assets",
    versioningConfiguration={"status": "Enabled"},
)


def distribution(**over: Any) -> ResourceView:
    props: dict[str, Any] = {
        "defaultCacheBehavior": {
            "viewerProtocolPolicy": "redirect-to-https",
            "targetOriginId": "alb",
            "responseHeadersPolicyId": "67f7725c-6f97-4210-82d7-5512b31e9d03",
        },
        "orderedCacheBehaviors": [
            {
                "pathPattern": "/static/*",
                "viewerProtocolPolicy": "https-only",
                "targetOriginId": "s3",
                "responseHeadersPolicyId": "67f7725c-6f97-4210-82d7-5512b31e9d03",
            }
        ],
        "origins": [
            {
                "originId": "alb",
                "domainName": "lb.example.com",
                "customOriginConfig": {
                    "originProtocolPolicy": "https-only",
                    "originSslProtocols": ["TLSv1.2"],
                    "httpPort": 80,
                    "httpsPort": 443,
                },
            },
            {"originId": "s3", "domainName": "assets.s3.us-east-1.amazonaws.com", "originAccessControlId": "E2OAC"},
        ],
        "viewerCertificate": {
            "acmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x",
            "minimumProtocolVersion": "TLSv1.2_2021",
            "sslSupportMethod": "sni-only",
        },
        "webAclId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/y",
        "loggingConfig": {"bucket": "logs.s3.amazonaws.com"},
        "tags": TAGS,
    }
    props.update(over)
    return res(DIST, "cdn", **props)


def rds(**over: Any) -> ResourceView:
    props: dict[str, Any] = {
        "engine": "postgres",
        "engineVersion": "16.4",
        "instanceClass": "db.t4g.micro",
        "storageEncrypted": True,
        "publiclyAccessible": False,
        "backupRetentionPeriod": 14,
        "deletionProtection": True,
        "multiAz": True,
        "manageMasterUserPassword": True,
        "autoMinorVersionUpgrade": True,
        "username": "app",
        "tags": TAGS,
    }
    props.update(over)
    return res(RDS, "db", **props)


def redis(**over: Any) -> ResourceView:
    props: dict[str, Any] = {
        "engine": "valkey",
        "nodeType": "cache.t4g.micro",
        "atRestEncryptionEnabled": True,
        "transitEncryptionEnabled": True,
        "userGroupIds": ["app-users"],
        "automaticFailoverEnabled": True,
        "numCacheClusters": 2,
        "multiAzEnabled": True,
        "tags": TAGS,
    }
    props.update(over)
    return res(REDIS, "cache", **props)


def taskdef(**container: Any) -> ResourceView:
    return res(
        TASKDEF,
        "task",
        family="app",
        networkMode="awsvpc",
        containerDefinitions=containers({**GOOD_CONTAINER, **container}),
        tags=TAGS,
    )


def service(**over: Any) -> ResourceView:
    props: dict[str, Any] = {
        "name": "catalog",
        "launchType": "FARGATE",
        "networkConfiguration": {"assignPublicIp": False, "subnets": ["subnet-a"]},
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "tags": TAGS,
    }
    props.update(over)
    return res(SERVICE, "svc", **props)


TRUST_ECS = doc({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"})
TRUST_ANY = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})


def _roles(trust: str) -> Resources:
    role = res(ROLE, "task-role", assumeRolePolicy=trust, tags=TAGS)
    return [role, res(TASKDEF, "task", [role], family="app", containerDefinitions=containers(GOOD_CONTAINER))]


def _edge_lb(*, internal: bool, https: bool, ingress_rules: list[dict[str, Any]]) -> Resources:
    sg = res(SG, "lb-sg", vpcId="vpc-1")
    lb = res(LB, "lb", [sg], internal=internal, securityGroups=["sg-0lb"], subnets=["subnet-a", "subnet-b"])
    listener = res(LISTENER, "l", [lb], protocol="HTTPS" if https else "HTTP", port=443 if https else 80)
    rules = [res(INGRESS, f"in-{i}", [sg], ipProtocol="tcp", **r) for i, r in enumerate(ingress_rules)]
    return [sg, lb, listener, *rules]


CLOUDFRONT_443 = {"fromPort": 443, "toPort": 443, "prefixListId": "pl-3b927c52"}


def _alarms(with_alarm: bool) -> Resources:
    tg = res("aws:lb/targetGroup:TargetGroup", "tg", port=8080)
    svc = res(
        SERVICE,
        "svc",
        [tg],
        name="catalog",
        loadBalancers=[{"targetGroupArn": "arn:tg", "containerName": "app", "containerPort": 8080}],
    )
    out = [tg, svc]
    if with_alarm:
        out.append(
            res("aws:cloudwatch/metricAlarm:MetricAlarm", "tg-5xx", [tg], metricName="HTTPCode_Target_5XX_Count")
        )
    return out


def _vpc(*, default_sg: bool, rules: bool = False, flow: bool = True) -> Resources:
    vpc = res("aws:ec2/vpc:Vpc", "vpc", cidrBlock="10.0.0.0/16", tags=TAGS)
    out = [vpc]
    if default_sg:
        out.append(
            res(
                "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
                "default-sg",
                [vpc],
                vpcId="vpc-1",
                ingress=[{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}] if rules else [],
                egress=[],
            )
        )
    if flow:
        out.append(res("aws:ec2/flowLog:FlowLog", "flow", [vpc], vpcId="vpc-1", trafficType="ALL"))
    return out


def _subnets(*azs: str) -> Resources:
    return [
        res("aws:ec2/subnet:Subnet", f"private-{i + 1}", availabilityZone=az, cidrBlock=f"10.0.{i}.0/24")
        for i, az in enumerate(azs)
    ]


def _listeners(redirect: bool) -> Resources:
    lb = res(LB, "lb", subnets=["a", "b"])
    https = res(
        LISTENER,
        "https",
        [lb],
        protocol="HTTPS",
        port=443,
        sslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn="arn:cert",
    )
    action = (
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
        if redirect
        else {"type": "forward", "targetGroupArn": "arn:tg"}
    )
    return [lb, https, res(LISTENER, "http", [lb], protocol="HTTP", port=80, defaultActions=[action])]


def _budgeted(budget: float) -> Resources:
    platform = res("streaming:index:StreamingPlatform", "streaming", budgetMonthlyUsd=budget)
    return [
        platform,
        res("aws:ec2/natGateway:NatGateway", "nat-1", subnetId="subnet-1", allocationId="eipalloc-1"),
        res("aws:ec2/eip:Eip", "nat-ip", domain="vpc"),
    ]


WORLD_GOOD, WORLD_BAD = _lb_world()

CASES = [
    # -- S3
    Case(
        "s3-public-access-block-all-on",
        lambda: [PAB(res(BUCKET, "b"))],
        lambda: [
            res(
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "pab",
                blockPublicAcls=True,
                blockPublicPolicy=False,
                ignorePublicAcls=True,
                restrictPublicBuckets=True,
            )
        ],
        "block_public_policy=True",
    ),
    Case(
        "s3-bucket-has-public-access-block",
        lambda: _bucket_with(PAB),
        lambda: _bucket_with(SSE),
        "no public-access block",
    ),
    Case("s3-bucket-encryption", lambda: _bucket_with(SSE), lambda: _bucket_with(PAB), "no server-side encryption"),
    Case(
        "s3-bucket-tls-only-policy", lambda: _bucket_with(TLS_POLICY), lambda: _bucket_with(PAB), "aws:SecureTransport"
    ),
    Case(
        "s3-bucket-versioning", lambda: _bucket_with(VERSIONING), lambda: _bucket_with(PAB), "versioning is not enabled"
    ),
    Case(
        "s3-no-public-acl",
        lambda: [res("aws:s3/bucketAcl:BucketAcl", "acl", acl="private")],
        lambda: [res("aws:s3/bucketAcl:BucketAcl", "acl", acl="public-read")],
        "public-read",
    ),
    Case(
        "s3-no-public-bucket-policy",
        lambda: [
            res(
                "aws:s3/bucketPolicy:BucketPolicy",
                "p",
                policy=doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::b/*",
                        "Condition": {"StringEquals": {"AWS:SourceArn": "arn:cf"}},
                    }
                ),
            )
        ],
        lambda: [
            res(
                "aws:s3/bucketPolicy:BucketPolicy",
                "p",
                policy=doc(
                    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
                ),
            )
        ],
        'Principal "*"',
    ),
    Case(
        "s3-acls-disabled",
        lambda: [
            res(
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
                "own",
                rule={"objectOwnership": "BucketOwnerEnforced"},
            )
        ],
        lambda: [
            res(
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
                "own",
                rule={"objectOwnership": "ObjectWriter"},
            )
        ],
        "BucketOwnerEnforced",
    ),
    # -- CloudFront
    Case(
        "cloudfront-viewer-https-only",
        lambda: [distribution()],
        lambda: [
            distribution(defaultCacheBehavior={"viewerProtocolPolicy": "allow-all", "responseHeadersPolicyId": "x"})
        ],
        "redirect-to-https",
    ),
    Case(
        "cloudfront-minimum-tls",
        lambda: [
            distribution(),
            distribution(viewerCertificate={"cloudfrontDefaultCertificate": True, "minimumProtocolVersion": "TLSv1"}),
        ],
        lambda: [
            distribution(
                viewerCertificate={
                    "acmCertificateArn": "arn:c",
                    "minimumProtocolVersion": "TLSv1.1_2016",
                    "sslSupportMethod": "sni-only",
                }
            )
        ],
        "TLSv1.2_2021",
    ),
    Case(
        "cloudfront-origin-access-control",
        lambda: [distribution()],
        lambda: [
            distribution(
                origins=[
                    {
                        "originId": "s3",
                        "domainName": "b.s3.us-east-1.amazonaws.com",
                        "s3OriginConfig": {"originAccessIdentity": "origin-access-identity/cloudfront/E1"},
                    }
                ]
            )
        ],
        "OriginAccessControl",
    ),
    Case(
        "cloudfront-origin-https",
        lambda: [distribution()],
        lambda: [
            distribution(
                origins=[
                    {
                        "originId": "alb",
                        "domainName": "lb",
                        "customOriginConfig": {"originProtocolPolicy": "http-only", "originSslProtocols": ["TLSv1.2"]},
                    }
                ]
            )
        ],
        "https-only",
    ),
    Case(
        "cloudfront-access-logging",
        lambda: [distribution()],
        lambda: [distribution(loggingConfig=None)],
        "access logs are off",
    ),
    Case(
        "cloudfront-waf-enabled",
        lambda: [distribution(), distribution(webAclId=UNKNOWN)],
        lambda: [distribution(webAclId=None)],
        "web_acl_id",
    ),
    Case(
        "cloudfront-security-headers",
        lambda: [distribution()],
        lambda: [distribution(defaultCacheBehavior={"viewerProtocolPolicy": "redirect-to-https"})],
        "response_headers_policy_id",
    ),
    # -- ALB
    Case(
        "alb-drop-invalid-header-fields",
        lambda: [res(LB, "lb", dropInvalidHeaderFields=True)],
        lambda: [res(LB, "lb")],
        "drop_invalid_header_fields=True",
    ),
    Case(
        "alb-deletion-protection",
        lambda: [res(LB, "lb", enableDeletionProtection=True)],
        lambda: [res(LB, "lb", enableDeletionProtection=False)],
        "enable_deletion_protection",
    ),
    Case(
        "alb-access-logs",
        lambda: [res(LB, "lb", accessLogs={"bucket": "logs", "enabled": True})],
        lambda: [res(LB, "lb")],
        "access_logs",
    ),
    Case(
        "alb-desync-mitigation",
        lambda: [res(LB, "lb"), res(LB, "lb2", desyncMitigationMode="strictest")],
        lambda: [res(LB, "lb", desyncMitigationMode="monitor")],
        "defensive",
    ),
    Case(
        "alb-private-or-cloudfront-only",
        lambda: _edge_lb(internal=True, https=False, ingress_rules=[{**CLOUDFRONT_443, "fromPort": 80, "toPort": 80}]),
        lambda: _edge_lb(
            internal=False, https=False, ingress_rules=[{"fromPort": 80, "toPort": 80, "cidrIpv4": "0.0.0.0/0"}]
        ),
        "admits 0.0.0.0/0 on 80",
    ),
    Case(
        "alb-multi-az",
        lambda: [res(LB, "lb", subnets=["a", "b"])],
        lambda: [res(LB, "lb", subnets=["a"])],
        "at least two",
    ),
    Case(
        "alb-listener-modern-tls-policy",
        lambda: [
            res(LISTENER, "l", protocol="HTTPS", sslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06"),
            res(LISTENER, "h", protocol="HTTP"),
        ],
        lambda: [res(LISTENER, "l", protocol="HTTPS", sslPolicy="ELBSecurityPolicy-2016-08")],
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
    ),
    Case(
        "alb-http-redirects-to-https", lambda: _listeners(redirect=True), lambda: _listeners(redirect=False), "redirect"
    ),
    # -- Security groups and VPC
    Case(
        "sg-no-admin-ports-from-internet",
        lambda: [ingress("https", 443, "0.0.0.0/0")],
        lambda: [
            res(SG, "bastion", ingress=[{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}])
        ],
        "port 22",
    ),
    Case(
        "sg-internet-ingress-only-http-https",
        lambda: [ingress("https", 443, "0.0.0.0/0"), ingress("app", 8080, "10.0.0.0/16")],
        lambda: [
            res(
                SG_RULE,
                "all",
                type="ingress",
                protocol="-1",
                fromPort=0,
                toPort=0,
                ipv6CidrBlocks=["::/0"],
                securityGroupId="sg-1",
            )
        ],
        "all ports",
    ),
    Case(
        "sg-data-tier-only-from-security-groups",
        lambda: _data_tier(ingress_cidr=None),
        lambda: _data_tier(ingress_cidr="10.0.0.0/16"),
        "referenced_security_group_id",
    ),
    Case("sg-internet-ingress-only-on-load-balancer", lambda: WORLD_GOOD, lambda: WORLD_BAD, "no load balancer uses"),
    Case(
        "vpc-default-security-group-closed",
        lambda: _vpc(default_sg=True),
        lambda: _vpc(default_sg=False),
        "DefaultSecurityGroup",
    ),
    Case(
        "vpc-flow-logs-enabled",
        lambda: _vpc(default_sg=True),
        lambda: _vpc(default_sg=True, flow=False),
        "aws.ec2.FlowLog",
    ),
    Case(
        "vpc-subnet-no-auto-public-ip",
        lambda: [res("aws:ec2/subnet:Subnet", "public-1", mapPublicIpOnLaunch=False)],
        lambda: [res("aws:ec2/subnet:Subnet", "public-1", mapPublicIpOnLaunch=True)],
        "map_public_ip_on_launch",
    ),
    Case(
        "stack-min-availability-zones",
        lambda: _subnets("us-east-1a", "us-east-1b", "us-east-1c"),
        lambda: _subnets("us-east-1a", "us-east-1b", "us-east-1a"),
        "at least 3",
    ),
    # -- ECS
    Case(
        "ecs-service-no-public-ip",
        lambda: [service()],
        lambda: [service(networkConfiguration={"assignPublicIp": True})],
        "assign_public_ip=False",
    ),
    Case("ecs-container-non-root-user", lambda: [taskdef()], lambda: [taskdef(user="0")], "runs as '0'"),
    Case(
        "ecs-container-read-only-root-filesystem",
        lambda: [taskdef()],
        lambda: [taskdef(readonlyRootFilesystem=False)],
        "readonlyRootFilesystem",
    ),
    Case("ecs-container-not-privileged", lambda: [taskdef()], lambda: [taskdef(privileged=True)], "privileged"),
    Case("ecs-container-logging", lambda: [taskdef()], lambda: [taskdef(logConfiguration=None)], "logConfiguration"),
    Case(
        "ecs-no-secrets-in-environment",
        lambda: [taskdef()],
        lambda: [taskdef(environment=[{"name": "DATABASE_URL", "value": "postgres://app:hunter2@db:5432/app"}])],
        "DATABASE_URL",
    ),
    Case(
        "ecs-service-circuit-breaker",
        lambda: [service(), service(deploymentController={"type": "CODE_DEPLOY"}, deploymentCircuitBreaker=None)],
        lambda: [service(deploymentCircuitBreaker={"enable": True, "rollback": False})],
        "rollback",
    ),
    Case(
        "ecs-cluster-container-insights",
        lambda: [res("aws:ecs/cluster:Cluster", "c", settings=[{"name": "containerInsights", "value": "enhanced"}])],
        lambda: [res("aws:ecs/cluster:Cluster", "c", settings=[{"name": "containerInsights", "value": "disabled"}])],
        "Container Insights",
    ),
    Case(
        "ecs-task-no-host-namespaces",
        lambda: [taskdef()],
        lambda: [res(TASKDEF, "t", networkMode="host", pidMode="host")],
        "network_mode",
    ),
    Case(
        "ecs-fargate-latest-platform",
        lambda: [service(), service(platformVersion="LATEST")],
        lambda: [service(platformVersion="1.3.0")],
        "1.3.0",
    ),
    # -- ECR
    Case(
        "ecr-scan-on-push",
        lambda: [res("aws:ecr/repository:Repository", "r", imageScanningConfiguration={"scanOnPush": True})],
        lambda: [res("aws:ecr/repository:Repository", "r")],
        "scan_on_push",
    ),
    Case(
        "ecr-immutable-tags",
        lambda: [res("aws:ecr/repository:Repository", "r", imageTagMutability="IMMUTABLE")],
        lambda: [res("aws:ecr/repository:Repository", "r", imageTagMutability="MUTABLE")],
        "IMMUTABLE",
    ),
    Case(
        "ecr-lifecycle-policy",
        lambda: (
            lambda r: [r, res("aws:ecr/lifecyclePolicy:LifecyclePolicy", "lp", [r], repository="app", policy="{}")]
        )(res("aws:ecr/repository:Repository", "r", name="app")),
        lambda: [res("aws:ecr/repository:Repository", "r", name="app")],
        "LifecyclePolicy",
    ),
    # -- IAM
    Case(
        "iam-no-full-admin",
        lambda: [
            res(
                "aws:iam/policy:Policy", "p", policy=doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
            )
        ],
        lambda: [
            res(
                ROLE,
                "r",
                inlinePolicies=[{"name": "admin", "policy": doc({"Effect": "Allow", "Action": "*", "Resource": "*"})}],
            )
        ],
        "full admin",
    ),
    Case(
        "iam-no-service-wildcard-actions",
        lambda: [
            res(
                "aws:iam/rolePolicy:RolePolicy",
                "p",
                policy=doc(
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}
                ),
            )
        ],
        lambda: [
            res(
                "aws:iam/rolePolicy:RolePolicy",
                "p",
                policy=doc({"Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::b/*"}),
            )
        ],
        "s3:*",
    ),
    Case(
        "iam-task-roles-trust-only-ecs-tasks",
        lambda: _roles(TRUST_ECS),
        lambda: _roles(TRUST_ANY),
        "assumable only by ECS tasks",
    ),
    # -- RDS
    Case("rds-storage-encrypted", lambda: [rds()], lambda: [rds(storageEncrypted=False)], "storage_encrypted=True"),
    Case(
        "rds-not-publicly-accessible",
        lambda: [rds()],
        lambda: [rds(publiclyAccessible=True)],
        "publicly_accessible=False",
    ),
    Case(
        "rds-backup-retention",
        lambda: [rds(backupRetentionPeriod=14)],
        lambda: [rds(backupRetentionPeriod=7)],
        "at least 14",
        {"minDays": 14},
    ),
    Case(
        "rds-deletion-protection", lambda: [rds()], lambda: [rds(deletionProtection=False)], "deletion_protection=True"
    ),
    Case("rds-multi-az", lambda: [rds()], lambda: [rds(multiAz=None)], "multi_az=True"),
    Case(
        "rds-ssl-enforced",
        lambda: [rds()],
        lambda: (
            lambda pg: [pg, res(RDS, "db", [pg], engine="postgres", engineVersion="16.4", parameterGroupName="pg")]
        )(
            res(
                "aws:rds/parameterGroup:ParameterGroup",
                "pg",
                name="pg",
                family="postgres16",
                parameters=[{"name": "rds.force_ssl", "value": "0"}],
            )
        ),
        "rds.force_ssl",
    ),
    Case(
        "rds-master-password-managed",
        lambda: [rds()],
        lambda: [rds(manageMasterUserPassword=None, password="[secret]")],
        "manage_master_user_password=True",
    ),
    Case(
        "rds-auto-minor-version-upgrade",
        lambda: [rds()],
        lambda: [rds(autoMinorVersionUpgrade=False)],
        "auto_minor_version_upgrade=True",
    ),
    # -- ElastiCache
    Case(
        "elasticache-encryption-at-rest",
        lambda: [redis()],
        lambda: [redis(atRestEncryptionEnabled=False)],
        "at_rest_encryption_enabled=True",
    ),
    Case(
        "elasticache-encryption-in-transit",
        lambda: [redis()],
        lambda: [redis(transitEncryptionEnabled=False)],
        "transit_encryption_enabled=True",
    ),
    Case(
        "elasticache-auth-required",
        lambda: [redis(), redis(userGroupIds=None, authToken="[secret]")],
        lambda: [redis(userGroupIds=None)],
        "user_group_ids",
    ),
    Case(
        "elasticache-automatic-failover",
        lambda: [redis()],
        lambda: [redis(numCacheClusters=1, automaticFailoverEnabled=False)],
        "num_cache_clusters=2",
    ),
    Case("elasticache-multi-az", lambda: [redis()], lambda: [redis(multiAzEnabled=False)], "multi_az_enabled=True"),
    # -- Listener rules matching headers
    Case(
        "alb-header-rules-need-a-secret",
        lambda: [
            res(
                "aws:lb/listenerRule:ListenerRule",
                "test-green",
                conditions=[
                    {"pathPattern": {"values": ["/api/catalog/*"]}},
                    {"httpHeader": {"httpHeaderName": "X-Deployment-Color", "values": ["green"]}},
                    {"httpHeader": {"httpHeaderName": "X-Deployment-Key", "values": ["[secret]"]}},
                ],
            ),
            res("aws:lb/listenerRule:ListenerRule", "catalog", conditions=[{"pathPattern": {"values": ["/x/*"]}}]),
        ],
        lambda: [
            res(
                "aws:lb/listenerRule:ListenerRule",
                "test-green",
                conditions=[{"httpHeader": {"httpHeaderName": "X-Deployment-Color", "values": ["green"]}}],
            )
        ],
        "X-Deployment-Color: ['green']",
    ),
    # -- CloudWatch alarms
    Case(
        "cloudwatch-alarm-has-actions",
        lambda: [
            res(
                "aws:cloudwatch/metricAlarm:MetricAlarm",
                "cpu",
                alarmActions=["arn:aws:sns:us-east-1:123456789012:alarms"],
                okActions=["arn:aws:sns:us-east-1:123456789012:alarms"],
            )
        ],
        lambda: [
            res("aws:cloudwatch/metricAlarm:MetricAlarm", "cpu", alarmActions=[]),
            res("aws:cloudwatch/metricAlarm:MetricAlarm", "mem", actionsEnabled=False, alarmActions=["arn:x"]),
        ],
        "alarm_actions is empty",
    ),
    # -- Logs, tags
    Case(
        "logs-retention-set",
        lambda: [res("aws:cloudwatch/logGroup:LogGroup", "lg", retentionInDays=30)],
        lambda: [res("aws:cloudwatch/logGroup:LogGroup", "lg")],
        "retention_in_days=30",
    ),
    Case(
        "tags-required",
        lambda: [res("aws:ec2/vpc:Vpc", "vpc", tags=TAGS), res("aws:s3/bucketPolicy:BucketPolicy", "p")],
        lambda: [res("aws:ec2/vpc:Vpc", "vpc", tags={"Name": "vpc", "Project": "streaming-platform"})],
        "Environment, ManagedBy",
    ),
    # -- Stack-wide and cost
    Case("stack-load-balanced-services-have-alarms", lambda: _alarms(True), lambda: _alarms(False), "MetricAlarm"),
    Case(
        "cost-nat-gateway-limit",
        lambda: [res("aws:ec2/natGateway:NatGateway", "nat-1")],
        lambda: [res("aws:ec2/natGateway:NatGateway", f"nat-{i}") for i in (1, 2, 3)],
        "allows 1",
    ),
    Case(
        "cost-instance-class-allowed",
        lambda: [rds(instanceClass="db.t4g.micro")],
        lambda: [rds(instanceClass="db.r6i.8xlarge")],
        "db.r6i.8xlarge",
        {"allowed": ["db.t4g.*"]},
    ),
    # a NAT gateway and its EIP cost $36.50/month: within a $40 budget, over a $30 one
    Case("cost-monthly-budget", lambda: _budgeted(40), lambda: _budgeted(30), "exceeds the budget of $30.00/month"),
]


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    # GIVEN the registry WHEN compared with the cases THEN each rule has one
    assert sorted(c.rule for c in CASES) == sorted(r.name for r in REGISTRY)


def test_the_pack_has_at_least_forty_rules_each_with_a_name_description_and_level() -> None:
    assert len(REGISTRY) >= 40
    assert all(r.name and r.description and r.level for r in REGISTRY)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_passes_a_compliant_resource_set(case: Case) -> None:
    # GIVEN compliant resources WHEN the rule runs THEN it reports nothing
    assert violations(case.rule, case.good(), case.config) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_reports_a_non_compliant_resource_set_with_the_fix(case: Case) -> None:
    # GIVEN non-compliant resources WHEN the rule runs THEN the message names the resource and the fix
    found = violations(case.rule, case.bad(), case.config)
    assert found, f"{case.rule} reported nothing"
    assert any(case.expect in m for m in found), found
    assert all("'" in m for m in found)  # every message names a resource ('name') or a value


def test_a_public_load_balancer_passes_only_with_https_and_cloudfronts_prefix_list_alone() -> None:
    rule = "alb-private-or-cloudfront-only"
    # GIVEN an internet-facing ALB with HTTPS that admits only the prefix list on 443 THEN it passes
    assert violations(rule, _edge_lb(internal=False, https=True, ingress_rules=[CLOUDFRONT_443])) == []
    # AND the prefix list on 80 (plain HTTP over the internet) is refused
    (found,) = violations(
        rule, _edge_lb(internal=False, https=False, ingress_rules=[{**CLOUDFRONT_443, "fromPort": 80, "toPort": 80}])
    )
    assert "no HTTPS listener" in found and "prefix list on port 80 (not HTTPS 443)" in found
    # AND an extra CIDR beside the prefix list is refused, naming it
    (found,) = violations(
        rule,
        _edge_lb(
            internal=False,
            https=True,
            ingress_rules=[CLOUDFRONT_443, {"fromPort": 443, "toPort": 443, "cidrIpv4": "203.0.113.0/24"}],
        ),
    )
    assert "admits 203.0.113.0/24 on 443" in found and "edge.albScheme: internal" in found
