"""Architecture diagrams from the offline plan: Mermaid, Graphviz DOT, and SVG/PNG through ``dot``.

`architecture(plan)` turns a plan into boxes and arrows:

* **boxes** are the components that own resources (``<package>:index:<Class>``), each labelled
  with what the plan says it builds (``db.t4g.micro Multi-AZ``, ``2 × 0.25 vCPU ARM64 Spot``);
* **groups**: *Edge* (Cdn, LoadBalancer's internet side), the *VPC* with its network tiers
  (public: load balancer and NAT; private: services; isolated: data), and *Delivery*
  (images, blue-green). A component's tier is read from the subnets its resources use, falling
  back to its class;
* **arrows** are the traffic and data flow, derived from the dependencies between components:
  a resource of A that uses a resource of B is A → B, except that a target group (the load
  balancer sends to whoever registers in it), an ingress rule (B's security group may connect to
  A) and an image (pushed, then run) point the other way. Placement (VPC, subnets, cluster) is
  shown by nesting, not arrows.

`resource_graph(plan)` is the full resource graph: every resource, nested in its components,
with an arrow from each dependency to the resource that waits for it.

Output is deterministic: nodes, groups and edges are sorted.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from insight.plan import Plan, as_number, is_component, is_provider

Resource = dict[str, Any]

GROUP_ORDER = ("edge", "public", "private", "isolated", "delivery", "shared")
GROUP_LABELS = {
    "edge": "Edge",
    "public": "Public subnets",
    "private": "Private subnets: services",
    "isolated": "Isolated subnets: data",
    "delivery": "Delivery",
    "shared": "Shared",
}
VPC_GROUPS = ("public", "private", "isolated")

CLASS_GROUP = {
    "Cdn": "edge",
    "Domain": "edge",
    "LoadBalancer": "public",
    "Vpc": "public",
    "Cluster": "private",
    "FargateService": "private",
    "Postgres": "isolated",
    "Cache": "isolated",
    "ContainerImage": "delivery",
    "BlueGreen": "delivery",
}

_PLACEMENT_TYPES = {
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ecs/cluster:Cluster",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
}
_REVERSED_TYPES = {"aws:lb/targetGroup:TargetGroup"}
_REVERSED_CLASSES = {"ContainerImage"}
_CONTROL_CLASSES = {"BlueGreen", "ContainerImage"}
#: Components that only watch others (their dependencies are ids on graphs, not traffic or control).
_OBSERVER_CLASSES = {"Dashboards"}
#: Dependencies that are configuration, not traffic (secrets are read at start, logs are written out).
_NOT_FLOW_TYPES = {
    "aws:secretsmanager/secret:Secret",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:kms/key:Key",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudfront/publicKey:PublicKey",
    "aws:sns/topic:Topic",
}
_NOT_FLOW_PREFIXES = ("aws:iam/", "random:", "tls:", "pulumi:providers:")
_LOAD_BALANCER_TYPES = {
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
}
_USE_LABELS = {
    "aws:s3/bucket:Bucket": "S3",
    "aws:s3/bucketV2:BucketV2": "S3",
    "aws:secretsmanager/secret:Secret": "secrets",
    "aws:kms/key:Key": "KMS",
    "aws:lb/loadBalancer:LoadBalancer": "origin",
}


class GraphError(RuntimeError):
    """A diagram that cannot be rendered (e.g. Graphviz is not installed)."""


@dataclass(frozen=True)
class Box:
    id: str
    urn: str
    cls: str
    name: str
    group: str
    details: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.cls} '{self.name}'"


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    label: str
    kind: str  # "flow" or "control"


@dataclass
class Diagram:
    title: str
    boxes: list[Box]
    arrows: list[Arrow]
    vpc_label: str = "VPC"
    extra_nodes: dict[str, str] = field(default_factory=dict)  # id -> label (e.g. users)


def _ident(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def _fmt(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class _Index:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.by_urn = plan.by_urn()
        self.owner: dict[str, str | None] = {}
        for urn, res in self.by_urn.items():
            self.owner[urn] = self._owner(res)
        self.owned: dict[str, list[Resource]] = {}
        for urn, owner in self.owner.items():
            if owner is not None and not self.is_component(urn):
                self.owned.setdefault(owner, []).append(self.by_urn[urn])

    def is_component(self, urn: str) -> bool:
        res = self.by_urn[urn]
        return is_component(res) and not is_provider(res)

    def _owner(self, res: Resource) -> str | None:
        parent = res.get("parent")
        while parent is not None and parent in self.by_urn:
            if self.is_component(parent):
                return str(parent)
            parent = self.by_urn[parent].get("parent")
        return None


def _tier(index: _Index, cls: str, owned: list[Resource]) -> str:
    default = CLASS_GROUP.get(cls, "shared")
    if default not in VPC_GROUPS or cls == "Vpc":
        return default
    votes: Counter[str] = Counter()
    for res in owned:
        for dep in res.get("dependencies", []):
            sub = index.by_urn.get(dep)
            if sub is None or sub["type"] != "aws:ec2/subnet:Subnet":
                continue
            for tier in VPC_GROUPS:
                if tier in sub["name"]:
                    votes[tier] += 1
    if votes:
        return sorted(votes.items(), key=lambda kv: (-kv[1], GROUP_ORDER.index(kv[0])))[0][0]
    return default


def _details(cls: str, owned: list[Resource]) -> tuple[str, ...]:
    """One or two short lines saying what the component builds, from its resources' inputs."""
    by_type: dict[str, list[Resource]] = {}
    for r in owned:
        by_type.setdefault(r["type"], []).append(r)

    def of(t: str) -> list[Resource]:
        return by_type.get(t, [])

    lines: list[str] = []
    nats = of("aws:ec2/natGateway:NatGateway")
    instances = of("aws:ec2/instance:Instance")
    subnets = of("aws:ec2/subnet:Subnet")
    endpoints = [e for e in of("aws:ec2/vpcEndpoint:VpcEndpoint") if e["inputs"].get("vpcEndpointType") == "Interface"]
    if subnets:
        lines.append(f"{len(subnets)} subnets")
    if nats:
        lines.append(f"{len(nats)} NAT gateway{'s' if len(nats) > 1 else ''}")
    elif instances and cls == "Vpc":
        lines.append(f"NAT instance {instances[0]['inputs'].get('instanceType', '?')}")
    if endpoints:
        lines.append(f"{len(endpoints)} interface endpoints")
    for lb in of("aws:lb/loadBalancer:LoadBalancer"):
        scheme = "internal" if lb["inputs"].get("internal") is True else "internet-facing"
        tgs = len(of("aws:lb/targetGroup:TargetGroup"))
        lines.append(f"ALB {scheme}, {tgs} target group{'s' if tgs != 1 else ''}")
    for dist in of("aws:cloudfront/distribution:Distribution"):
        origins = dist["inputs"].get("origins") or []
        private = sum(1 for o in origins if isinstance(o, dict) and o.get("vpcOriginConfig"))
        lines.append(f"CloudFront, {len(origins)} origins" + (f" ({private} VPC origin)" if private else ""))
    for topic in of("aws:sns/topic:Topic"):
        subscriptions = len(of("aws:sns/topicSubscription:TopicSubscription"))
        encrypted = "encrypted " if topic["inputs"].get("kmsMasterKeyId") else ""
        lines.append(f"{encrypted}SNS topic, {subscriptions} subscription{'s' if subscriptions != 1 else ''}")
    buckets = of("aws:s3/bucket:Bucket") + of("aws:s3/bucketV2:BucketV2")
    if buckets and cls != "LoadBalancer":
        lines.append(f"{len(buckets)} S3 bucket{'s' if len(buckets) > 1 else ''}")
    if of("aws:wafv2/webAcl:WebAcl"):
        lines.append("WAF web ACL")
    if dashboards := of("aws:cloudwatch/dashboard:Dashboard"):
        lines.append(f"{len(dashboards)} CloudWatch dashboard{'s' if len(dashboards) > 1 else ''}")
    services = of("aws:ecs/service:Service")
    tds = of("aws:ecs/taskDefinition:TaskDefinition")
    for svc in services:
        count = as_number(svc["inputs"].get("desiredCount"))
        strategies = svc["inputs"].get("capacityProviderStrategies") or []
        spot = any(
            s.get("capacityProvider") == "FARGATE_SPOT" and (as_number(s.get("weight")) or 0) > 0 for s in strategies
        )
        size = ""
        if tds:
            td = tds[0]["inputs"]
            cpu, mem = as_number(td.get("cpu")), as_number(td.get("memory"))
            arch = (td.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
            size = f" × {_fmt(cpu / 1024 if cpu else None)} vCPU/{_fmt(mem / 1024 if mem else None)} GB {arch}"
        lines.append(
            f"{_fmt(count if count is not None else 1)} task{'s' if count != 1 else ''}{size}{' Spot' if spot else ''}"
        )
    if of("aws:ecs/cluster:Cluster"):
        lines.append("ECS cluster")
    for db in of("aws:rds/instance:Instance"):
        i = db["inputs"]
        lines.append(
            f"{i.get('engine', 'postgres')} {i.get('instanceClass', '?')} {'Multi-AZ' if i.get('multiAz') is True else 'Single-AZ'}"
        )
    for rg in of("aws:elasticache/replicationGroup:ReplicationGroup"):
        i = rg["inputs"]
        lines.append(
            f"{i.get('engine', 'redis')} {i.get('nodeType', '?')} × {_fmt(as_number(i.get('numCacheClusters')) or 1)}"
        )
    for sc in of("aws:elasticache/serverlessCache:ServerlessCache"):
        lines.append(f"{sc['inputs'].get('engine', 'redis')} serverless")
    if of("aws:ecr/repository:Repository"):
        lines.append("ECR repository")
    if cls == "StreamingPlatform":
        secrets, keys = len(of("aws:secretsmanager/secret:Secret")), len(of("aws:kms/key:Key"))
        if secrets:
            lines.append(f"{secrets} secret{'s' if secrets > 1 else ''}")
        if keys:
            lines.append(f"{keys} KMS key{'s' if keys > 1 else ''}")
    return tuple(lines[:3])


def _arrow_for(index: _Index, res: Resource, dep: Resource, a: str, b: str) -> tuple[str, str, str, str] | None:
    """The arrow implied by ``res`` (owned by component ``a``) depending on ``dep`` (owned by ``b``)."""
    a_cls = index.by_urn[a]["type"].rsplit(":", 1)[1]
    b_cls = index.by_urn[b]["type"].rsplit(":", 1)[1]
    if a_cls in _OBSERVER_CLASSES or b_cls in _OBSERVER_CLASSES:
        return None
    if "Domain" in (a_cls, b_cls):  # certificates for, and DNS aliases to, the distribution and the ALB
        return (a, b, "DNS, TLS", "control") if a_cls == "Domain" else (b, a, "DNS, TLS", "control")
    if dep["type"] in _PLACEMENT_TYPES or b_cls in ("Vpc", "Cluster") or a_cls == "Vpc":
        return None
    if dep["type"] in _NOT_FLOW_TYPES or dep["type"].startswith(_NOT_FLOW_PREFIXES):
        return None
    if dep["type"] in _LOAD_BALANCER_TYPES and a_cls not in ("Cdn", "BlueGreen"):
        return None  # a service waiting for the listener: the traffic is the target group's arrow
    kind = "control" if (a_cls in _CONTROL_CLASSES or b_cls in _CONTROL_CLASSES) else "flow"
    if dep["type"] == "aws:ec2/securityGroup:SecurityGroup":
        port = as_number(res["inputs"].get("fromPort"))
        label = f"tcp/{_fmt(port)}" if port is not None else ""
        if res["type"] == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            return (b, a, label, kind)
        if res["type"] == "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
            return (a, b, label, kind)
        return None
    if dep["type"] in _REVERSED_TYPES:
        port = as_number(dep["inputs"].get("port"))
        return (b, a, f"HTTP :{_fmt(port)}" if port is not None else "HTTP", kind)
    if b_cls in _REVERSED_CLASSES:
        return (b, a, "image", "control")
    if a_cls == "BlueGreen":
        return (a, b, "switches", "control")
    if dep["type"] == "aws:lb/loadBalancer:LoadBalancer" and _through_vpc_origin(index, a):
        return (a, b, "VPC origin", kind)
    return (a, b, _USE_LABELS.get(dep["type"], ""), kind)


def _through_vpc_origin(index: _Index, component: str) -> bool:
    """Whether ``component`` reaches its origin through a CloudFront VPC origin (a private ALB)."""
    return any(r["type"] == "aws:cloudfront/vpcOrigin:VpcOrigin" for r in index.owned.get(component, []))


def architecture(plan: Plan) -> Diagram:
    """Components as boxes in their groups, and the flows between them."""
    index = _Index(plan)
    ids: dict[str, str] = {}
    boxes: list[Box] = []
    for urn in sorted(index.owned):
        res = index.by_urn[urn]
        cls = res["type"].rsplit(":", 1)[1]
        owned = index.owned[urn]
        if all(is_provider(r) for r in owned):
            continue  # a composition that owns nothing but providers is drawn as what it contains
        box_id = _ident(f"{cls}_{res['name']}")
        while box_id in ids.values():
            box_id += "_"
        ids[urn] = box_id
        boxes.append(Box(box_id, urn, cls, res["name"], _tier(index, cls, owned), _details(cls, owned)))
    flows: dict[tuple[str, str, str], set[str]] = {}
    for urn, owned in index.owned.items():
        if urn not in ids:
            continue
        for res in owned:
            for d in res.get("dependencies", []):
                dep = index.by_urn.get(d)
                other = index.owner.get(d) if dep is not None else None
                if dep is None or other is None or other == urn or other not in ids:
                    continue
                arrow = _arrow_for(index, res, dep, urn, other)
                if arrow is None:
                    continue
                src, dst, label, kind = arrow
                flows.setdefault((ids[src], ids[dst], kind), set())
                if label:
                    flows[(ids[src], ids[dst], kind)].add(label)
    arrows = []
    seen_pairs: set[tuple[str, str]] = set()
    for (src, dst, kind), labels in sorted(flows.items(), key=lambda kv: (kv[0][2] != "flow", kv[0])):
        if (src, dst) in seen_pairs:  # a flow and a control edge between the same boxes: keep the flow
            continue
        seen_pairs.add((src, dst))
        http_ports = {label.split(":")[1] for label in labels if label.startswith("HTTP :")}
        labels = {label for label in labels if not (label.startswith("tcp/") and label[4:] in http_ports)}
        arrows.append(Arrow(src, dst, ", ".join(sorted(labels)), kind))
    extra: dict[str, str] = {}
    entry = [b for b in boxes if b.cls == "Cdn"] or [b for b in boxes if b.cls == "LoadBalancer"]
    if entry:
        extra["users"] = "Users"
        arrows = [Arrow("users", b.id, "HTTPS", "flow") for b in entry] + arrows
    vpcs = [b for b in boxes if b.cls == "Vpc"]
    vpc_label = f"VPC ({vpcs[0].name})" if vpcs else "VPC"
    return Diagram(
        title=f"{plan.project} / {plan.stack}", boxes=boxes, arrows=arrows, vpc_label=vpc_label, extra_nodes=extra
    )


# -- rendering: architecture --------------------------------------------------------------------


def _groups(diagram: Diagram) -> list[tuple[str, list[Box]]]:
    out = []
    for group in GROUP_ORDER:
        members = sorted((b for b in diagram.boxes if b.group == group), key=lambda b: (b.cls, b.name))
        if members:
            out.append((group, members))
    return out


def _mm(text: str) -> str:
    return text.replace('"', "#quot;")


def architecture_mermaid(diagram: Diagram) -> str:
    lines = ["flowchart LR"]
    for node_id, label in sorted(diagram.extra_nodes.items()):
        lines.append(f'  {node_id}(["{_mm(label)}"])')
    groups = _groups(diagram)
    in_vpc = [g for g in groups if g[0] in VPC_GROUPS]

    def box_line(b: Box, indent: str) -> str:
        label = "<br/>".join([f"<b>{_mm(b.title)}</b>", *(_mm(d) for d in b.details)])
        return f'{indent}{b.id}["{label}"]'

    for group, members in groups:
        if group in VPC_GROUPS:
            continue
        lines.append(f'  subgraph {group}["{GROUP_LABELS[group]}"]')
        lines += [box_line(b, "    ") for b in members]
        lines.append("  end")
    if in_vpc:
        lines.append(f'  subgraph vpc["{_mm(diagram.vpc_label)}"]')
        for group, members in in_vpc:
            lines.append(f'    subgraph {group}["{GROUP_LABELS[group]}"]')
            lines += [box_line(b, "      ") for b in members]
            lines.append("    end")
        lines.append("  end")
    for a in diagram.arrows:
        arrow = "-->" if a.kind == "flow" else "-.->"
        label = f'|"{_mm(a.label)}"|' if a.label else ""
        lines.append(f"  {a.source} {arrow}{label} {a.target}")
    return "\n".join(lines) + "\n"


def _dq(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def architecture_dot(diagram: Diagram) -> str:
    lines = [
        "digraph architecture {",
        f"  label={_dq(diagram.title)};",
        '  labelloc="t";',
        "  rankdir=LR;",
        '  fontname="Helvetica";',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for node_id, label in sorted(diagram.extra_nodes.items()):
        lines.append(f"  {node_id} [label={_dq(label)}, shape=ellipse];")
    groups = _groups(diagram)
    fills = {
        "edge": "#eef5ff",
        "public": "#eefaf0",
        "private": "#fff8e6",
        "isolated": "#fdeeee",
        "delivery": "#f3f0fa",
        "shared": "#f2f2f2",
    }

    def box_line(b: Box, indent: str) -> str:
        label = "\\n".join([b.title, *b.details]).replace('"', '\\"')
        return f'{indent}{b.id} [label="{label}"];'

    for group, members in groups:
        if group in VPC_GROUPS:
            continue
        lines.append(f"  subgraph cluster_{group} {{")
        lines.append(f'    label={_dq(GROUP_LABELS[group])}; style="rounded,filled"; fillcolor="{fills[group]}";')
        lines += [box_line(b, "    ") for b in members]
        lines.append("  }")
    in_vpc = [g for g in groups if g[0] in VPC_GROUPS]
    if in_vpc:
        lines.append("  subgraph cluster_vpc {")
        lines.append(f'    label={_dq(diagram.vpc_label)}; style="rounded"; color="#5b8def";')
        for group, members in in_vpc:
            lines.append(f"    subgraph cluster_{group} {{")
            lines.append(f'      label={_dq(GROUP_LABELS[group])}; style="rounded,filled"; fillcolor="{fills[group]}";')
            lines += [box_line(b, "      ") for b in members]
            lines.append("    }")
        lines.append("  }")
    for a in diagram.arrows:
        attrs = []
        if a.label:
            attrs.append(f"label={_dq(a.label)}")
        if a.kind != "flow":
            attrs.append("style=dashed")
        lines.append(f"  {a.source} -> {a.target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- rendering: full resource graph -------------------------------------------------------------


def _short(type_token: str) -> str:
    parts = type_token.split(":")
    return f"{parts[1].split('/')[0]}:{parts[2]}" if len(parts) == 3 else type_token


@dataclass
class ResourceGraph:
    title: str
    ids: dict[str, str]  # urn -> node id
    labels: dict[str, str]  # urn -> label
    parents: dict[str, str | None]  # urn -> component urn (components are clusters)
    components: list[str]
    edges: list[tuple[str, str]]  # (dependency urn, dependent urn)


def resource_graph(plan: Plan) -> ResourceGraph:
    """Every resource (providers left out), nested in its components, with dependency arrows."""
    resources = [r for r in plan.resources if not is_provider(r)]
    by_urn = {r["urn"]: r for r in resources}
    components = sorted(u for u, r in by_urn.items() if is_component(r))
    ids = {u: f"r{i}" for i, u in enumerate(sorted(by_urn))}
    labels = {u: f"{_short(r['type'])}\n{r['name']}" for u, r in by_urn.items()}
    parents = {u: (r["parent"] if r.get("parent") in by_urn else None) for u, r in by_urn.items()}
    edges = sorted({(d, r["urn"]) for r in resources for d in r.get("dependencies", []) if d in by_urn})
    return ResourceGraph(f"{plan.project} / {plan.stack}: resources", ids, labels, parents, components, edges)


def _children(graph: ResourceGraph) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for urn in sorted(graph.ids):
        out.setdefault(graph.parents[urn], []).append(urn)
    return out


def resources_mermaid(graph: ResourceGraph) -> str:
    lines = ["flowchart LR"]
    children = _children(graph)

    def walk(parent: str | None, indent: str) -> None:
        for urn in children.get(parent, []):
            label = _mm(graph.labels[urn]).replace("\n", "<br/>")
            if urn in graph.components:
                lines.append(f'{indent}subgraph {graph.ids[urn]}["{label}"]')
                walk(urn, indent + "  ")
                lines.append(f"{indent}end")
            else:
                lines.append(f'{indent}{graph.ids[urn]}["{label}"]')

    walk(None, "  ")
    for dep, res in graph.edges:
        lines.append(f"  {graph.ids[dep]} --> {graph.ids[res]}")
    return "\n".join(lines) + "\n"


def resources_dot(graph: ResourceGraph) -> str:
    lines = [
        "digraph resources {",
        f"  label={_dq(graph.title)};",
        '  labelloc="t";',
        "  rankdir=LR;",
        "  compound=true;",
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=9];',
    ]
    children = _children(graph)

    def walk(parent: str | None, indent: str) -> None:
        for urn in children.get(parent, []):
            label = graph.labels[urn].replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            if urn in graph.components:
                lines.append(f"{indent}subgraph cluster_{graph.ids[urn]} {{")
                lines.append(f'{indent}  label="{label}"; style=rounded;')
                # an invisible point stands for the component in edges
                lines.append(f"{indent}  {graph.ids[urn]} [shape=point, style=invis];")
                walk(urn, indent + "  ")
                lines.append(f"{indent}}}")
            else:
                lines.append(f'{indent}{graph.ids[urn]} [label="{label}"];')

    walk(None, "  ")
    for dep, res in graph.edges:
        lines.append(f"  {graph.ids[dep]} -> {graph.ids[res]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- Graphviz -----------------------------------------------------------------------------------


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def render_with_dot(dot_source: str, fmt: str) -> bytes:
    """Render DOT to ``svg`` or ``png`` with Graphviz's ``dot``."""
    if fmt not in ("svg", "png"):
        raise GraphError(f"format {fmt!r}: dot renders svg or png")
    exe = shutil.which("dot")
    if exe is None:
        raise GraphError(
            "Graphviz's `dot` is not installed; install the Debian package `graphviz` "
            "(apt-get install -y graphviz) or use --format mermaid|dot"
        )
    proc = subprocess.run([exe, f"-T{fmt}"], input=dot_source.encode(), capture_output=True, check=False, timeout=120)
    if proc.returncode != 0:
        raise GraphError(f"dot failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def render(plan: Plan, fmt: str, *, resources: bool = False) -> bytes:
    """The diagram of ``plan`` in ``fmt`` (mermaid, dot, svg, png)."""
    if resources:
        graph = resource_graph(plan)
        text = resources_mermaid(graph) if fmt == "mermaid" else resources_dot(graph)
    else:
        diagram = architecture(plan)
        text = architecture_mermaid(diagram) if fmt == "mermaid" else architecture_dot(diagram)
    if fmt in ("mermaid", "dot"):
        return text.encode()
    return render_with_dot(text, fmt)


def formats() -> Iterable[str]:
    return ("mermaid", "dot", "svg", "png")
