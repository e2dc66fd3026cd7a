"""Hand-made plan documents for the insight tests (cost, deploy time, diagrams).

`PlanBuilder` writes plan documents in exactly the shape ``python -m stacks plan --json`` writes:
URNs qualified by their parents' types, wire (camelCase) inputs, numbers as floats.
`sample_environment()` builds a realistic small environment: a VPC with NAT, endpoints and flow
logs, an ALB, CloudFront with two buckets and WAF, a Fargate service, Postgres, a cache, secrets,
alarms, ECR and a KMS key.
"""

from __future__ import annotations

from typing import Any

from insight.plan import Plan


class PlanBuilder:
    def __init__(self, stack: str = "dev", project: str = "streaming-platform", region: str = "us-east-1") -> None:
        self.stack = stack
        self.project = project
        self.resources: dict[str, dict[str, Any]] = {}
        self.add("pulumi:providers:aws", "aws", region=region)

    def _qualified(self, type_token: str, parent: str | None) -> str:
        if parent is None:
            return type_token
        parent_type = parent.split("::")[2]
        return f"{parent_type}${type_token}"

    def add(
        self,
        type_token: str,
        name: str,
        *,
        parent: str | None = None,
        deps: list[str] | tuple[str, ...] = (),
        **inputs: Any,
    ) -> str:
        urn = f"urn:pulumi:{self.stack}::{self.project}::{self._qualified(type_token, parent)}::{name}"
        assert urn not in self.resources, urn
        self.resources[urn] = {
            "urn": urn,
            "type": type_token,
            "name": name,
            "parent": parent,
            "dependencies": sorted(set(deps)),
            "inputs": inputs,
        }
        return urn

    def component(self, cls: str, name: str, *, parent: str | None = None, deps: tuple[str, ...] = ()) -> str:
        return self.add(f"streaming:index:{cls}", name, parent=parent, deps=deps)

    def document(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "outputs": {},
            "resources": [self.resources[u] for u in sorted(self.resources)],
        }

    def plan(self) -> Plan:
        return Plan(self.document())


def single(
    type_token: str, *, stack: str = "dev", region: str = "us-east-1", name: str = "thing", **inputs: Any
) -> Plan:
    """A plan with one resource (plus the provider)."""
    b = PlanBuilder(stack=stack, region=region)
    b.add(type_token, name, **inputs)
    return b.plan()


