"""Build a tagged blue-green pair in moto (in-process `mock_aws` or a `ThreadedMotoServer`), as the
BlueGreen component would have created it: two ip target groups, the weighted listener rule, a
header test rule per colour, two ECS services and one alarm per colour, all tagged
Environment/Service(/Color)."""

from __future__ import annotations

from dataclasses import dataclass

import boto3

REGION = "us-east-1"


@dataclass
class World:
    session: boto3.session.Session
    rule_arn: str
    target_groups: dict[str, str]
    services: dict[str, str]
    alarms: dict[str, str]
    cluster: str

    def client(self, name: str):  # type: ignore[no-untyped-def]
        return self.session.client(name)

    def weights(self) -> dict[str, int]:
        rule = self.client("elbv2").describe_rules(RuleArns=[self.rule_arn])["Rules"][0]
        groups = rule["Actions"][0]["ForwardConfig"]["TargetGroups"]
        by_arn = {g["TargetGroupArn"]: g["Weight"] for g in groups}
        return {c: by_arn[self.target_groups[c]] for c in ("blue", "green")}

    def set_alarm(self, color: str, state: str = "ALARM") -> None:
        self.client("cloudwatch").set_alarm_state(AlarmName=self.alarms[color], StateValue=state, StateReason="test")

    def rule_tags(self) -> dict[str, str]:
        desc = self.client("elbv2").describe_tags(ResourceArns=[self.rule_arn])["TagDescriptions"][0]
        return {t["Key"]: t["Value"] for t in desc["Tags"]}

    def make_steady(self, color: str, count: int = 2) -> None:
        """moto sets runningCount = desiredCount on update_service (its model of a finished rollout)."""
        self.client("ecs").update_service(cluster=self.cluster, service=self.services[color], desiredCount=count)


def _tags(env: str, service: str, color: str | None = None) -> list[dict[str, str]]:
    tags = [{"Key": "Environment", "Value": env}, {"Key": "Service", "Value": service}]
    return tags + ([{"Key": "Color", "Value": color}] if color else [])


