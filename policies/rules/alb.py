"""Application load balancer: headers, TLS policy, HTTP->HTTPS, deletion protection, logs, AZs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._core import (
    SECRET,
    ResourceView,
    StackFinding,
    as_list,
    get,
    is_true,
    is_unknown,
    linked,
    of_types,
    resource_rule,
    stack_rule,
)

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
SECURITY_GROUPS = ("aws:ec2/securityGroup:SecurityGroup",)
INGRESS_RULES = ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",)
LEGACY_RULES = ("aws:ec2/securityGroupRule:SecurityGroupRule",)
LISTENER_RULES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")


def _application(r: ResourceView) -> bool:
    return r.props.get("loadBalancerType") in (None, "application")


@resource_rule(
    "alb-drop-invalid-header-fields",
    control="ELB.4",
    description="Application load balancers drop invalid HTTP header fields (dropInvalidHeaderFields true).",
    types=LOAD_BALANCERS,
)
def drop_invalid_headers(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = r.props.get("dropInvalidHeaderFields")
    if _application(r) and not is_true(value) and not is_unknown(value):
        yield f"{r.label}: invalid header fields are forwarded (request smuggling risk). Set drop_invalid_header_fields=True."


@resource_rule(
    "alb-deletion-protection",
    control="ELB.6",
    description="Load balancers have deletion protection on (enableDeletionProtection true). Prod: mandatory.",
    types=LOAD_BALANCERS,
    category="reliability",
)
def deletion_protection(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = r.props.get("enableDeletionProtection")
    if not is_true(value) and not is_unknown(value):
        yield f"{r.label}: deletion protection is off. Set enable_deletion_protection=True (the stack passes it per environment)."


@resource_rule(
    "alb-access-logs",
    control="ELB.5",
    description="Load balancers write access logs to S3 (accessLogs.enabled true with a bucket). Prod: mandatory.",
    types=LOAD_BALANCERS,
    category="operations",
)
def access_logs(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    logs = r.props.get("accessLogs")
    if is_unknown(logs):
        return
    if not (is_true(get(logs, "enabled")) and get(logs, "bucket")):
        yield (
            f'{r.label}: access logs are off. Set access_logs={{"bucket": <log bucket>, "enabled": True}} '
            f"(the bucket policy must allow the ELB log-delivery service)."
        )


@resource_rule(
    "alb-desync-mitigation",
    control="ELB.12",
    description="desyncMitigationMode is defensive (the default) or strictest, never monitor.",
    types=LOAD_BALANCERS,
)
def desync_mitigation(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    mode = r.props.get("desyncMitigationMode")
    if _application(r) and mode == "monitor":
        yield f'{r.label}: desync_mitigation_mode="monitor" lets desync attacks through. Use "defensive" or "strictest".'


@resource_rule(
    "alb-multi-az",
    control="ELB.13",
    description="Load balancers span at least two subnets (Availability Zones). Unknown subnet lists pass.",
    types=LOAD_BALANCERS,
    category="reliability",
)
def multi_az(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    subnets, mappings = r.props.get("subnets"), r.props.get("subnetMappings")
    if is_unknown(subnets) or is_unknown(mappings):
        return
    count = len(as_list(subnets)) + len(as_list(mappings))
    if count < 2:
        yield f"{r.label}: placed in {count} subnet(s); pass the public subnets of at least two Availability Zones."


@resource_rule(
    "alb-listener-modern-tls-policy",
    control="ELB.17",
    description="HTTPS/TLS listeners use a recommended TLS 1.2+/1.3 security policy (sslPolicy from the allow-list).",
    types=LISTENERS,
    params={
        "allowedPolicies": {
            "type": "array",
            "items": {"type": "string"},
            "default": [
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                "ELBSecurityPolicy-TLS13-1-3-2021-06",
                "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
                "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
                "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
                "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
                "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
                "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
                "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
            ],
        }
    },
)
def listener_tls_policy(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    if r.props.get("protocol") not in ("HTTPS", "TLS"):
        return
    policy = r.props.get("sslPolicy")
    if not is_unknown(policy) and policy not in config["allowedPolicies"]:
        yield (
            f"{r.label}: ssl_policy={policy!r} allows outdated protocols or ciphers. Set "
            f'ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06".'
        )


def _redirects_to_https(listener: ResourceView) -> bool:
    actions = as_list(listener.props.get("defaultActions"))
    return bool(actions) and all(
        get(a, "type") == "redirect" and get(a, "redirect", "protocol") == "HTTPS" for a in actions
    )


@stack_rule(
    "alb-http-redirects-to-https",
    control="ELB.1",
    description=(
        "When a load balancer has an HTTPS listener (a certificate exists), each of its HTTP listeners "
        "only redirects to HTTPS. A load balancer without a certificate is not assessed."
    ),
    types=LISTENERS,
)
def http_redirects_to_https(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    listeners = of_types(resources, *LISTENERS)
    for lb in of_types(resources, *LOAD_BALANCERS):
        mine = [x for x in listeners if linked(x, lb, prop="loadBalancerArn", target_keys=("arn", "id"))]
        if not any(x.props.get("protocol") == "HTTPS" for x in mine):
            continue
        for x in mine:
            if x.props.get("protocol") == "HTTP" and not _redirects_to_https(x):
                yield StackFinding(
                    x.urn,
                    f"{x.label}: serves plain HTTP although {lb.label} has an HTTPS listener. Make its "
                    f'default action {{type: "redirect", redirect: {{protocol: "HTTPS", port: "443", '
                    f'status_code: "HTTP_301"}}}}.',
                )


@resource_rule(
    "alb-header-rules-need-a-secret",
    description=(
        "A listener rule that matches HTTP headers requires at least one header whose value is a secret "
        "(e.g. the blue-green test rules' X-Deployment-Key), so no client reaches its target by setting a "
        "plain header (CloudFront forwards viewer headers to /api/*)."
    ),
    types=LISTENER_RULES,
)
def header_rules_need_a_secret(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    conditions = r.props.get("conditions")
    if is_unknown(conditions):
        return
    headers = [get(c, "httpHeader") for c in as_list(conditions) if get(c, "httpHeader")]
    if not headers:
        return
    values = [as_list(get(h, "values")) for h in headers]
    if any(v and all(x == SECRET or is_unknown(x) for x in v) for v in values):
        return
    names = ", ".join(f"{get(h, 'httpHeaderName')}: {as_list(get(h, 'values'))}" for h in headers)
    yield (
        f"{r.label}: matches only plain header values ({names}) that any client can send through CloudFront. "
        "Also require a header whose value is a secret (pulumi.Output.secret(...)), as BlueGreen's "
        "X-Deployment-Key does, or drop the header condition."
    )


def _own_group(rule: ResourceView, group: ResourceView, resources: Sequence[ResourceView]) -> bool:
    """Whether an SG-to-SG ingress ``rule`` sits on ``group`` (offline, both groups are dependencies:
    by known ids when there are, else only when ``group`` is its one security-group dependency)."""
    own, ref = rule.props.get("securityGroupId"), rule.props.get("referencedSecurityGroupId")
    gid = group.props.get("id")
    if isinstance(gid, str) and not is_unknown(gid) and isinstance(own, str) and not is_unknown(own):
        return own == gid
    groups = [g for g in of_types(resources, *SECURITY_GROUPS) if g.urn in rule.dependencies]
    return groups == [group] and ref != gid


def _ingress_problems(lb: ResourceView, resources: Sequence[ResourceView]) -> list[str]:
    """What of ``lb``'s security-group ingress is not "CloudFront's prefix list on 443"."""
    groups = [g for g in of_types(resources, *SECURITY_GROUPS) if linked(lb, g, prop="securityGroups")]
    problems: list[str] = []
    prefix_443 = False
    for group in groups:
        for inline in as_list(group.props.get("ingress")):
            problems.append(f"{group.label} has an inline ingress rule ({inline})")
        for rule in of_types(resources, *INGRESS_RULES):
            if not linked(rule, group, prop="securityGroupId"):
                continue
            if rule.props.get("referencedSecurityGroupId") and not _own_group(rule, group, resources):
                continue  # another group's rule that admits this one (e.g. targets admitting the ALB)
            port = (rule.props.get("fromPort"), rule.props.get("toPort"))
            source = rule.props.get("prefixListId")
            cidr = (
                rule.props.get("cidrIpv4") or rule.props.get("cidrIpv6") or rule.props.get("referencedSecurityGroupId")
            )
            if cidr:
                problems.append(f"{rule.label} admits {cidr} on {port[0]}")
            elif source and port == (443, 443):
                prefix_443 = True
            elif source:
                problems.append(f"{rule.label} admits a prefix list on port {port[0]} (not HTTPS 443)")
        for rule in of_types(resources, *LEGACY_RULES):
            if linked(rule, group, prop="securityGroupId") and rule.props.get("type") == "ingress":
                problems.append(f"{rule.label} is an ingress rule outside the prefix list")
    if groups and not prefix_443:
        problems.append("no ingress from a managed prefix list (CloudFront's origin-facing list) on 443")
    return problems


