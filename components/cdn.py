"""Cdn: one CloudFront distribution in front of a static-site bucket, a media bucket and the API.

Creates:

* two private buckets, ``site`` and ``media``: all four public-access blocks, default encryption
  (SSE-S3, or SSE-KMS with a bucket key), ``BucketOwnerEnforced``, versioning with noncurrent-version
  expiry (toggle), and a policy that denies non-TLS requests and grants ``s3:GetObject`` to the
  CloudFront service principal **for this distribution only** (``AWS:SourceArn``);
* one Origin Access Control (SigV4, always sign) shared by both S3 origins (no legacy OAI);
* the distribution: default behaviour -> site bucket (``index.html`` root object; optional SPA
  fallback), ``/media/*`` -> media bucket (optionally signed URLs only, via a key group made from a
  given public key), ``/api/*`` -> the API origin (the ALB: all methods, caching disabled, all viewer
  headers but Host forwarded, optional secret ``X-Origin-Verify`` header); with ``api_vpc_origin_arn``
  the ALB is internal and reached through a CloudFront **VPC origin** (``<name>-api-vpc-origin``,
  TLSv1.2 when HTTPS) instead of over the internet. Managed cache policies,
  a response-headers policy (HSTS, nosniff, frame DENY, referrer policy, CSP), HTTP/2 and HTTP/3,
  redirect-to-HTTPS everywhere, a custom domain with a us-east-1 ACM certificate (TLSv1.2_2021,
  SNI) or the default certificate, price class, WAF web ACL and geo restriction;
* optionally a log bucket for CloudFront standard logging. **Exception:** CloudFront standard logs
  are delivered with S3 ACLs, so this one bucket uses ``BucketOwnerPreferred`` and an ACL granting
  FULL_CONTROL to the ``awslogsdelivery`` account; it keeps the public-access blocks, encryption
  and the TLS-only policy.

The API guard is a CloudFront Function on the /api/* behaviour's viewer requests: it removes
``api_stripped_headers`` (the blue-green test rules' ``X-Deployment-Color`` and ``X-Deployment-Key``),
so no viewer picks a colour, except from requests whose ``X-Deployment-Key`` hashes to
``api_test_key_sha256`` (the operator's smoke test; the ALB's test rules check the key itself).

SPA fallback is a CloudFront Function on the default behaviour only (paths without a file extension
-> ``/index.html``), not distribution-wide custom error responses, which would also turn the API's
404 JSON into ``index.html`` with a 200.

Example::

    cdn = Cdn("web", CdnArgs(api_origin_domain=alb.dns_name, api_origin_protocol=OriginProtocol.HTTP_ONLY,
                             spa_fallback=True))

Cost (monthly, us-east-1): no fixed charge on pay-as-you-go: $0.085/GB out (North America, first
10 TB) and $0.01 per 10k HTTPS requests, after the always-free 1 TB and 10M requests; or a flat-rate
plan (Free $0, Pro $15, Business $200). S3: $0.023/GB-month; CloudFront Functions $0.10 per million.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NoReturn

import pulumi
import pulumi_aws as aws

from components._alb_rules import certificate_arn_problem, certificate_region
from components._iso_countries import country_code_problem
from components._naming import physical_name
from components._private_bucket import PrivateBucket, attach_policy, create_private_bucket
from components.base import Component

__all__ = ["Cdn", "CdnArgs", "GeoRestrictionType", "OriginProtocol", "PriceClass"]


#: AWS managed policies: global, fixed ids.
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
#: The canonical user of CloudFront's log-delivery account (``awslogsdelivery``).
AWSLOGSDELIVERY_CANONICAL_ID = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"
#: Header carrying `CdnArgs.origin_verify_secret` to the API origin.
ORIGIN_VERIFY_HEADER = "X-Origin-Verify"

MEDIA_PATH = "/media/*"
API_PATH = "/api/*"
ONE_YEAR = 31_536_000
CSP_MAX_LENGTH = 1783

DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; script-src 'self'; style-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; upgrade-insecure-requests"
)

#: Viewer headers the /api/* guard removes: the blue-green test rules' colour header and key header.
API_STRIPPED_HEADERS = ("X-Deployment-Color", "X-Deployment-Key")
#: The header whose SHA-256 `CdnArgs.api_test_key_sha256` compares (the blue-green test key).
API_KEY_HEADER = "X-Deployment-Key"


def api_guard_code(stripped_headers: Sequence[str], key_sha256: str | None) -> str:
    """The /api/* viewer-request CloudFront Function (cloudfront-js-2.0): it removes
    ``stripped_headers`` from every request, unless ``key_sha256`` is given and the request's
    X-Deployment-Key hashes to it. Only the hash is in the code, never the key."""
    names = json.dumps(sorted({h.lower() for h in stripped_headers}))
    check = (
        f"var key = request.headers[{json.dumps(API_KEY_HEADER.lower())}];\n"
        f"  if (key && crypto.createHash('sha256').update(key.value).digest('hex') === {json.dumps(key_sha256)}) {{\n"
        "    return request;\n"
        "  }\n  "
        if key_sha256 is not None
        else ""
    )
    return (
        "var crypto = require('crypto');\n"
        f"var STRIPPED = {names};\n"
        "function handler(event) {\n"
        "  var request = event.request;\n"
        f"  {check}for (var i = 0; i < STRIPPED.length; i++) {{\n"
        "    delete request.headers[STRIPPED[i]];\n"
        "  }\n"
        "  return request;\n"
        "}\n"
    )


SPA_FUNCTION_CODE = """\
function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
"""

_DOMAIN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_COMPONENT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_WEB_ACL = re.compile(r"^arn:aws:wafv2:us-east-1:\d{12}:global/webacl/[\w-]+/[0-9a-f-]{36}$")
_ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]


class PriceClass(StrEnum):
    """Which edge locations serve the distribution (cheaper classes use fewer regions)."""

    PRICE_CLASS_100 = "PriceClass_100"
    """North America and Europe."""
    PRICE_CLASS_200 = "PriceClass_200"
    """Adds Asia, Middle East and Africa."""
    PRICE_CLASS_ALL = "PriceClass_All"
    """Every edge location."""


class OriginProtocol(StrEnum):
    """How CloudFront connects to the API origin."""

    HTTPS_ONLY = "https-only"
    """TLS to the origin (the ALB has a certificate matching `api_origin_domain`)."""
    HTTP_ONLY = "http-only"
    """Plain HTTP to the origin (an ALB without a certificate)."""


class GeoRestrictionType(StrEnum):
    """Geo restriction mode."""

    NONE = "none"
    """No restriction."""
    ALLOW = "whitelist"
    """Serve only the listed countries."""
    DENY = "blacklist"
    """Serve everyone but the listed countries."""


@dataclass(frozen=True, kw_only=True)
class CdnArgs:
    """Arguments of `Cdn`."""

    api_origin_domain: pulumi.Input[str] | None = None
    """DNS name of the API origin (e.g. `LoadBalancer.dns_name`, or a name its certificate covers for HTTPS); adds the /api/* behaviour. Default: None (no API behaviour)."""
    api_origin_protocol: OriginProtocol = OriginProtocol.HTTPS_ONLY
    """Protocol to the API origin: HTTPS_ONLY, or HTTP_ONLY for an ALB without a certificate. Default: OriginProtocol.HTTPS_ONLY."""
    api_vpc_origin_arn: pulumi.Input[str] | None = None
    """ARN of an internal ALB (or NLB / EC2 instance) in private subnets: CloudFront reaches it through a VPC origin created here, so the API needs no public endpoint; `api_origin_domain` is then its DNS name (or a name its certificate covers). Default: None (a public custom origin)."""
    origin_verify_secret: pulumi.Input[str] | None = None
    """Secret sent to the API origin as the X-Origin-Verify header (so the ALB can accept only CloudFront); stored as a secret. Default: None."""
    api_stripped_headers: Sequence[str] = API_STRIPPED_HEADERS
    """Viewer headers a CloudFront Function removes from /api/* requests before they reach the origin (so a viewer cannot pick a blue-green colour); () for no function. Default: ("X-Deployment-Color", "X-Deployment-Key")."""
    api_test_key_sha256: pulumi.Input[str] | None = None
    """Hex SHA-256 of the blue-green test key: a request whose X-Deployment-Key hashes to it keeps `api_stripped_headers` (the operator's smoke test). Default: None (always removed)."""
    aliases: Sequence[str] = ()
    """Custom domain names (e.g. ["www.example.com"]); require `certificate_arn`. Default: () (the *.cloudfront.net name only)."""
    certificate_arn: pulumi.Input[str] | None = None
    """ACM certificate in us-east-1 covering `aliases` (served with SNI, TLSv1.2_2021 minimum). Default: None (CloudFront's default certificate)."""
    default_root_object: str = "index.html"
    """Object served for "/" (FSBP CloudFront.1). Default: "index.html"."""
    spa_fallback: bool = False
    """Serve /index.html for site paths without a file extension (single-page apps), via a CloudFront Function on the default behaviour. Default: False."""
    media_public_key_pem: pulumi.Input[str] | None = None
    """PEM public key; when set, /media/* requires URLs signed with its private key (trusted key group). Default: None (media is public through CloudFront)."""
    versioning: bool = True
    """Version objects in the site and media buckets. Default: True."""
    noncurrent_version_expiration_days: int = 30
    """Days before noncurrent object versions expire (1-3650; with `versioning`). Default: 30."""
    kms_key_arn: pulumi.Input[str] | None = None
    """KMS key for the site and media buckets (its key policy must let cloudfront.amazonaws.com decrypt for this distribution). Default: None (SSE-S3, AES256)."""
    price_class: PriceClass = PriceClass.PRICE_CLASS_100
    """Edge locations used. Default: PriceClass.PRICE_CLASS_100."""
    access_logs: bool = True
    """CloudFront standard logs to a log bucket created here (FSBP CloudFront.5; the bucket needs ACLs, see the module doc). Default: True."""
    access_log_retention_days: int = 90
    """Days before log objects expire (1-3650). Default: 90."""
    web_acl_id: pulumi.Input[str] | None = None
    """ARN of a WAFv2 web ACL with scope CLOUDFRONT (us-east-1). Default: None."""
    geo_restriction: GeoRestrictionType = GeoRestrictionType.NONE
    """Geo restriction mode: NONE, ALLOW (only `geo_countries`) or DENY (all but `geo_countries`). Default: GeoRestrictionType.NONE."""
    geo_countries: Sequence[str] = ()
    """ISO 3166-1 alpha-2 country codes (e.g. ["US", "CA"]) for `geo_restriction`. Default: ()."""
    content_security_policy: str = DEFAULT_CSP
    """Content-Security-Policy header value (at most 1783 characters). Default: self-only sources, data: images, blob: media, no framing."""
    hsts_max_age_seconds: int = 63_072_000
    """HSTS max-age (at least one year; sent with includeSubDomains and preload). Default: 63072000 (2 years)."""
    force_destroy: bool = False
    """Let `pulumi destroy` delete the buckets with their objects (dev stacks). Default: False."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every taggable resource. Default: {}."""


class Cdn(Component):
    """CloudFront + private S3 buckets. See the module docstring."""

    distribution_id: pulumi.Output[str]
    """The distribution id (for invalidations)."""
    distribution_arn: pulumi.Output[str]
    """The distribution ARN."""
    domain_name: pulumi.Output[str]
    """The distribution's ``*.cloudfront.net`` name."""
    hosted_zone_id: pulumi.Output[str]
    """CloudFront's hosted zone id (for Route 53 aliases)."""
    site_bucket_name: pulumi.Output[str]
    """The static-site bucket (upload the built site here)."""
    site_bucket_arn: pulumi.Output[str]
    """ARN of the static-site bucket."""
    media_bucket_name: pulumi.Output[str]
    """The media bucket (served under /media/*; objects keyed ``media/...``)."""
    media_bucket_arn: pulumi.Output[str]
    """ARN of the media bucket."""
    key_group_id: pulumi.Output[str] | None
    """The trusted key group for signed media URLs, or None without `media_public_key_pem`."""
    public_key_id: pulumi.Output[str] | None
    """The CloudFront public key id that signed URLs name as ``Key-Pair-Id``, or None without a key."""
    log_bucket_name: pulumi.Output[str] | None
    """The access-log bucket, or None when access logs are off."""

    def __init__(self, name: str, args: CdnArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        self._name = name
        self._args = args

        site = self._content_bucket("site")
        media = self._content_bucket("media")
        oac = aws.cloudfront.OriginAccessControl(
            f"{name}-oac",
            name=self._physical("s3"),
            description=f"{name}: CloudFront reads the site and media buckets (SigV4)",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=self.child_opts(),
        )
        headers = self._response_headers_policy()
        key_group, public_key = self._key_group() if args.media_public_key_pem is not None else (None, None)
        spa = self._spa_function() if args.spa_fallback else None
        guard = self._api_guard() if args.api_origin_domain is not None and args.api_stripped_headers else None
        vpc_origin = self._vpc_origin() if args.api_vpc_origin_arn is not None else None
        log_bucket, log_acl = self._log_bucket(site, media) if args.access_logs else (None, None)
        if log_bucket is not None:
            self._server_access_logs(site, media, log_bucket)

        distribution = self._distribution(
            site, media, oac, headers, key_group, spa, guard, vpc_origin, log_bucket, log_acl
        )
        for role, private in (("site", site), ("media", media)):
            attach_policy(
                self,
                name,
                role,
                private,
                [
                    {
                        "Sid": "AllowCloudFrontRead",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": "s3:GetObject",
                        "Resource": pulumi.Output.concat(private.bucket.arn, "/*"),
                        "Condition": {"StringEquals": {"AWS:SourceArn": distribution.arn}},
                    }
                ],
            )

        self.distribution_id = distribution.id
        self.distribution_arn = distribution.arn
        self.domain_name = distribution.domain_name
        self.hosted_zone_id = distribution.hosted_zone_id
        self.site_bucket_name = site.bucket.bucket
        self.site_bucket_arn = site.bucket.arn
        self.media_bucket_name = media.bucket.bucket
        self.media_bucket_arn = media.bucket.arn
        self.key_group_id = key_group.id if key_group is not None else None
        self.public_key_id = public_key.id if public_key is not None else None
        self.log_bucket_name = log_bucket.bucket.bucket if log_bucket is not None else None
        self.register_outputs(
            {
                "distribution_id": self.distribution_id,
                "distribution_arn": self.distribution_arn,
                "domain_name": self.domain_name,
                "hosted_zone_id": self.hosted_zone_id,
                "site_bucket_name": self.site_bucket_name,
                "site_bucket_arn": self.site_bucket_arn,
                "media_bucket_name": self.media_bucket_name,
                "media_bucket_arn": self.media_bucket_arn,
                "key_group_id": self.key_group_id,
                "public_key_id": self.public_key_id,
                "log_bucket_name": self.log_bucket_name,
            }
        )

    # -- steps ---------------------------------------------------------------------------------
    def _tags(self, name_tag: str) -> dict[str, str]:
        return self.tags(name_tag)

    def _physical(self, role: str) -> str:
        """Account-unique names (OAC, policies, key group, function): project, stack, component, role."""
        return physical_name(pulumi.get_project(), pulumi.get_stack(), self._name, role, max_length=64)

    def _content_bucket(self, role: str) -> PrivateBucket:
        args = self._args
        return create_private_bucket(
            self,
            self._name,
            role,
            kind=Cdn.KIND,
            tags=args.tags,
            kms_key_arn=args.kms_key_arn,
            versioning=args.versioning,
            noncurrent_version_expiration_days=args.noncurrent_version_expiration_days,
            force_destroy=args.force_destroy,
        )

    def _server_access_logs(self, site: PrivateBucket, media: PrivateBucket, log_bucket: PrivateBucket) -> None:
        """S3 server access logs of the site and media buckets (FSBP S3.9) into the log bucket."""
        for role, private in (("site", site), ("media", media)):
            aws.s3.BucketLogging(
                f"{self._name}-{role}-access-logging",
                bucket=private.bucket.bucket,
                target_bucket=log_bucket.bucket.bucket,
                target_prefix=f"s3/{role}/",
                opts=self.child_opts(),
            )

    def _log_bucket(self, site: PrivateBucket, media: PrivateBucket) -> tuple[PrivateBucket, aws.s3.BucketAcl]:
        args, name = self._args, self._name
        private = create_private_bucket(
            self,
            name,
            "logs",
            kind=Cdn.KIND,
            tags=args.tags,
            expiration_days=args.access_log_retention_days,
            object_ownership="BucketOwnerPreferred",
            force_destroy=args.force_destroy,
            # Versioned (S3 versioning control) so a deleted or overwritten log survives a week.
            versioning=True,
            noncurrent_version_expiration_days=7,
        )
        owner = aws.s3.get_canonical_user_id_output(opts=self.lookup_output_opts()).id
        acl = aws.s3.BucketAcl(
            f"{name}-logs-acl",
            bucket=private.bucket.bucket,
            access_control_policy=aws.s3.BucketAclAccessControlPolicyArgs(
                owner=aws.s3.BucketAclAccessControlPolicyOwnerArgs(id=owner),
                grants=[
                    aws.s3.BucketAclAccessControlPolicyGrantArgs(
                        permission="FULL_CONTROL",
                        grantee=aws.s3.BucketAclAccessControlPolicyGrantGranteeArgs(type="CanonicalUser", id=owner),
                    ),
                    aws.s3.BucketAclAccessControlPolicyGrantArgs(
                        permission="FULL_CONTROL",
                        grantee=aws.s3.BucketAclAccessControlPolicyGrantGranteeArgs(
                            type="CanonicalUser", id=AWSLOGSDELIVERY_CANONICAL_ID
                        ),
                    ),
                ],
            ),
            opts=self.child_opts(depends_on=[private.ownership, private.public_access_block]),
        )
        account = aws.get_caller_identity_output(opts=self.lookup_output_opts()).account_id
        # S3 server access logs of the content buckets arrive from the logging service (bucket policy,
        # not ACLs), only from this account's two buckets and only under s3/.
        attach_policy(
            self,
            name,
            "logs",
            private,
            [
                {
                    "Sid": "S3ServerAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(private.bucket.arn, "/s3/*"),
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account},
                        "ArnLike": {"aws:SourceArn": [site.bucket.arn, media.bucket.arn]},
                    },
                }
            ],
        )
        return private, acl

    def _response_headers_policy(self) -> aws.cloudfront.ResponseHeadersPolicy:
        args = self._args
        cfg = aws.cloudfront
        return cfg.ResponseHeadersPolicy(
            f"{self._name}-security-headers",
            name=self._physical("security-headers"),
            comment=f"{self._name}: HSTS, nosniff, frame DENY, referrer policy, CSP",
            security_headers_config=cfg.ResponseHeadersPolicySecurityHeadersConfigArgs(
                strict_transport_security=cfg.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
                    access_control_max_age_sec=args.hsts_max_age_seconds,
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                content_type_options=cfg.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs(
                    override=True
                ),
                frame_options=cfg.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs(
                    frame_option="DENY", override=True
                ),
                referrer_policy=cfg.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs(
                    referrer_policy="strict-origin-when-cross-origin", override=True
                ),
                content_security_policy=cfg.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs(
                    content_security_policy=args.content_security_policy, override=True
                ),
            ),
            opts=self.child_opts(),
        )

    def _key_group(self) -> tuple[aws.cloudfront.KeyGroup, aws.cloudfront.PublicKey]:
        assert self._args.media_public_key_pem is not None
        # Auto-named: a new signing key (encoded_key forces a replacement) gets a name of its own,
        # and it cannot be deleted first while the key group trusts it.
        key = aws.cloudfront.PublicKey(
            f"{self._name}-media-key",
            comment=f"{self._name}: verifies signed /media/* URLs",
            encoded_key=self._args.media_public_key_pem,
            opts=self.child_opts(),
        )
        group = aws.cloudfront.KeyGroup(
            f"{self._name}-media-key-group",
            name=self._physical("media-key-group"),
            comment=f"{self._name}: trusted signers of /media/* URLs",
            items=[key.id],
            opts=self.child_opts(),
        )
        return group, key

    def _spa_function(self) -> aws.cloudfront.Function:
        return aws.cloudfront.Function(
            f"{self._name}-spa-fallback",
            name=self._physical("spa-fallback"),
            comment="Serve /index.html for paths without a file extension",
            runtime="cloudfront-js-2.0",
            code=SPA_FUNCTION_CODE,
            publish=True,
            tags=self._tags(f"{self._name}-spa-fallback"),
            opts=self.child_opts(),
        )

    def _vpc_origin(self) -> aws.cloudfront.VpcOrigin:
        assert self._args.api_vpc_origin_arn is not None
        cf = aws.cloudfront
        return cf.VpcOrigin(
            f"{self._name}-api-vpc-origin",
            vpc_origin_endpoint_config=cf.VpcOriginVpcOriginEndpointConfigArgs(
                name=self._physical("api"),
                arn=self._args.api_vpc_origin_arn,
                http_port=80,
                https_port=443,
                origin_protocol_policy=self._args.api_origin_protocol.value,
                origin_ssl_protocols=cf.VpcOriginVpcOriginEndpointConfigOriginSslProtocolsArgs(
                    items=["TLSv1.2"], quantity=1
                ),
            ),
            tags=self._tags(f"{self._name}-api-vpc-origin"),
            opts=self.child_opts(),
        )

    def _api_guard(self) -> aws.cloudfront.Function:
        args = self._args
        stripped = tuple(args.api_stripped_headers)
        key = args.api_test_key_sha256
        # The hash of a long random key reveals nothing usable; in the clear, the code stays reviewable in a plan.
        code = (
            pulumi.Output.unsecret(pulumi.Output.from_input(key)).apply(lambda k: api_guard_code(stripped, k))
            if key is not None
            else api_guard_code(stripped, None)
        )
        return aws.cloudfront.Function(
            f"{self._name}-api-guard",
            name=self._physical("api-guard"),
            comment="Remove viewer-set blue-green test headers from /api/* requests",
            runtime="cloudfront-js-2.0",
            code=code,
            publish=True,
            tags=self._tags(f"{self._name}-api-guard"),
            opts=self.child_opts(),
        )

    def _distribution(
        self,
        site: PrivateBucket,
        media: PrivateBucket,
        oac: aws.cloudfront.OriginAccessControl,
        headers: aws.cloudfront.ResponseHeadersPolicy,
        key_group: aws.cloudfront.KeyGroup | None,
        spa: aws.cloudfront.Function | None,
        guard: aws.cloudfront.Function | None,
        vpc_origin: aws.cloudfront.VpcOrigin | None,
        log_bucket: PrivateBucket | None,
        log_acl: aws.s3.BucketAcl | None,
    ) -> aws.cloudfront.Distribution:
        args, cf = self._args, aws.cloudfront
        origins = [
            cf.DistributionOriginArgs(
                origin_id="site", domain_name=site.bucket.bucket_regional_domain_name, origin_access_control_id=oac.id
            ),
            cf.DistributionOriginArgs(
                origin_id="media", domain_name=media.bucket.bucket_regional_domain_name, origin_access_control_id=oac.id
            ),
        ]
        behaviours = [
            cf.DistributionOrderedCacheBehaviorArgs(
                path_pattern=MEDIA_PATH,
                target_origin_id="media",
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD", "OPTIONS"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=CACHING_OPTIMIZED,
                response_headers_policy_id=headers.id,
                compress=True,
                trusted_key_groups=[key_group.id] if key_group is not None else None,
            )
        ]
        if args.api_origin_domain is not None:
            secret = args.origin_verify_secret
            origins.append(
                cf.DistributionOriginArgs(
                    origin_id="api",
                    domain_name=args.api_origin_domain,
                    # Through a VPC origin the protocol and TLS versions are the VpcOrigin's.
                    vpc_origin_config=cf.DistributionOriginVpcOriginConfigArgs(
                        vpc_origin_id=vpc_origin.id, origin_read_timeout=30, origin_keepalive_timeout=5
                    )
                    if vpc_origin is not None
                    else None,
                    custom_origin_config=cf.DistributionOriginCustomOriginConfigArgs(
                        http_port=80,
                        https_port=443,
                        origin_protocol_policy=args.api_origin_protocol.value,
                        origin_ssl_protocols=["TLSv1.2"],
                        origin_read_timeout=30,
                        origin_keepalive_timeout=5,
                    )
                    if vpc_origin is None
                    else None,
                    custom_headers=[
                        cf.DistributionOriginCustomHeaderArgs(
                            name=ORIGIN_VERIFY_HEADER, value=pulumi.Output.secret(secret)
                        )
                    ]
                    if secret is not None
                    else None,
                )
            )
            behaviours.append(
                cf.DistributionOrderedCacheBehaviorArgs(
                    path_pattern=API_PATH,
                    target_origin_id="api",
                    viewer_protocol_policy="redirect-to-https",
                    allowed_methods=_ALL_METHODS,
                    cached_methods=["GET", "HEAD"],
                    cache_policy_id=CACHING_DISABLED,
                    origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy_id=headers.id,
                    compress=True,
                    function_associations=[
                        cf.DistributionOrderedCacheBehaviorFunctionAssociationArgs(
                            event_type="viewer-request", function_arn=guard.arn
                        )
                    ]
                    if guard is not None
                    else None,
                )
            )
        if args.certificate_arn is not None:
            certificate = cf.DistributionViewerCertificateArgs(
                acm_certificate_arn=args.certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version="TLSv1.2_2021",
            )
        else:
            certificate = cf.DistributionViewerCertificateArgs(cloudfront_default_certificate=True)
        return cf.Distribution(
            f"{self._name}-distribution",
            enabled=True,
            comment=f"{self._name}: site, media and API on one domain",
            aliases=list(args.aliases) or None,
            default_root_object=args.default_root_object,
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=args.price_class.value,
            web_acl_id=args.web_acl_id,
            origins=origins,
            default_cache_behavior=cf.DistributionDefaultCacheBehaviorArgs(
                target_origin_id="site",
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD", "OPTIONS"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=CACHING_OPTIMIZED,
                response_headers_policy_id=headers.id,
                compress=True,
                function_associations=[
                    cf.DistributionDefaultCacheBehaviorFunctionAssociationArgs(
                        event_type="viewer-request", function_arn=spa.arn
                    )
                ]
                if spa is not None
                else None,
            ),
            ordered_cache_behaviors=behaviours,
            restrictions=cf.DistributionRestrictionsArgs(
                geo_restriction=cf.DistributionRestrictionsGeoRestrictionArgs(
                    restriction_type=args.geo_restriction.value,
                    locations=list(args.geo_countries) or None,
                )
            ),
            viewer_certificate=certificate,
            logging_config=cf.DistributionLoggingConfigArgs(
                bucket=log_bucket.bucket.bucket_domain_name, prefix="cloudfront/", include_cookies=False
            )
            if log_bucket is not None
            else None,
            tags=self._tags(self._name),
            opts=self.child_opts(depends_on=[log_acl] if log_acl is not None else None),
        )


# -- validation --------------------------------------------------------------------------------
def _validate(name: str, args: CdnArgs) -> None:
    def fail(argument: str, message: str) -> NoReturn:
        Cdn.fail(name, argument, message)

    if not _COMPONENT_NAME.fullmatch(name):
        fail(
            "name",
            f"{name!r} must be lowercase letters, digits and '-' (it prefixes bucket names); "
            "rename the component, e.g. 'web'.",
        )
    for enum_type, argument in (
        (PriceClass, "price_class"),
        (OriginProtocol, "api_origin_protocol"),
        (GeoRestrictionType, "geo_restriction"),
    ):
        value = getattr(args, argument)
        if not isinstance(value, enum_type):
            fail(
                argument, f"{value!r} is not a {enum_type.__name__}; use one of {', '.join(m.name for m in enum_type)}."
            )
    if isinstance(args.aliases, str):
        fail("aliases", f"{args.aliases!r} is a string; pass a list such as ['www.example.com'].")
    for alias in args.aliases:
        if not isinstance(alias, str) or not _DOMAIN.fullmatch(alias):
            fail("aliases", f"{alias!r} is not a lowercase domain name; use e.g. 'www.example.com'.")
    if len(set(args.aliases)) != len(list(args.aliases)):
        fail("aliases", f"{list(args.aliases)} lists a domain twice; list each once.")
    if args.aliases and args.certificate_arn is None:
        fail(
            "certificate_arn",
            f"aliases {list(args.aliases)} need a certificate; pass the ARN of an ACM "
            "certificate in us-east-1 that covers them.",
        )
    if args.certificate_arn is not None and not args.aliases:
        fail(
            "aliases",
            "a certificate_arn is given without aliases; CloudFront serves a custom certificate "
            "only for its aliases: add them, e.g. ['www.example.com'], or drop the certificate.",
        )
    if isinstance(args.certificate_arn, str):
        problem = certificate_arn_problem(args.certificate_arn)
        if problem:
            fail("certificate_arn", problem + ".")
        if certificate_region(args.certificate_arn) != "us-east-1":
            fail(
                "certificate_arn",
                f"{args.certificate_arn!r} is in {certificate_region(args.certificate_arn)}; "
                "CloudFront only uses ACM certificates from us-east-1: request or import "
                "the certificate there.",
            )
    if args.api_vpc_origin_arn is not None and args.api_origin_domain is None:
        fail(
            "api_vpc_origin_arn",
            "is set without api_origin_domain; give the load balancer's DNS name (LoadBalancer.dns_name) "
            "or a name its certificate covers.",
        )
    if isinstance(args.api_vpc_origin_arn, str) and not re.fullmatch(
        r"arn:aws[a-z-]*:(elasticloadbalancing|ec2):[a-z0-9-]+:\d{12}:(loadbalancer/(app|net)/|instance/).+",
        args.api_vpc_origin_arn,
    ):
        fail(
            "api_vpc_origin_arn",
            f"{args.api_vpc_origin_arn!r} is not the ARN of an ALB, NLB or EC2 instance (VPC origins accept only "
            "those); pass LoadBalancer.arn of an internal load balancer.",
        )
    if args.origin_verify_secret is not None and args.api_origin_domain is None:
        fail(
            "origin_verify_secret",
            "is set but there is no api_origin_domain to send it to; set api_origin_domain or drop the secret.",
        )
    if isinstance(args.origin_verify_secret, str) and len(args.origin_verify_secret) < 16:
        fail(
            "origin_verify_secret",
            "is shorter than 16 characters; use a random value of 32+ characters "
            "(e.g. from pulumi_random.RandomPassword).",
        )
    if isinstance(args.api_stripped_headers, str):
        fail(
            "api_stripped_headers",
            f"{args.api_stripped_headers!r} is a string; pass a list such as ['X-Deployment-Color'].",
        )
    for header in args.api_stripped_headers:
        if not isinstance(header, str) or not re.fullmatch(r"[A-Za-z0-9-]{1,64}", header):
            fail("api_stripped_headers", f"{header!r} is not a header name; use letters, digits and '-'.")
    if isinstance(args.api_test_key_sha256, str) and not re.fullmatch(r"[0-9a-f]{64}", args.api_test_key_sha256):
        fail(
            "api_test_key_sha256",
            f"{args.api_test_key_sha256[:16]!r}... is not a lowercase hex SHA-256 (64 characters); pass "
            "hashlib.sha256(key.encode()).hexdigest().",
        )
    if isinstance(args.media_public_key_pem, str) and not (
        args.media_public_key_pem.strip().startswith("-----BEGIN PUBLIC KEY-----")
        and args.media_public_key_pem.strip().endswith("-----END PUBLIC KEY-----")
    ):
        fail(
            "media_public_key_pem",
            "is not a PEM public key; pass the text between and including "
            "'-----BEGIN PUBLIC KEY-----' and '-----END PUBLIC KEY-----'.",
        )
    if not args.default_root_object or args.default_root_object.startswith("/"):
        fail(
            "default_root_object",
            f"{args.default_root_object!r} must be an object key without a leading '/', e.g. 'index.html'.",
        )
    if not 1 <= args.noncurrent_version_expiration_days <= 3650:
        fail(
            "noncurrent_version_expiration_days", f"{args.noncurrent_version_expiration_days} is outside 1..3650 days."
        )
    if not 1 <= args.access_log_retention_days <= 3650:
        fail("access_log_retention_days", f"{args.access_log_retention_days} is outside 1..3650 days.")
    if isinstance(args.web_acl_id, str) and not _WEB_ACL.fullmatch(args.web_acl_id):
        fail(
            "web_acl_id",
            f"{args.web_acl_id!r} is not the ARN of a CloudFront-scope WAFv2 web ACL; expected "
            "'arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>'.",
        )
    countries = list(args.geo_countries)
    if isinstance(args.geo_countries, str):
        fail("geo_countries", f"{args.geo_countries!r} is a string; pass a list such as ['US', 'CA'].")
    for code in countries:
        problem = country_code_problem(code)
        if problem:
            fail("geo_countries", f"{problem}.")
    if len(set(countries)) != len(countries):
        fail("geo_countries", f"{countries} lists a country twice; list each once.")
    if args.geo_restriction is GeoRestrictionType.NONE and countries:
        fail(
            "geo_countries",
            f"{countries} are listed but geo_restriction is NONE; set ALLOW or DENY, or drop the countries.",
        )
    if args.geo_restriction is not GeoRestrictionType.NONE and not countries:
        fail("geo_countries", f"geo_restriction {args.geo_restriction.name} needs at least one country, e.g. ['US'].")
    if not args.content_security_policy or len(args.content_security_policy) > CSP_MAX_LENGTH:
        fail(
            "content_security_policy",
            f"is {len(args.content_security_policy)} characters; CloudFront accepts 1 to {CSP_MAX_LENGTH}: shorten it.",
        )
    if args.hsts_max_age_seconds < ONE_YEAR:
        fail(
            "hsts_max_age_seconds",
            f"{args.hsts_max_age_seconds} is under one year ({ONE_YEAR}); HSTS "
            "preload needs at least a year: use 31536000 or more.",
        )