def build_world(
    session: boto3.session.Session,
    *,
    env: str = "prod",
    service: str = "catalog",
    steady: tuple[str, ...] = ("blue", "green"),
    targets: dict[str, int] | None = None,
    weights: dict[str, int] | None = None,
    region: str = REGION,
) -> World:
    targets = {"blue": 2, "green": 2} if targets is None else targets
    weights = weights or {"blue": 100, "green": 0}
    ec2, elb, ecs, cw = (session.client(n) for n in ("ec2", "elbv2", "ecs", "cloudwatch"))
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{region}{az}")["Subnet"]["SubnetId"]
        for i, az in ((1, "a"), (2, "b"))
    ]
    sg = ec2.create_security_group(GroupName=f"{service}-sg", Description="tasks", VpcId=vpc)["GroupId"]
    lb = elb.create_load_balancer(Name=f"{env}-web", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    listener = elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
    )["Listeners"][0]["ListenerArn"]
    tgs: dict[str, str] = {}
    for color in ("blue", "green"):
        tgs[color] = elb.create_target_group(
            Name=f"{env}-{service}-{color}",
            Protocol="HTTP",
            Port=8000,
            VpcId=vpc,
            TargetType="ip",
            Tags=_tags(env, service, color),
        )["TargetGroups"][0]["TargetGroupArn"]
        base = 1 if color == "blue" else 2
        if targets.get(color):
            elb.register_targets(
                TargetGroupArn=tgs[color],
                Targets=[{"Id": f"10.0.{base}.{10 + i}", "Port": 8000} for i in range(targets[color])],
            )
    rule = elb.create_rule(
        ListenerArn=listener,
        Priority=100,
        Conditions=[{"Field": "path-pattern", "Values": ["/api/catalog/*"]}],
        Actions=[
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [{"TargetGroupArn": tgs[c], "Weight": weights[c]} for c in ("blue", "green")],
                    "TargetGroupStickinessConfig": {"Enabled": False},
                },
            }
        ],
        Tags=_tags(env, service),
    )["Rules"][0]["RuleArn"]
    for prio, color in ((98, "blue"), (99, "green")):
        elb.create_rule(
            ListenerArn=listener,
            Priority=prio,
            Conditions=[
                {
                    "Field": "http-header",
                    "HttpHeaderConfig": {"HttpHeaderName": "X-Deployment-Color", "Values": [color]},
                }
            ],
            Actions=[
                {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": tgs[color], "Weight": 1}]}}
            ],
            Tags=_tags(env, service, color),
        )
    cluster = f"{env}-cluster"
    ecs.create_cluster(clusterName=cluster)
    services: dict[str, str] = {}
    alarms: dict[str, str] = {}
    for color, tag in (("blue", "v1"), ("green", "v2")):
        td = ecs.register_task_definition(
            family=f"{service}-{color}",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "app", "image": f"registry.example/{service}:{tag}", "memory": 512}],
        )["taskDefinition"]["taskDefinitionArn"]
        services[color] = ecs.create_service(
            cluster=cluster,
            serviceName=f"{service}-{color}",
            taskDefinition=td,
            desiredCount=2,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg]}},
            loadBalancers=[{"targetGroupArn": tgs[color], "containerName": "app", "containerPort": 8000}],
            tags=[{"key": t["Key"], "value": t["Value"]} for t in _tags(env, service, color)],
        )["service"]["serviceArn"]
        alarms[color] = f"{service}-{color}-5xx"
        cw.put_metric_alarm(
            AlarmName=alarms[color],
            Namespace="AWS/ApplicationELB",
            MetricName="HTTPCode_Target_5XX_Count",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=5,
            ComparisonOperator="GreaterThanThreshold",
            Tags=_tags(env, service, color),
        )
    world = World(session, rule, tgs, services, alarms, cluster)
    for color in steady:
        world.make_steady(color)
    return world


def push_image(session: boto3.session.Session, repository: str, tag: str) -> str:
    """Put an image (a manifest with one layer unique to ``tag``) into a moto ECR repository, creating
    the repository (IMMUTABLE tags, as ContainerImage makes it) if needed; return ``<repo uri>@<digest>``."""
    import hashlib
    import json

    ecr = session.client("ecr")
    try:
        uri = ecr.create_repository(repositoryName=repository, imageTagMutability="IMMUTABLE")["repository"][
            "repositoryUri"
        ]
    except ecr.exceptions.RepositoryAlreadyExistsException:
        uri = ecr.describe_repositories(repositoryNames=[repository])["repositories"][0]["repositoryUri"]
    layer = "sha256:" + hashlib.sha256(tag.encode()).hexdigest()
    media = "application/vnd.docker.distribution.manifest.v2+json"
    manifest = {
        "schemaVersion": 2,
        "mediaType": media,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7, "digest": layer},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 7, "digest": layer}],
    }
    image = ecr.put_image(
        repositoryName=repository, imageManifest=json.dumps(manifest), imageManifestMediaType=media, imageTag=tag
    )["image"]
    return f"{uri}@{image['imageId']['imageDigest']}"


def deploy_image(world: World, color: str, image: str) -> None:
    """What `pulumi up` does for a colour with a new image: a new task definition revision, the service on it."""
    ecs = world.client("ecs")
    family = f"catalog-{color}"
    td = ecs.register_task_definition(
        family=family,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": image, "memory": 512}],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=world.cluster, service=world.services[color], taskDefinition=td, desiredCount=2)


def image_tags(session: boto3.session.Session, repository: str) -> dict[str, set[str]]:
    """{digest: its tags} of a repository."""
    out: dict[str, set[str]] = {}
    for detail in session.client("ecr").describe_images(repositoryName=repository)["imageDetails"]:
        out[detail["imageDigest"]] = set(detail.get("imageTags", []))
    return out