def sample_environment(
    stack: str = "dev",
    *,
    azs: int = 2,
    nat: str = "instance",
    multi_az: bool = False,
    tasks: float = 1.0,
    spot: bool = True,
    cache_nodes: int = 1,
) -> Plan:
    b = PlanBuilder(stack=stack)
    app = b.component("StreamingPlatform", "app")
    kms = b.add("aws:kms/key:Key", "app-key", parent=app, enableKeyRotation=True)
    jwt = b.add("aws:secretsmanager/secret:Secret", "app-jwt", parent=app, deps=[kms])

    # network
    net = b.component("Vpc", "net", parent=app)
    vpc = b.add("aws:ec2/vpc:Vpc", "net-vpc", parent=net, cidrBlock="10.0.0.0/16")
    igw = b.add("aws:ec2/internetGateway:InternetGateway", "net-igw", parent=net, deps=[vpc])
    tiers: dict[str, list[str]] = {"public": [], "private": [], "isolated": []}
    for tier in tiers:
        for i in range(azs):
            tiers[tier].append(
                b.add(
                    "aws:ec2/subnet:Subnet",
                    f"net-{tier}-{i + 1}",
                    parent=net,
                    deps=[vpc],
                    mapPublicIpOnLaunch=False,
                    cidrBlock=f"10.0.{len(tiers) * i}.0/24",
                )
            )
    public_rt = b.add("aws:ec2/routeTable:RouteTable", "net-public-rt", parent=net, deps=[vpc])
    b.add("aws:ec2/route:Route", "net-public-default", parent=net, deps=[public_rt, igw])
    nat_targets: list[str] = []
    if nat == "gateway":
        for i in range(azs):
            eip = b.add("aws:ec2/eip:Eip", f"net-nat-eip-{i + 1}", parent=net, domain="vpc")
            nat_targets.append(
                b.add("aws:ec2/natGateway:NatGateway", f"net-nat-{i + 1}", parent=net, deps=[eip, tiers["public"][i]])
            )
    elif nat == "instance":
        nat_targets.append(
            b.add(
                "aws:ec2/instance:Instance",
                "net-nat-instance",
                parent=net,
                deps=[tiers["public"][0]],
                instanceType="t4g.nano",
                associatePublicIpAddress=True,
                sourceDestCheck=False,
            )
        )
    for i in range(azs):
        rt = b.add("aws:ec2/routeTable:RouteTable", f"net-private-rt-{i + 1}", parent=net, deps=[vpc])
        if nat_targets:
            b.add(
                "aws:ec2/route:Route",
                f"net-private-default-{i + 1}",
                parent=net,
                deps=[rt, nat_targets[min(i, len(nat_targets) - 1)]],
            )
    b.add(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "net-s3",
        parent=net,
        deps=[vpc],
        vpcEndpointType="Gateway",
        serviceName="com.amazonaws.us-east-1.s3",
    )
    flow_group = b.add("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs", parent=net, retentionInDays=30.0)
    b.add("aws:ec2/flowLog:FlowLog", "net-flow-log", parent=net, deps=[vpc, flow_group], trafficType="ALL")

    # edge: load balancer
    web = b.component("LoadBalancer", "web", parent=app)
    web_sg = b.add("aws:ec2/securityGroup:SecurityGroup", "web-sg", parent=web, deps=[vpc])
    b.add(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "web-https",
        parent=web,
        deps=[web_sg],
        fromPort=443.0,
        toPort=443.0,
        cidrIpv4="0.0.0.0/0",
    )
    alb = b.add(
        "aws:lb/loadBalancer:LoadBalancer",
        "web-alb",
        parent=web,
        deps=[web_sg, *tiers["public"]],
        loadBalancerType="application",
        internal=False,
        subnets=[f"subnet-{i}" for i in range(azs)],
    )
    tg = b.add(
        "aws:lb/targetGroup:TargetGroup",
        "web-catalog",
        parent=web,
        deps=[vpc],
        port=8080.0,
        protocol="HTTP",
        targetType="ip",
    )
    listener = b.add("aws:lb/listener:Listener", "web-http", parent=web, deps=[alb], port=80.0)
    b.add("aws:lb/listenerRule:ListenerRule", "web-catalog-rule", parent=web, deps=[listener, tg], priority=100.0)

    # edge: CDN
    cdn = b.component("Cdn", "cdn", parent=app)
    site = b.add("aws:s3/bucket:Bucket", "cdn-site", parent=cdn)
    media = b.add("aws:s3/bucket:Bucket", "cdn-media", parent=cdn)
    oac = b.add("aws:cloudfront/originAccessControl:OriginAccessControl", "cdn-oac", parent=cdn)
    waf = b.add(
        "aws:wafv2/webAcl:WebAcl",
        "cdn-waf",
        parent=cdn,
        scope="CLOUDFRONT",
        rules=[
            {
                "name": "common",
                "priority": 1.0,
                "statement": {
                    "managedRuleGroupStatement": {"name": "AWSManagedRulesCommonRuleSet", "vendorName": "AWS"}
                },
            },
            {
                "name": "bad-inputs",
                "priority": 2.0,
                "statement": {
                    "managedRuleGroupStatement": {"name": "AWSManagedRulesKnownBadInputsRuleSet", "vendorName": "AWS"}
                },
            },
        ],
    )
    dist = b.add(
        "aws:cloudfront/distribution:Distribution",
        "cdn-distribution",
        parent=cdn,
        deps=[site, media, oac, alb, waf],
        origins=[{"originId": "site"}, {"originId": "media"}, {"originId": "api"}],
        priceClass="PriceClass_100",
    )
    for bucket, role in ((site, "site"), (media, "media")):
        b.add("aws:s3/bucketPolicy:BucketPolicy", f"cdn-{role}-policy", parent=cdn, deps=[bucket, dist])
        b.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"cdn-{role}-pab", parent=cdn, deps=[bucket])

    # services
    cluster_c = b.component("Cluster", "cluster", parent=app)
    cluster = b.add(
        "aws:ecs/cluster:Cluster",
        "cluster-cluster",
        parent=cluster_c,
        settings=[{"name": "containerInsights", "value": "enabled"}],
    )
    b.add(
        "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
        "cluster-capacity",
        parent=cluster_c,
        deps=[cluster],
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
    )
    image_c = b.component("ContainerImage", "image", parent=app)
    repo = b.add("aws:ecr/repository:Repository", "image-repo", parent=image_c, imageTagMutability="IMMUTABLE")
    image = b.add("docker:index/image:Image", "image-image", parent=image_c, deps=[repo])

    svc = b.component("FargateService", "catalog", parent=app)
    svc_logs = b.add("aws:cloudwatch/logGroup:LogGroup", "catalog-logs", parent=svc, retentionInDays=7.0)
    exec_role = b.add("aws:iam/role:Role", "catalog-execution", parent=svc)
    b.add("aws:iam/rolePolicy:RolePolicy", "catalog-execution-policy", parent=svc, deps=[exec_role, jwt, svc_logs])
    td = b.add(
        "aws:ecs/taskDefinition:TaskDefinition",
        "catalog-task",
        parent=svc,
        deps=[image, exec_role, svc_logs, jwt],
        cpu="256",
        memory="512",
        runtimePlatform={"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        requiresCompatibilities=["FARGATE"],
    )
    svc_sg = b.add("aws:ec2/securityGroup:SecurityGroup", "catalog-sg", parent=svc, deps=[vpc])
    b.add(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "catalog-from-alb",
        parent=svc,
        deps=[svc_sg, web_sg],
        fromPort=8080.0,
        toPort=8080.0,
    )
    strategies = (
        [{"capacityProvider": "FARGATE_SPOT", "weight": 1.0, "base": 0.0}]
        if spot
        else [{"capacityProvider": "FARGATE", "weight": 1.0, "base": 0.0}]
    )
    service = b.add(
        "aws:ecs/service:Service",
        "catalog-service",
        parent=svc,
        deps=[cluster, td, tg, svc_sg, *tiers["private"], media],
        desiredCount=tasks,
        capacityProviderStrategies=strategies,
        networkConfiguration={"assignPublicIp": False, "subnets": [f"subnet-p{i}" for i in range(azs)]},
    )
    for metric in ("cpu", "memory"):
        b.add(
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            f"catalog-{metric}-high",
            parent=svc,
            deps=[service, cluster],
            period=60.0,
            metricName="CPUUtilization" if metric == "cpu" else "MemoryUtilization",
            namespace="AWS/ECS",
        )

    # data
    db_c = b.component("Postgres", "db", parent=app)
    db_sg = b.add("aws:ec2/securityGroup:SecurityGroup", "db-sg", parent=db_c, deps=[vpc])
    b.add(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "db-from-catalog",
        parent=db_c,
        deps=[db_sg, svc_sg],
        fromPort=5432.0,
        toPort=5432.0,
    )
    db_subnets = b.add("aws:rds/subnetGroup:SubnetGroup", "db-subnets", parent=db_c, deps=tiers["isolated"])
    db_params = b.add("aws:rds/parameterGroup:ParameterGroup", "db-params", parent=db_c)
    b.add(
        "aws:rds/instance:Instance",
        "db-instance",
        parent=db_c,
        deps=[db_sg, db_subnets, db_params, kms],
        engine="postgres",
        instanceClass="db.t4g.micro",
        allocatedStorage=20.0,
        storageType="gp3",
        multiAz=multi_az,
        backupRetentionPeriod=7.0,
        manageMasterUserPassword=True,
    )
    cache_c = b.component("Cache", "cache", parent=app)
    cache_sg = b.add("aws:ec2/securityGroup:SecurityGroup", "cache-sg", parent=cache_c, deps=[vpc])
    b.add(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "cache-from-catalog",
        parent=cache_c,
        deps=[cache_sg, svc_sg],
        fromPort=6379.0,
        toPort=6379.0,
    )
    auth = b.add("aws:secretsmanager/secret:Secret", "cache-auth", parent=cache_c)
    b.add(
        "aws:secretsmanager/secretVersion:SecretVersion",
        "cache-auth-value",
        parent=cache_c,
        deps=[auth],
        secretString="[secret]",
    )
    cache_subnets = b.add(
        "aws:elasticache/subnetGroup:SubnetGroup", "cache-subnets", parent=cache_c, deps=tiers["isolated"]
    )
    b.add(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "cache-group",
        parent=cache_c,
        deps=[cache_sg, cache_subnets, auth],
        engine="valkey",
        nodeType="cache.t4g.micro",
        numCacheClusters=float(cache_nodes),
        automaticFailoverEnabled=cache_nodes > 1,
    )
    return b.plan()