@stack_rule(
    "alb-private-or-cloudfront-only",
    description=(
        "Every application load balancer is internal (CloudFront reaches it through a VPC origin), or, if "
        "internet-facing, has an HTTPS listener and admits only a managed prefix list (CloudFront's "
        "origin-facing list) on 443: no CIDR, no plain HTTP from the internet. Prod: mandatory."
    ),
    types=LOAD_BALANCERS,
)
def private_or_cloudfront_only(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    listeners = of_types(resources, *LISTENERS)
    for lb in of_types(resources, *LOAD_BALANCERS):
        internal = lb.props.get("internal")
        if not _application(lb) or is_true(internal) or is_unknown(internal):
            continue
        mine = [x for x in listeners if linked(x, lb, prop="loadBalancerArn", target_keys=("arn", "id"))]
        problems = [] if any(x.props.get("protocol") == "HTTPS" for x in mine) else ["no HTTPS listener"]
        problems += _ingress_problems(lb, resources)
        if problems:
            yield StackFinding(
                lb.urn,
                f"{lb.label}: internet-facing, and {'; '.join(problems)}. Make it internal=True in private "
                "subnets behind a CloudFront VPC origin (streaming-platform:edge.albScheme: internal), or give "
                "it a certificate and admit only the prefix list com.amazonaws.global.cloudfront.origin-facing "
                "on 443 (ingress_cidrs=(), ingress_prefix_list_ids=[...]).",
            )
