"""Cdn under the recording mocks: buckets, OAC, behaviours, headers, TLS, logging, validation."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pulumi_aws as aws
import pytest

from components.cdn import (
    ALL_VIEWER_EXCEPT_HOST_HEADER,
    CACHING_DISABLED,
    CACHING_OPTIMIZED,
    Cdn,
    CdnArgs,
    GeoRestrictionType,
    OriginProtocol,
)
from components.tags import REQUIRED_TAG_KEYS
from stacks.offline.mocks import ProgramRun, Registration
from tests.conftest import MockRuntime

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
PEM = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"
ALB = "web-test-1234567890.us-east-1.elb.amazonaws.com"


def taggable(token: str) -> bool:
    if not token.startswith("aws:"):
        return False
    module, cls = token.split(":")[1].split("/")[0], token.split(":")[2]
    return "tags" in inspect.signature(getattr(getattr(aws, module), cls)._internal_init).parameters


def uses(reg: Registration, *others: Registration) -> bool:
    return all(o.urn in reg.dependencies for o in others)


@pytest.fixture
def full(pulumi_mocks: MockRuntime) -> ProgramRun:
    return pulumi_mocks.run(
        lambda: Cdn(
            "web",
            CdnArgs(
                api_origin_domain=ALB,
                api_origin_protocol=OriginProtocol.HTTP_ONLY,
                origin_verify_secret="x" * 32,
                aliases=["www.example.com"],
                certificate_arn=CERT,
                media_public_key_pem=PEM,
                spa_fallback=True,
                geo_restriction=GeoRestrictionType.DENY,
                geo_countries=["KP", "IR"],
                tags={"Team": "edge"},
                web_acl_id="arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/12345678-1234-1234-1234-123456789012",
            ),
        )
    )


def distribution(run: ProgramRun) -> dict[str, Any]:
    return run.named("web-distribution").inputs


def behaviour(run: ProgramRun, path: str) -> dict[str, Any]:
    return next(b for b in distribution(run)["orderedCacheBehaviors"] if b["pathPattern"] == path)


def test_every_s3_origin_uses_the_sigv4_origin_access_control(full: ProgramRun) -> None:
    oac = full.named("web-oac")
    origins = {o["originId"]: o for o in distribution(full)["origins"]}

    assert (
        oac.inputs["originAccessControlOriginType"],
        oac.inputs["signingBehavior"],
        oac.inputs["signingProtocol"],
    ) == ("s3", "always", "sigv4")
    assert origins["site"]["originAccessControlId"] == origins["media"]["originAccessControlId"]
    assert re.fullmatch(r"E[0-9a-f]{17}", origins["site"]["originAccessControlId"])
    for role in ("site", "media"):
        assert origins[role]["domainName"] == full.named(f"web-{role}").outputs["bucketRegionalDomainName"]
        assert "s3OriginConfig" not in origins[role]
    assert uses(full.named("web-distribution"), oac)


def test_viewers_are_redirected_to_https_on_every_behaviour_with_http2_and_http3(full: ProgramRun) -> None:
    dist = distribution(full)
    behaviours = [dist["defaultCacheBehavior"], *dist["orderedCacheBehaviors"]]

    assert {b["viewerProtocolPolicy"] for b in behaviours} == {"redirect-to-https"}
    assert dist["httpVersion"] == "http2and3" and dist["isIpv6Enabled"] is True
    assert dist["viewerCertificate"] == {
        "acmCertificateArn": CERT,
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    }
    assert dist["aliases"] == ["www.example.com"] and dist["priceClass"] == "PriceClass_100"


def test_the_site_is_the_default_behaviour_with_an_spa_function_not_error_pages(full: ProgramRun) -> None:
    dist = distribution(full)
    default = dist["defaultCacheBehavior"]
    function = full.named("web-spa-fallback")

    assert (default["targetOriginId"], default["cachePolicyId"]) == ("site", CACHING_OPTIMIZED)
    assert dist["defaultRootObject"] == "index.html"
    assert default["functionAssociations"] == [{"eventType": "viewer-request", "functionArn": function.outputs["arn"]}]
    assert function.inputs["runtime"] == "cloudfront-js-2.0" and "/index.html" in function.inputs["code"]
    assert "customErrorResponses" not in dist  # an API 404 must stay a JSON 404


def test_media_is_served_from_the_media_bucket_with_signed_urls_when_a_key_is_given(full: ProgramRun) -> None:
    media = behaviour(full, "/media/*")
    key, group = full.named("web-media-key"), full.named("web-media-key-group")

    assert (media["targetOriginId"], media["cachePolicyId"]) == ("media", CACHING_OPTIMIZED)
    assert media["trustedKeyGroups"] == [group.outputs.get("id", media["trustedKeyGroups"][0])]
    assert uses(full.named("web-distribution"), group) and uses(group, key)
    assert key.inputs["encodedKey"] == PEM


def test_the_api_behaviour_forwards_all_methods_uncached_to_the_alb_with_the_secret_header(full: ProgramRun) -> None:
    api = behaviour(full, "/api/*")
    origin = next(o for o in distribution(full)["origins"] if o["originId"] == "api")

    assert set(api["allowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
    assert (api["cachePolicyId"], api["originRequestPolicyId"]) == (CACHING_DISABLED, ALL_VIEWER_EXCEPT_HOST_HEADER)
    assert origin["domainName"] == ALB
    assert origin["customOriginConfig"]["originProtocolPolicy"] == "http-only"
    assert origin["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]
    assert origin["customHeaders"] == [{"name": "X-Origin-Verify", "value": "[secret]"}]


def test_the_response_headers_policy_sets_hsts_nosniff_deny_referrer_and_csp(full: ProgramRun) -> None:
    policy = full.named("web-security-headers")
    cfg = policy.inputs["securityHeadersConfig"]

    assert cfg["strictTransportSecurity"] == {
        "accessControlMaxAgeSec": 63072000,
        "includeSubdomains": True,
        "preload": True,
        "override": True,
    }
    assert cfg["contentTypeOptions"] == {"override": True}
    assert cfg["frameOptions"] == {"frameOption": "DENY", "override": True}
    assert cfg["referrerPolicy"]["referrerPolicy"] == "strict-origin-when-cross-origin"
    assert "default-src 'self'" in cfg["contentSecurityPolicy"]["contentSecurityPolicy"]
    dist = distribution(full)
    assert {b["responseHeadersPolicyId"] for b in [dist["defaultCacheBehavior"], *dist["orderedCacheBehaviors"]]} == {
        policy.outputs.get("id", dist["defaultCacheBehavior"]["responseHeadersPolicyId"])
    }


@pytest.mark.parametrize("role", ["site", "media", "logs"])
def test_every_bucket_blocks_public_access_is_encrypted_and_refuses_plain_http(full: ProgramRun, role: str) -> None:
    pab = full.named(f"web-{role}-public-access-block").inputs
    sse = full.named(f"web-{role}-encryption").inputs["rules"][0]
    statements = json.loads(full.named(f"web-{role}-policy").inputs["policy"])["Statement"]
    arn = full.named(f"web-{role}").outputs["arn"]

    assert all(
        pab[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert sse["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert statements[0] == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


@pytest.mark.parametrize("role", ["site", "media"])
def test_content_buckets_grant_get_object_to_this_distribution_only(full: ProgramRun, role: str) -> None:
    statements = json.loads(full.named(f"web-{role}-policy").inputs["policy"])["Statement"]
    dist_arn = full.named("web-distribution").outputs["arn"]

    assert statements[1] == {
        "Sid": "AllowCloudFrontRead",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": f"{full.named(f'web-{role}').outputs['arn']}/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": dist_arn}},
    }
    assert full.named(f"web-{role}-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    assert full.named(f"web-{role}-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    rules = full.named(f"web-{role}-lifecycle").inputs["rules"]
    assert {"noncurrentDays": 30} in [r.get("noncurrentVersionExpiration") for r in rules]


def test_standard_logging_goes_to_an_acl_enabled_log_bucket_for_awslogsdelivery(full: ProgramRun) -> None:
    dist = distribution(full)
    log_bucket = full.named("web-logs")
    acl = full.named("web-logs-acl").inputs["accessControlPolicy"]

    assert dist["loggingConfig"] == {
        "bucket": log_bucket.outputs["bucketDomainName"],
        "prefix": "cloudfront/",
        "includeCookies": False,
    }
    assert full.named("web-logs-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerPreferred"}
    assert {"type": "CanonicalUser", "id": "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"} in [
        g["grantee"] for g in acl["grants"]
    ]
    assert uses(full.named("web-distribution"), full.named("web-logs-acl"))


def test_geo_restriction_and_waf_are_passed_through(full: ProgramRun) -> None:
    dist = distribution(full)

    assert dist["restrictions"] == {"geoRestriction": {"restrictionType": "blacklist", "locations": ["KP", "IR"]}}
    assert dist["webAclId"].startswith("arn:aws:wafv2:us-east-1:")


def test_every_taggable_child_is_tagged_and_named_after_the_cdn(full: ProgramRun) -> None:
    component = full.named("web")
    children = [r for r in full.registrations.values() if r.urn != component.urn]

    assert all(r.name.startswith("web-") and r.parent == component.urn for r in children)
    tagged = [r for r in children if taggable(r.type)]
    assert {r.type for r in tagged} >= {"aws:s3/bucket:Bucket", "aws:cloudfront/distribution:Distribution"}
    for r in tagged:
        assert set(REQUIRED_TAG_KEYS) <= set(r.inputs["tags"]) and r.inputs["tags"]["Team"] == "edge", r.name


def test_a_minimal_cdn_uses_the_default_certificate_and_has_no_api_key_group_or_spa(pulumi_mocks: MockRuntime) -> None:
    made: list[Cdn] = []
    run = pulumi_mocks.run(lambda: made.append(Cdn("web", CdnArgs(access_logs=False, versioning=False))))

    dist = distribution(run)
    assert dist["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert [b["pathPattern"] for b in dist["orderedCacheBehaviors"]] == ["/media/*"]
    assert "trustedKeyGroups" not in dist["orderedCacheBehaviors"][0]
    assert "functionAssociations" not in dist["defaultCacheBehavior"] and "loggingConfig" not in dist
    assert dist["restrictions"] == {"geoRestriction": {"restrictionType": "none"}}
    assert made[0].key_group_id is None and made[0].log_bucket_name is None
    assert run.of_type("aws:s3/bucketVersioning:BucketVersioning") == []
    assert len(run.of_type("aws:s3/bucket:Bucket")) == 2


# -- validation: one test per rule, each refusing before anything is registered -------------------
@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (
            CdnArgs(aliases=["www.example.com"], certificate_arn=CERT.replace("us-east-1", "eu-west-1")),
            r"Cdn 'web': \[certificate_arn\] .* is in eu-west-1; CloudFront only uses ACM certificates from us-east-1",
        ),
        (
            CdnArgs(aliases=["www.example.com"], certificate_arn="arn:aws:acm:us-east-1:1:certificate/x"),
            r"\[certificate_arn\] .* is not an ACM certificate ARN",
        ),
        (CdnArgs(aliases=["www.example.com"]), r"\[certificate_arn\] aliases \['www.example.com'\] need a certificate"),
        (CdnArgs(certificate_arn=CERT), r"\[aliases\] a certificate_arn is given without aliases"),
        (
            CdnArgs(aliases=["WWW.example.com"], certificate_arn=CERT),
            r"\[aliases\] 'WWW.example.com' is not a lowercase",
        ),
        (
            CdnArgs(geo_restriction=GeoRestrictionType.ALLOW, geo_countries=["usa"]),
            r"\[geo_countries\] 'usa' is not an ISO 3166-1 alpha-2 code",
        ),
        (
            CdnArgs(geo_restriction=GeoRestrictionType.ALLOW),
            r"\[geo_countries\] geo_restriction ALLOW needs at least one",
        ),
        (CdnArgs(geo_countries=["US"]), r"\[geo_countries\] \['US'\] are listed but geo_restriction is NONE"),
        (CdnArgs(origin_verify_secret="x" * 32), r"\[origin_verify_secret\] is set but there is no api_origin_domain"),
        (CdnArgs(api_origin_domain=ALB, origin_verify_secret="short"), r"\[origin_verify_secret\] is shorter than 16"),
        (CdnArgs(media_public_key_pem="ssh-rsa AAAA"), r"\[media_public_key_pem\] is not a PEM public key"),
        (CdnArgs(hsts_max_age_seconds=86400), r"\[hsts_max_age_seconds\] 86400 is under one year"),
        (CdnArgs(content_security_policy="x" * 1784), r"\[content_security_policy\] is 1784 characters"),
        (
            CdnArgs(web_acl_id="arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/b"),
            r"\[web_acl_id\] .* is not the ARN of a CloudFront-scope WAFv2 web ACL",
        ),
        (CdnArgs(noncurrent_version_expiration_days=0), r"\[noncurrent_version_expiration_days\] 0 is outside"),
        (CdnArgs(default_root_object="/index.html"), r"\[default_root_object\] '/index.html' must be an object key"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_registered(
    pulumi_mocks: MockRuntime, args: CdnArgs, pattern: str
) -> None:
    message, run = pulumi_mocks.refusal(lambda: Cdn("web", args))

    assert re.search(pattern, message), message
    assert run.registrations == {}


def test_an_uppercase_component_name_is_refused_because_it_prefixes_bucket_names(pulumi_mocks: MockRuntime) -> None:
    message, run = pulumi_mocks.refusal(lambda: Cdn("Web", CdnArgs()))

    assert re.search(r"Cdn 'Web': \[name\] 'Web' must be lowercase", message)
    assert run.registrations == {}
