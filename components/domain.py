"""Domain: a custom domain end to end: ACM certificates validated in Route 53, and the alias records.

Creates, for ``domain`` (e.g. ``stream.example.com``) in a public hosted zone (``hosted_zone_id``,
or the zone named ``hosted_zone_name`` found by a parented ``route53.get_zone`` lookup):

* ``<name>-cdn-cert``: an ACM certificate for ``domain`` in **us-east-1**, where CloudFront reads
  certificates, whatever the stack's region. It is created through the component's own provider
  (its credentials, profile and assumed role) with the resource's ``region`` set to us-east-1, so
  no second provider with its own credentials is needed;
* ``<name>-origin-cert`` (when ``origin_subdomain`` is set): an ACM certificate in the stack's
  region for ``<origin_subdomain>.<domain>``, the name the load balancer serves HTTPS under and
  CloudFront connects to;
* ``<name>-cdn-cert-validation`` / ``<name>-origin-cert-validation``: the DNS validation CNAME
  record of each certificate, and ``<name>-cdn-cert-issued`` / ``<name>-origin-cert-issued``:
  ``aws.acm.CertificateValidation`` resources, so ``pulumi up`` waits until ACM has issued each
  certificate before CloudFront or the listener uses it (typically a few minutes);
* after `alias_distribution`: ``<name>-cdn-a`` and ``<name>-cdn-aaaa``, alias records of
  ``domain`` to the distribution (IPv4 and IPv6); after `alias_load_balancer`: ``<name>-origin-a``,
  an alias record of the origin name to the load balancer.

Example::

    domain = Domain("web", DomainArgs(domain="stream.example.com", hosted_zone_id="Z0123456789ABCDEFGHIJ"))
    lb = LoadBalancer("lb", LoadBalancerArgs.in_vpc(net, certificate_arn=domain.origin_certificate_arn, ...))
    cdn = Cdn("cdn", CdnArgs(aliases=[domain.domain], certificate_arn=domain.cdn_certificate_arn,
                             api_origin_domain=domain.origin_domain_name, ...))
    domain.alias_distribution(cdn.domain_name, cdn.hosted_zone_id)
    domain.alias_load_balancer(lb.dns_name, lb.zone_id)

Cost: public ACM certificates are free; Route 53 charges $0.50 per hosted zone per month (the
zone is the caller's, not created here) and $0.40 per million standard queries; alias queries to
CloudFront and ELB are free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.base import Component

__all__ = ["CLOUDFRONT_CERTIFICATE_REGION", "Domain", "DomainArgs"]

#: CloudFront uses ACM certificates from us-east-1 only.
CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+[a-z]{{2,63}}$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")


@dataclass(frozen=True, kw_only=True)
class DomainArgs:
    """Arguments of `Domain`."""

    domain: str
    """The name viewers use (e.g. "stream.example.com"), lower case. Default: required."""
    hosted_zone_id: str | None = None
    """The public Route 53 hosted zone holding `domain` (e.g. "Z0123456789ABCDEFGHIJ"). Default: None (found by `hosted_zone_name`)."""
    hosted_zone_name: str | None = None
    """The zone's name, looked up when `hosted_zone_id` is None. Default: None (`domain` without its first label)."""
    origin_subdomain: str | None = "origin"
    """Label of the load balancer's HTTPS name (``origin.<domain>``) and its regional certificate; None: no origin certificate. Default: "origin"."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags. Default: {}."""


