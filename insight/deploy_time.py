"""Estimated duration of a first ``pulumi up``, from the plan's dependency graph.

Pulumi creates a resource as soon as every resource it depends on has been created (with the
default unlimited ``--parallel``), so the duration of a first deploy is the longest path through
the dependency graph, weighted by each resource's typical creation time. A component takes no time
of its own; depending on a component means waiting for all of its children.

`CREATION_TIMES` is the table of typical creation times per resource type, each with its source
(observed durations from public deploy logs and issues; see
``docs/cost.md#deploy-time``). Some types depend on their inputs: a Multi-AZ RDS instance, a
replication group with replicas, a CloudFront distribution that waits for deployment, an ECS
service that waits for steady state.

``estimate(plan)`` returns the total, the critical path (resource by resource with start and
duration), and for each edge on the critical path how much sooner the deploy would finish without
that edge: an edge with a large saving that carries no real data dependency is a component
serialising what could run in parallel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from insight.plan import Plan, is_component

Resource = dict[str, Any]


@dataclass(frozen=True)
class Timing:
    seconds: float
    source: str


_TFE = "TFE install log (aakulov, eu-north-1, 2023-07-28)"
_FAST = Timing(3, _TFE + ": VPC, subnets, IGW, SGs, secrets 1–40 s each")

#: Typical creation time per resource type (first create), seconds, with the source.
CREATION_TIMES: dict[str, Timing] = {
    "aws:ec2/vpc:Vpc": Timing(5, _TFE),
    "aws:ec2/subnet:Subnet": Timing(5, _TFE),
    "aws:ec2/internetGateway:InternetGateway": Timing(3, _TFE),
    "aws:ec2/routeTable:RouteTable": _FAST,
    "aws:ec2/route:Route": _FAST,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _FAST,
    "aws:ec2/securityGroup:SecurityGroup": Timing(4, _TFE),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": Timing(2, _TFE),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": Timing(2, _TFE),
    "aws:ec2/eip:Eip": Timing(2, _TFE),
    "aws:ec2/natGateway:NatGateway": Timing(115, _TFE + ": NAT gateway 1m55s"),
    "aws:ec2/instance:Instance": Timing(
        40, "estimate: EC2 instance to 'running' (Terraform/Pulumi wait for running), 20–60 s"
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": Timing(
        90, "estimate: interface endpoint to 'available' 1–2 min (gateway endpoints: seconds)"
    ),
    "aws:ec2/flowLog:FlowLog": _FAST,
    "aws:lb/loadBalancer:LoadBalancer": Timing(132, _TFE + ": ALB 2m12s"),
    "aws:lb/targetGroup:TargetGroup": _FAST,
    "aws:lb/listener:Listener": _FAST,
    "aws:lb/listenerRule:ListenerRule": _FAST,
    "aws:acm/certificate:Certificate": Timing(5, "errornotes.dev: ACM request returns at once"),
    "aws:acm/certificateValidation:CertificateValidation": Timing(
        60, "errornotes.dev TF logs: DNS validation 2 s – 1m1s (AWS: up to several hours)"
    ),
    "aws:rds/instance:Instance": Timing(
        300, _TFE + ": RDS Postgres single-AZ 3m27s; hashicorp/terraform#498: 5–10 min"
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": Timing(
        360, "aakulov TFE logs: replication group 5m58s, 6m59s, 9m07s, 9m15s"
    ),
    "aws:elasticache/serverlessCache:ServerlessCache": Timing(
        60, "AWS Database Blog: ElastiCache Serverless 'create a cache in under a minute'"
    ),
    "aws:cloudfront/distribution:Distribution": Timing(
        195, "binbashar/le-tf-infra-aws PR #408: 3m15s; AWS N&CD blog 2020: propagation 'within 5 minutes'"
    ),
    "aws:ecs/cluster:Cluster": Timing(10, "estimate: cluster create is a single API call"),
    "aws:ecs/service:Service": Timing(
        30, "estimate: CreateService returns when the service is ACTIVE (no wait for steady state)"
    ),
    "aws:ecs/taskDefinition:TaskDefinition": Timing(2, "estimate: RegisterTaskDefinition, one API call"),
    "aws:ecr/repository:Repository": Timing(2, "estimate: one API call"),
    "docker:index/image:Image": Timing(90, "estimate: local docker build of the app image and push to ECR, 1–3 min"),
    "docker-build:index:Image": Timing(90, "estimate: local docker build of the app image and push to ECR, 1–3 min"),
    "aws:wafv2/webAcl:WebAcl": Timing(20, "estimate: WAFv2 web ACL create, 10–30 s"),
    "aws:kms/key:Key": Timing(5, "estimate: KMS CreateKey, seconds"),
    "aws:secretsmanager/secret:Secret": Timing(2, _TFE),
    "aws:secretsmanager/secretVersion:SecretVersion": Timing(2, _TFE),
    "aws:s3/bucket:Bucket": Timing(3, "estimate: CreateBucket, seconds"),
    "aws:s3/bucketV2:BucketV2": Timing(3, "estimate: CreateBucket, seconds"),
    "aws:iam/role:Role": Timing(3, "estimate: CreateRole, seconds (IAM is eventually consistent; providers retry)"),
    "aws:cloudwatch/logGroup:LogGroup": Timing(2, "estimate: one API call"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": Timing(2, "estimate: one API call"),
}

#: Resources not listed above: providers and components take nothing, local providers next to nothing.
ZERO_PREFIXES = ("pulumi:providers:", "random:", "tls:")
DEFAULT_TIMING = Timing(2, "default for configuration resources (one API call)")

RDS_MULTI_AZ = Timing(1080, "hashicorp/terraform#498: Multi-AZ 15–20 min (36m13s seen in tf-provider-aws#43322)")
REPLICATION_GROUP_REPLICAS = Timing(555, "aakulov TFE logs: 9m07s–9m15s for the larger groups")
CLOUDFRONT_NO_WAIT = Timing(10, "waitForDeployment=false: the API call returns before propagation")
ECS_STEADY_STATE = Timing(
    180, "nathanpeck.com 'Speeding up Amazon ECS container deployments': health checks 5×30 s = 2.5 min minimum"
)


def timing(resource: Mapping[str, Any]) -> Timing:
    """The typical creation time of ``resource``, by type and, for some types, by inputs."""
    typ = resource["type"]
    inputs = resource.get("inputs") or {}
    if is_component(resource) or typ.startswith(ZERO_PREFIXES):
        return Timing(0, "component, provider or local resource")
    if typ == "aws:rds/instance:Instance" and inputs.get("multiAz") is True:
        return RDS_MULTI_AZ
    if typ == "aws:elasticache/replicationGroup:ReplicationGroup":
        nodes = inputs.get("numCacheClusters")
        if isinstance(nodes, int | float) and nodes >= 2:
            return REPLICATION_GROUP_REPLICAS
    if typ == "aws:cloudfront/distribution:Distribution" and inputs.get("waitForDeployment") is False:
        return CLOUDFRONT_NO_WAIT
    if typ == "aws:ecs/service:Service" and inputs.get("waitForSteadyState") is True:
        return ECS_STEADY_STATE
    return CREATION_TIMES.get(typ, DEFAULT_TIMING)


@dataclass(frozen=True)
class Step:
    urn: str
    type: str
    name: str
    start: float
    seconds: float
    source: str

    @property
    def finish(self) -> float:
        return self.start + self.seconds


@dataclass(frozen=True)
class Saving:
    """Removing the edge ``dependent`` → waits for → ``dependency`` (and the same edge of every resource of
    ``dependent``'s type) would save ``seconds``."""

    dependent: str
    dependency: str
    seconds: float


@dataclass(frozen=True)
class DeployEstimate:
    env: str
    total_seconds: float
    critical_path: list[Step]
    savings: list[Saving]
    resources: int


class _Graph:
    def __init__(self, resources: list[Resource], removed: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.index = {r["urn"]: r for r in resources}
        self.children: dict[str, list[str]] = {}
        for r in resources:
            if r.get("parent") in self.index:
                self.children.setdefault(r["parent"], []).append(r["urn"])
        self.removed = removed
        self.finish: dict[str, float] = {}
        self.start: dict[str, float] = {}
        self.before: dict[str, str | None] = {}  # the dependency that decided the start
        self.last_child: dict[str, str | None] = {}  # for components: the child that finished last

    def ancestors(self, urn: str) -> set[str]:
        out: set[str] = set()
        parent: str | None = self.index[urn].get("parent")
        while parent is not None and parent in self.index and parent not in out:
            out.add(parent)
            parent = self.index[parent].get("parent")
        return out

    def is_component(self, urn: str) -> bool:
        return is_component(self.index[urn]) or urn in self.children

    def deps(self, urn: str) -> list[str]:
        ancestors = self.ancestors(urn)
        return [
            d
            for d in self.index[urn].get("dependencies", [])
            if d in self.index and d not in ancestors and (urn, d) not in self.removed
        ]

    def compute(self, urn: str, stack: frozenset[str] = frozenset()) -> float:
        if urn in self.finish:
            return self.finish[urn]
        if urn in stack:
            raise ValueError(f"dependency cycle through {urn}")
        stack = stack | {urn}
        start, before = 0.0, None
        for d in sorted(self.deps(urn)):
            f = self.compute(d, stack)
            if f > start:
                start, before = f, d
        own = start + timing(self.index[urn]).seconds
        finish, last = own, None
        if self.is_component(urn):
            for c in sorted(self.children.get(urn, [])):
                f = self.compute(c, stack)
                if f > finish:
                    finish, last = f, c
        self.start[urn], self.before[urn], self.last_child[urn] = start, before, last
        self.finish[urn] = finish
        return finish

    def run(self) -> float:
        return max((self.compute(u) for u in sorted(self.index)), default=0.0)

    def path(self) -> list[str]:
        """The chain of real resources that ends last, first to last."""
        if not self.finish:
            return []
        end = max(sorted(self.finish), key=lambda u: self.finish[u])
        chain: list[str] = []
        current: str | None = end
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            last = self.last_child.get(current)
            if last is not None:  # a component that finished with its last child
                current = last
                continue
            if not self.is_component(current):
                chain.append(current)
            current = self.before.get(current)
        return list(reversed(chain))


def estimate(plan: Plan) -> DeployEstimate:
    """The estimated first-deploy duration of ``plan`` and its critical path."""
    resources = plan.resources
    graph = _Graph(resources)
    total = graph.run()
    chain = graph.path()
    steps = [
        Step(
            urn=u,
            type=graph.index[u]["type"],
            name=graph.index[u]["name"],
            start=graph.start[u],
            seconds=timing(graph.index[u]).seconds,
            source=timing(graph.index[u]).source,
        )
        for u in chain
        if timing(graph.index[u]).seconds > 0
    ]
    savings: list[Saving] = []
    for earlier, later in pairwise(chain):
        # every recorded dependency of `later` through which it waits for `earlier`: the resource
        # itself or a component that contains it (waiting for a component waits for its children)
        # (and the same edge of every resource of the same type, e.g. each service's task
        # definition, since parallel twins would otherwise keep the path as long)
        via = {earlier} | graph.ancestors(earlier)
        twins = [u for u in graph.index if graph.index[u]["type"] == graph.index[later]["type"]]
        edges = frozenset((t, d) for t in twins for d in graph.deps(t) if d in via)
        if not edges:
            continue
        saved = total - _Graph(resources, removed=edges).run()
        if saved > 0:
            dep = graph.before.get(later) or earlier
            savings.append(Saving(dependent=later, dependency=dep if dep in via else earlier, seconds=saved))
    savings.sort(key=lambda s: (-s.seconds, s.dependent))
    return DeployEstimate(
        env=plan.stack, total_seconds=total, critical_path=steps, savings=savings, resources=len(resources)
    )


def _mmss(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}m{s:02d}s"


def render(est: DeployEstimate, plan: Plan) -> str:
    index = plan.by_urn()
    lines = [
        f"Estimated first `pulumi up` of {est.env}: {_mmss(est.total_seconds)} "
        f"({est.resources} resources, unlimited parallelism)",
        "",
        "Critical path:",
        f"  {'start':>7}  {'takes':>7}  resource",
    ]
    for step in est.critical_path:
        lines.append(f"  {_mmss(step.start):>7}  {_mmss(step.seconds):>7}  {step.type}  {step.name}   [{step.source}]")
    if est.savings:
        lines += ["", "Edges on the critical path and what removing each would save:"]
        for s in est.savings:
            a, b = index[s.dependent], index[s.dependency]
            lines.append(
                f"  -{_mmss(s.seconds)}  {a['name']} ({a['type']}, and its twins) waits for {b['name']} ({b['type']})"
            )
    return "\n".join(lines)


def to_document(est: DeployEstimate, plan: Plan) -> dict[str, Any]:
    index = plan.by_urn()
    return {
        "env": est.env,
        "seconds": round(est.total_seconds),
        "critical_path": [
            {"urn": s.urn, "type": s.type, "start": round(s.start), "seconds": round(s.seconds), "source": s.source}
            for s in est.critical_path
        ],
        "savings": [
            {
                "dependent": s.dependent,
                "dependency": s.dependency,
                "seconds": round(s.seconds),
                "dependency_type": index[s.dependency]["type"],
            }
            for s in est.savings
        ],
    }
