"""Custom domains end to end: the certificates, their DNS validation and the alias records (issue 17, item 1)."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components import Domain, DomainArgs
from stacks.environment.config import ConfigError, load_config
from stacks.offline.mocks import ProgramRun
from stacks.offline.plan import run_platform
from tests.conftest import MockRuntime

CERT, VALIDATION, RECORD = (
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:route53/record:Record",
)
ZONE = "Z0123456789ABCDEFGHIJ"
DOMAIN_FORM = {"domain": "stream.example.com", "hostedZoneId": ZONE}
OWN_CERTIFICATES = {
    "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
    "albDomainName": "origin.streaming.example.com",
    "cdnDomainNames": ["streaming.example.com"],
    "cdnCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/3d4e5f6a-7b8c-4d9e-8f1a-2b3c4d5e6f7a",
}


def _prod(edge: dict[str, Any]) -> ProgramRun:
    return run_platform("prod", overrides={"streaming-platform:edge": edge, "aws:region": "eu-west-1"})


@pytest.fixture(scope="module")
def with_domain() -> ProgramRun:
    return _prod(DOMAIN_FORM)


def test_a_prod_plan_with_a_domain_has_both_certificates_validated_by_dns(with_domain: ProgramRun) -> None:
    # GIVEN prod in eu-west-1 with edge.domain and edge.hostedZoneId
    certs = {c.inputs["domainName"]: c for c in with_domain.of_type(CERT)}

    # THEN CloudFront's certificate is in us-east-1 and the load balancer's in the stack's region
    assert set(certs) == {"stream.example.com", "origin.stream.example.com"}
    assert certs["stream.example.com"].inputs["region"] == "us-east-1"
    assert ":acm:us-east-1:" in certs["stream.example.com"].outputs["arn"]
    assert "region" not in certs["origin.stream.example.com"].inputs
    assert ":acm:eu-west-1:" in certs["origin.stream.example.com"].outputs["arn"]
    assert {c.inputs["validationMethod"] for c in certs.values()} == {"DNS"}
    # and each is validated by its CNAME in the zone, and a CertificateValidation waits for it
    records = {r.name: r for r in with_domain.of_type(RECORD)}
    validations = {v.inputs["certificateArn"]: v for v in with_domain.of_type(VALIDATION)}
    for cert in certs.values():
        (option,) = cert.outputs["domainValidationOptions"]
        (record,) = [r for r in records.values() if r.inputs["name"] == option["resourceRecordName"]]
        assert (record.inputs["zoneId"], record.inputs["type"]) == (ZONE, "CNAME")
        assert record.inputs["records"] == [option["resourceRecordValue"]]
        validation = validations[cert.outputs["arn"]]
        assert validation.inputs["validationRecordFqdns"] == [option["resourceRecordName"].rstrip(".")]
        assert record.urn in validation.dependencies
    assert validations[certs["stream.example.com"].outputs["arn"]].inputs["region"] == "us-east-1"


def test_the_domain_points_at_the_distribution_and_the_origin_name_at_the_load_balancer(
    with_domain: ProgramRun,
) -> None:
    distribution = with_domain.of_type("aws:cloudfront/distribution:Distribution")[0]
    lb = with_domain.of_type("aws:lb/loadBalancer:LoadBalancer")[0]
    records = {r.name: r.inputs for r in with_domain.of_type(RECORD)}

    # THEN A and AAAA aliases of the domain name the distribution
    for name, record_type in (("streaming-domain-cdn-a", "A"), ("streaming-domain-cdn-aaaa", "AAAA")):
        assert (records[name]["name"], records[name]["type"], records[name]["zoneId"]) == (
            "stream.example.com",
            record_type,
            ZONE,
        )
        assert records[name]["aliases"] == [
            {
                "name": distribution.outputs["domainName"],
                "zoneId": distribution.outputs["hostedZoneId"],
                "evaluateTargetHealth": False,
            }
        ]
    # and origin.<domain> names the load balancer, which CloudFront reaches over HTTPS with the issued certificate
    origin = records["streaming-domain-origin-a"]
    assert origin["name"] == "origin.stream.example.com"
    assert origin["aliases"][0]["name"] == lb.outputs["dnsName"]
    listener = next(li for li in with_domain.of_type("aws:lb/listener:Listener") if li.inputs["port"] == 443)
    origin_cert = next(c for c in with_domain.of_type(CERT) if c.inputs["domainName"].startswith("origin."))
    assert listener.inputs["certificateArn"] == origin_cert.outputs["arn"]
    # the API origin is the internal ALB's VPC origin, reached over HTTPS by the origin name
    api = next(o for o in distribution.inputs["origins"] if "vpcOriginConfig" in o)
    assert api["domainName"] == "origin.stream.example.com"
    (vpc_origin,) = with_domain.of_type("aws:cloudfront/vpcOrigin:VpcOrigin")
    assert vpc_origin.inputs["vpcOriginEndpointConfig"]["originProtocolPolicy"] == "https-only"
    # and the distribution serves the domain with the us-east-1 certificate
    cdn_cert = next(c for c in with_domain.of_type(CERT) if c.inputs["domainName"] == "stream.example.com")
    assert distribution.inputs["aliases"] == ["stream.example.com"]
    assert distribution.inputs["viewerCertificate"]["acmCertificateArn"] == cdn_cert.outputs["arn"]


def test_signed_urls_and_allowed_origins_name_the_domain(with_domain: ProgramRun) -> None:
    for task in with_domain.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        # the app container (beside its migrate init container)
        container = next(c for c in json.loads(task.inputs["containerDefinitions"]) if c["name"] != "migrate")
        env = {e["name"]: e["value"] for e in container["environment"]}
        assert env["CDN_DOMAIN"] == "stream.example.com"
        # the domain first, then the distribution's own name (both serve the page)
        assert env["ALLOWED_ORIGINS"].split(",")[0] == "https://stream.example.com"
        assert env["ALLOWED_ORIGINS"].split(",")[1].endswith(".cloudfront.net")
    assert with_domain.outputs["url"] == "https://stream.example.com"


def test_without_a_domain_the_plan_has_no_certificates_or_records_and_uses_the_given_ones() -> None:
    # GIVEN prod with certificates of its own (the "bring your own ARNs" path)
    run = _prod(OWN_CERTIFICATES)
    # THEN nothing of the domain path is planned, and the given ARNs and names are used as before
    assert run.of_type(CERT) == [] and run.of_type(VALIDATION) == [] and run.of_type(RECORD) == []
    distribution = run.of_type("aws:cloudfront/distribution:Distribution")[0].inputs
    assert distribution["aliases"] == ["streaming.example.com"]
    assert distribution["viewerCertificate"]["acmCertificateArn"] == OWN_CERTIFICATES["cdnCertificateArn"]
    listener = next(li for li in run.of_type("aws:lb/listener:Listener") if li.inputs["port"] == 443)
    assert listener.inputs["certificateArn"] == OWN_CERTIFICATES["certificateArn"]
    # and the two plans differ by exactly the domain's resources
    domain_types = {CERT, VALIDATION, RECORD, "streaming:index:Domain"}
    with_domain = _prod(DOMAIN_FORM)
    assert {r.type for r in with_domain.registrations.values()} - {r.type for r in run.registrations.values()} == (
        domain_types
    )
    assert len(with_domain.registrations) - len(run.registrations) == 2 + 2 + 5 + 1


def test_a_zone_given_by_name_is_found_by_a_parented_lookup_and_everything_uses_the_callers_provider(
    pulumi_mocks: MockRuntime,
) -> None:
    # GIVEN a Domain given the caller's own eu-west-1 provider, with no zone id
    def program() -> None:
        eu = aws.Provider("eu", region="eu-west-1")
        Domain("web", DomainArgs(domain="stream.example.com"), pulumi.ResourceOptions(providers={"aws": eu}))

    run = pulumi_mocks.run(program)
    eu = next(r for r in run.registrations.values() if r.type == "pulumi:providers:aws")
    # THEN the zone is looked up by the domain's parent name through that provider
    (lookup,) = [i for i in run.invocations if i.token == "aws:route53/getZone:getZone"]
    assert lookup.args["name"] == "example.com" and lookup.args["privateZone"] is False
    assert lookup.provider == f"{eu.urn}::{eu.id}"
    # and every resource goes through the caller's provider: CloudFront's certificate only sets its region
    resources = [r for r in run.registrations.values() if r.custom and r.type.startswith("aws:")]
    assert {r.provider for r in resources} == {f"{eu.urn}::{eu.id}"}
    certs = {c.inputs["domainName"]: c.outputs["arn"] for c in run.of_type(CERT)}
    assert ":acm:us-east-1:" in certs["stream.example.com"]
    assert ":acm:eu-west-1:" in certs["origin.stream.example.com"]
    zone = next(r for r in run.of_type(RECORD)).inputs["zoneId"]
    assert zone.startswith("Z") and zone != ZONE


@pytest.mark.parametrize(
    ("edge", "message"),
    [
        (
            {**DOMAIN_FORM, "cdnCertificateArn": OWN_CERTIFICATES["cdnCertificateArn"]},
            r"edge\.cdnCertificateArn = .*is set together with domain",
        ),
        ({"domain": "Stream.Example.com"}, r"edge\.domain = \"Stream\.Example\.com\": is not a lower-case DNS name"),
        ({"domain": "stream.example.com", "hostedZoneId": "example.com"}, r"edge\.hostedZoneId = .*hosted zone id"),
        ({"hostedZoneId": ZONE}, r"edge\.hostedZoneId = .*needs domain"),
        ({"domain": "stream.example.com", "hostedZoneName": "other.org"}, r"hostedZoneName = \"other\.org\".*contain"),
    ],
)
def test_bad_domain_settings_are_refused_with_the_key_and_the_fix(edge: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config({"streaming-platform:edge": json.dumps(edge)}, env="prod", source="Pulumi.prod.yaml")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"domain": "localhost"}, r"Domain 'web'.*\[domain\].*'localhost'"),
        ({"domain": "a.example.com", "hosted_zone_id": "zone"}, r"\[hosted_zone_id\].*'zone'"),
        ({"domain": "a.example.com", "origin_subdomain": "a.b"}, r"\[origin_subdomain\].*'a\.b'"),
    ],
)
def test_the_component_refuses_bad_arguments_before_creating_anything(
    pulumi_mocks: MockRuntime, args: dict[str, Any], message: str
) -> None:
    text, run = pulumi_mocks.refusal(lambda: Domain("web", DomainArgs(**args)))
    assert re.search(message, text), text
    assert not [r for r in run.registrations.values() if r.type in (CERT, RECORD, "streaming:index:Domain")]
