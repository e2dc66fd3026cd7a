"""CloudFront: HTTPS to viewers and origins, TLS policy, OAC, logging, WAF, security headers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ._core import (
    ResourceView,
    StackFinding,
    as_list,
    get,
    is_true,
    is_unknown,
    of_types,
    resource_rule,
    stack_rule,
)

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
HTTPS_VIEWER = ("redirect-to-https", "https-only")


def _behaviors(r: ResourceView) -> Iterator[tuple[str, Mapping[str, Any]]]:
    default = r.props.get("defaultCacheBehavior")
    if isinstance(default, Mapping):
        yield "default_cache_behavior", default
    for i, b in enumerate(as_list(r.props.get("orderedCacheBehaviors"))):
        if isinstance(b, Mapping):
            yield f"ordered_cache_behaviors[{i}] ({b.get('pathPattern', '?')})", b


@resource_rule(
    "cloudfront-viewer-https-only",
    control="CloudFront.3",
    description="Every cache behavior's viewerProtocolPolicy is redirect-to-https or https-only.",
    types=(DISTRIBUTION,),
)
def viewer_https_only(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for where, b in _behaviors(r):
        policy = b.get("viewerProtocolPolicy")
        if policy is not None and not is_unknown(policy) and policy not in HTTPS_VIEWER:
            yield f'{r.label}: {where} has viewer_protocol_policy={policy!r}. Set it to "redirect-to-https".'


@resource_rule(
    "cloudfront-minimum-tls",
    control="CloudFront.15",
    description=(
        "With a custom certificate, viewerCertificate.minimumProtocolVersion is a recommended policy and "
        "sslSupportMethod is sni-only (CloudFront.8). The cloudfront.net default certificate is not assessed (its minimum is fixed by AWS)."
    ),
    types=(DISTRIBUTION,),
    params={
        "allowedVersions": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"],
        }
    },
)
def minimum_tls(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    cert = r.props.get("viewerCertificate")
    if not isinstance(cert, Mapping) or is_true(cert.get("cloudfrontDefaultCertificate")):
        return
    if not cert.get("acmCertificateArn") and not cert.get("iamCertificateId"):
        return
    version = cert.get("minimumProtocolVersion")
    if not is_unknown(version) and version not in config["allowedVersions"]:
        yield (
            f"{r.label}: minimum_protocol_version={version!r}; set viewer_certificate.minimum_protocol_version to "
            f"one of {', '.join(config['allowedVersions'])}."
        )
    method = cert.get("sslSupportMethod")
    if method is not None and not is_unknown(method) and method != "sni-only":
        yield f'{r.label}: ssl_support_method={method!r} (dedicated IPs cost $600/month and allow legacy clients); set it to "sni-only".'


def _is_s3_origin(origin: Mapping[str, Any]) -> bool:
    domain = origin.get("domainName")
    return origin.get("s3OriginConfig") is not None or (
        isinstance(domain, str) and ".s3." in domain and domain.endswith(".amazonaws.com")
    )


@resource_rule(
    "cloudfront-origin-access-control",
    control="CloudFront.13",
    description="S3 origins use origin access control (originAccessControlId), never a legacy origin access identity.",
    types=(DISTRIBUTION,),
)
def origin_access_control(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for origin in as_list(r.props.get("origins")):
        if not isinstance(origin, Mapping):
            continue
        oid = origin.get("originId", "?")
        oai = get(origin, "s3OriginConfig", "originAccessIdentity")
        if oai:
            yield (
                f"{r.label}: origin {oid!r} uses a legacy origin access identity ({oai}). Create an "
                f'aws.cloudfront.OriginAccessControl (signing_behavior="always", signing_protocol="sigv4") and set '
                f"origin_access_control_id on the origin; drop s3_origin_config.origin_access_identity."
            )
        elif _is_s3_origin(origin) and not origin.get("originAccessControlId"):
            yield (
                f"{r.label}: S3 origin {oid!r} has no origin_access_control_id, so the bucket must be public to serve it. "
                f"Attach an aws.cloudfront.OriginAccessControl and grant it in the bucket policy."
            )


@resource_rule(
    "cloudfront-origin-https",
    control="CloudFront.9",
    description=(
        "Custom origins are reached over HTTPS only (originProtocolPolicy https-only, or match-viewer when "
        "every behavior is https-only) and never offer SSLv3, TLSv1 or TLSv1.1 (CloudFront.10)."
    ),
    types=(DISTRIBUTION,),
    params={
        "forbiddenProtocols": {"type": "array", "items": {"type": "string"}, "default": ["SSLv3", "TLSv1", "TLSv1.1"]}
    },
)
def origin_https(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    viewers_https_only = all(b.get("viewerProtocolPolicy") == "https-only" for _, b in _behaviors(r))
    for origin in as_list(r.props.get("origins")):
        custom = get(origin, "customOriginConfig")
        if not isinstance(custom, Mapping):
            continue
        oid = get(origin, "originId", default="?")
        policy = custom.get("originProtocolPolicy")
        if not is_unknown(policy) and policy != "https-only" and not (policy == "match-viewer" and viewers_https_only):
            yield (
                f"{r.label}: origin {oid!r} has origin_protocol_policy={policy!r}, so traffic from CloudFront to the "
                f"origin crosses the internet unencrypted. Give the load balancer an HTTPS listener with an ACM "
                f'certificate and set origin_protocol_policy="https-only".'
            )
        bad = [p for p in as_list(custom.get("originSslProtocols")) if p in config["forbiddenProtocols"]]
        if bad:
            yield f'{r.label}: origin {oid!r} offers {", ".join(bad)}; set origin_ssl_protocols=["TLSv1.2"].'


@stack_rule(
    "cloudfront-access-logging",
    control="CloudFront.5",
    description=(
        "Every distribution logs requests: standard logging (loggingConfig.bucket) or CloudWatch log "
        "delivery (an aws.cloudwatch.LogDeliverySource for the distribution)."
    ),
    types=(DISTRIBUTION,),
    category="operations",
)
def access_logging(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    sources = of_types(resources, LOG_DELIVERY_SOURCE)
    for d in of_types(resources, DISTRIBUTION):
        if get(d.props, "loggingConfig", "bucket"):
            continue
        if any(d.urn in s.dependencies for s in sources):
            continue
        yield StackFinding(
            d.urn,
            f'{d.label}: access logs are off. Set logging_config={{"bucket": <log bucket domain>}} '
            f'or add aws.cloudwatch.LogDeliverySource(resource_arn=distribution.arn, log_type="ACCESS_LOGS") '
            f"with a LogDelivery to S3 or CloudWatch Logs.",
        )


@resource_rule(
    "cloudfront-waf-enabled",
    control="CloudFront.6",
    description="Every distribution is associated with an AWS WAF web ACL (webAclId). Unknown ids pass.",
    types=(DISTRIBUTION,),
)
def waf_enabled(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    if not r.props.get("webAclId"):
        yield (
            f'{r.label}: no web ACL. Create an aws.wafv2.WebAcl (scope="CLOUDFRONT", in us-east-1, with the AWS '
            f"managed common rule set and a rate limit) and set web_acl_id=web_acl.arn."
        )


@resource_rule(
    "cloudfront-security-headers",
    description=(
        "Every cache behavior attaches a response headers policy (HSTS, X-Content-Type-Options, "
        "X-Frame-Options, Referrer-Policy), e.g. Managed-SecurityHeadersPolicy."
    ),
    types=(DISTRIBUTION,),
)
def security_headers(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for where, b in _behaviors(r):
        if not b.get("responseHeadersPolicyId"):
            yield (
                f"{r.label}: {where} has no response_headers_policy_id. Use the managed SecurityHeadersPolicy "
                f"(67f7725c-6f97-4210-82d7-5512b31e9d03) or an aws.cloudfront.ResponseHeadersPolicy with security_headers_config."
            )