class Domain(Component):
    """ACM certificates validated by DNS, and alias records to the distribution and the load balancer."""

    domain: str
    """The viewers' domain name (the distribution's alias)."""
    zone_id: pulumi.Output[str]
    """The hosted zone's id."""
    cdn_certificate_arn: pulumi.Output[str]
    """ARN of the issued us-east-1 certificate for `domain` (known once ACM has issued it)."""
    origin_domain_name: str | None
    """``<origin_subdomain>.<domain>``, the load balancer's HTTPS name (None without `origin_subdomain`)."""
    origin_certificate_arn: pulumi.Output[str] | None
    """ARN of the issued regional certificate for `origin_domain_name` (None without `origin_subdomain`)."""

    def __init__(self, name: str, args: DomainArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        self._name = name
        self.domain = args.domain
        if args.hosted_zone_id is not None:
            self.zone_id = pulumi.Output.from_input(args.hosted_zone_id)
        else:
            zone_name = args.hosted_zone_name or args.domain.split(".", 1)[1]
            self.zone_id = aws.route53.get_zone_output(
                name=zone_name, private_zone=False, opts=self.lookup_output_opts()
            ).zone_id
        self.cdn_certificate_arn = self._certificate("cdn-cert", args.domain, CLOUDFRONT_CERTIFICATE_REGION)
        self.origin_domain_name = None
        self.origin_certificate_arn = None
        if args.origin_subdomain is not None:
            self.origin_domain_name = f"{args.origin_subdomain}.{args.domain}"
            self.origin_certificate_arn = self._certificate("origin-cert", self.origin_domain_name, None)
        self.register_outputs(
            {
                "zone_id": self.zone_id,
                "cdn_certificate_arn": self.cdn_certificate_arn,
                "origin_certificate_arn": self.origin_certificate_arn,
            }
        )

    def _certificate(self, role: str, domain: str, region: str | None) -> pulumi.Output[str]:
        name = f"{self._name}-{role}"
        cert = aws.acm.Certificate(
            name,
            domain_name=domain,
            validation_method="DNS",
            key_algorithm="EC_prime256v1",
            region=region,
            tags=self.tags(domain),
            # A certificate in use by CloudFront or a listener cannot be deleted: create the new one first.
            opts=self.child_opts(),
        )
        option = cert.domain_validation_options[0]
        record = aws.route53.Record(
            f"{name}-validation",
            zone_id=self.zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=300,
            # ACM reuses the same CNAME for a name across certificates: take it over rather than fail.
            allow_overwrite=True,
            opts=self.child_opts(),
        )
        issued = aws.acm.CertificateValidation(
            f"{name}-issued",
            certificate_arn=cert.arn,
            validation_record_fqdns=[record.fqdn],
            region=region,
            opts=self.child_opts(),
        )
        return issued.certificate_arn

    def alias_distribution(self, domain_name: pulumi.Input[str], hosted_zone_id: pulumi.Input[str]) -> None:
        """A and AAAA alias records of `domain` to a CloudFront distribution (its domain name and zone)."""
        for record_type in ("A", "AAAA"):
            aws.route53.Record(
                f"{self._name}-cdn-{record_type.lower()}",
                zone_id=self.zone_id,
                name=self.domain,
                type=record_type,
                aliases=[
                    aws.route53.RecordAliasArgs(name=domain_name, zone_id=hosted_zone_id, evaluate_target_health=False)
                ],
                opts=self.child_opts(),
            )

    def alias_load_balancer(self, dns_name: pulumi.Input[str], zone_id: pulumi.Input[str]) -> None:
        """An A alias record of `origin_domain_name` to a load balancer (its DNS name and zone)."""
        if self.origin_domain_name is None:
            Domain.fail(
                self._name, "origin_subdomain", "is None, so there is no origin name to point at the load balancer."
            )
        aws.route53.Record(
            f"{self._name}-origin-a",
            zone_id=self.zone_id,
            name=self.origin_domain_name,
            type="A",
            aliases=[aws.route53.RecordAliasArgs(name=dns_name, zone_id=zone_id, evaluate_target_health=True)],
            opts=self.child_opts(),
        )


def _validate(name: str, args: DomainArgs) -> None:
    if not _DOMAIN.match(args.domain) or len(args.domain) > 253:
        Domain.fail(
            name,
            "domain",
            f"{args.domain!r} is not a lower-case DNS name with at least two labels, such as 'stream.example.com'.",
        )
    if args.hosted_zone_id is not None and not _ZONE_ID.match(args.hosted_zone_id):
        Domain.fail(
            name,
            "hosted_zone_id",
            f"{args.hosted_zone_id!r} is not a Route 53 hosted zone id (Z followed by letters and digits, "
            "e.g. Z0123456789ABCDEFGHIJ); see `aws route53 list-hosted-zones`.",
        )
    if args.hosted_zone_id is not None and args.hosted_zone_name is not None:
        Domain.fail(name, "hosted_zone_name", "is given with hosted_zone_id; give one of them.")
    zone = args.hosted_zone_name or (args.domain.split(".", 1)[1] if args.hosted_zone_id is None else None)
    if zone is not None and not (args.domain == zone or args.domain.endswith(f".{zone}")):
        Domain.fail(name, "hosted_zone_name", f"{zone!r} does not contain {args.domain!r}; give the zone it is in.")
    if args.origin_subdomain is not None and not re.fullmatch(_LABEL, args.origin_subdomain):
        Domain.fail(name, "origin_subdomain", f"{args.origin_subdomain!r} is not one DNS label such as 'origin'.")
