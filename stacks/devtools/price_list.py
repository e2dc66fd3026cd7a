"""Refresh the bundled price table from the AWS Price List API (``pricing:GetProducts``, through boto3).

``python -m stacks prices update [--region R ...] [--key PREFIX ...]`` asks the Price List API, for
each price key in `QUERIES` and each region, for the products of the key's service that match its
attribute filters and the region (``regionCode``), picks the product whose ``usagetype`` is the
key's (``USE1-`` style region prefixes aside), and reads the on-demand price of its first tier
(the lowest ``beginRange``; a free first tier is skipped, the usage profile and the pricers model free
tiers themselves). The row then says where it came from: ``AWS Price List API (...)``, status V,
dated today. Keys the API does not price (CloudFront by edge location, the Fargate Spot discount,
WAF, …) keep their rows. Derived rows are re-derived afterwards (`regional_prices`), so a refreshed
us-east-1 row moves the regions that have no figure of their own.

Needs credentials allowed ``pricing:GetProducts`` (the API is served from us-east-1). Nothing here
writes unless every query of the run succeeds or is reported as not found.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stacks.devtools import regional_prices

PRICING_REGION = "us-east-1"


class PriceListError(RuntimeError):
    """The Price List API answered something the table cannot use (the message says what and where)."""


@dataclass(frozen=True)
class Query:
    """How one price key is found: a service, attribute filters, the usagetype and a unit factor."""

    service: str
    usagetype: str
    filters: Mapping[str, str] = field(default_factory=dict)
    #: The table's unit over the API's (e.g. 1000 for a price per 1k requests from a price per request).
    factor: float = 1.0

    def filters_for(self, region: str) -> list[dict[str, str]]:
        attributes = {"regionCode": region, **self.filters}
        return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in sorted(attributes.items())]

    def matches(self, usagetype: str) -> bool:
        return usagetype == self.usagetype or usagetype.endswith("-" + self.usagetype)


_EC2_LINUX = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
    "licenseModel": "No License required",
}


def _instance_queries() -> dict[str, Query]:
    queries: dict[str, Query] = {}
    for size in ("t4g.nano", "t4g.micro", "t4g.small", "t3.nano", "t3.micro", "t3.small"):
        queries[f"ec2.instance.hour:{size}"] = Query(
            "AmazonEC2", f"BoxUsage:{size}", {"instanceType": size, **_EC2_LINUX}
        )
    for cls in ("db.t4g.micro", "db.t4g.small", "db.t4g.medium", "db.t4g.large", "db.m7g.large"):
        for option, deployment, usage in (
            ("single_az", "Single-AZ", "InstanceUsage"),
            ("multi_az", "Multi-AZ", "Multi-AZUsage"),
        ):
            queries[f"rds.postgres.{option}.hour:{cls}"] = Query(
                "AmazonRDS",
                f"{usage}:{cls}",
                {"instanceType": cls, "databaseEngine": "PostgreSQL", "deploymentOption": deployment},
            )
    for node in ("cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium", "cache.m7g.large"):
        for engine, name in (("redis", "Redis"), ("valkey", "Valkey")):
            queries[f"elasticache.node.hour:{engine}:{node}"] = Query(
                "AmazonElastiCache", f"NodeUsage:{node}", {"instanceType": node, "cacheEngine": name}
            )
    return queries


#: Every price key the Price List API can refresh, and how.
QUERIES: dict[str, Query] = {
    "ec2.nat_gateway.hour": Query("AmazonEC2", "NatGateway-Hours", {"productFamily": "NAT Gateway"}),
    "ec2.nat_gateway.gb": Query("AmazonEC2", "NatGateway-Bytes", {"productFamily": "NAT Gateway"}),
    "ec2.public_ipv4.hour": Query("AmazonVPC", "PublicIPv4:InUseAddress"),
    "ec2.ebs.gp3.gb_month": Query("AmazonEC2", "EBS:VolumeUsage.gp3", {"volumeApiName": "gp3"}),
    "vpc.interface_endpoint.az_hour": Query("AmazonVPC", "VpcEndpoint-Hours"),
    "vpc.interface_endpoint.gb": Query("AmazonVPC", "VpcEndpoint-Bytes"),
    "elb.alb.hour": Query("AWSELB", "LoadBalancerUsage", {"productFamily": "Load Balancer-Application"}),
    "elb.alb.lcu_hour": Query("AWSELB", "LCUUsage", {"productFamily": "Load Balancer-Application"}),
    "elb.nlb.hour": Query("AWSELB", "LoadBalancerUsage", {"productFamily": "Load Balancer-Network"}),
    "elb.nlb.nlcu_hour": Query("AWSELB", "LCUUsage", {"productFamily": "Load Balancer-Network"}),
    "fargate.x86.vcpu_hour": Query("AmazonECS", "Fargate-vCPU-Hours:perCPU"),
    "fargate.x86.gb_hour": Query("AmazonECS", "Fargate-GB-Hours"),
    "fargate.arm.vcpu_hour": Query("AmazonECS", "Fargate-ARM-vCPU-Hours:perCPU"),
    "fargate.arm.gb_hour": Query("AmazonECS", "Fargate-ARM-GB-Hours"),
    "fargate.ephemeral.gb_hour": Query("AmazonECS", "Fargate-EphemeralStorage-GB-Hours"),
    **_instance_queries(),
    "rds.storage.gp3.single_az.gb_month": Query("AmazonRDS", "RDS:GP3-Storage"),
    "rds.storage.gp3.multi_az.gb_month": Query("AmazonRDS", "RDS:Multi-AZ-GP3-Storage"),
    "rds.storage.gp2.single_az.gb_month": Query("AmazonRDS", "RDS:GP2-Storage"),
    "rds.storage.gp2.multi_az.gb_month": Query("AmazonRDS", "RDS:Multi-AZ-GP2-Storage"),
    "rds.backup.gb_month": Query("AmazonRDS", "RDS:ChargedBackupUsage"),
    "s3.standard.gb_month": Query(
        "AmazonS3", "TimedStorage-ByteHrs", {"storageClass": "General Purpose", "volumeType": "Standard"}
    ),
    "s3.put.1k": Query("AmazonS3", "Requests-Tier1", factor=1000),
    "s3.get.1k": Query("AmazonS3", "Requests-Tier2", factor=1000),
    "logs.ingest.gb": Query("AmazonCloudWatch", "DataProcessing-Bytes"),
    "logs.storage.gb_month": Query("AmazonCloudWatch", "TimedStorage-ByteHrs"),
    "cloudwatch.alarm.standard.month": Query("AmazonCloudWatch", "CW:AlarmMonitorUsage"),
    "cloudwatch.alarm.high_resolution.month": Query("AmazonCloudWatch", "CW:HighResAlarmMonitorUsage"),
    "secretsmanager.secret.month": Query("AWSSecretsManager", "AWSSecretsManager-Secrets"),
    "secretsmanager.api.10k": Query("AWSSecretsManager", "AWSSecretsManager-APIRequest", factor=10_000),
    "ecr.gb_month": Query("AmazonECR", "TimedStorage-ByteHrs"),
    "kms.key.month": Query("awskms", "KMS-Keys"),
    "kms.requests.10k": Query("awskms", "KMS-Requests", factor=10_000),
}


@dataclass(frozen=True)
class Found:
    key: str
    region: str
    price: float
    sku: str
    usagetype: str


@dataclass
class UpdateResult:
    found: list[Found] = field(default_factory=list)
    missing: list[tuple[str, str, str]] = field(default_factory=list)  # (key, region, why)
    skipped: list[str] = field(default_factory=list)  # keys the API does not price


def _first_tier_usd(product: Mapping[str, Any]) -> float | None:
    dimensions = [
        dim
        for term in product.get("terms", {}).get("OnDemand", {}).values()
        for dim in term.get("priceDimensions", {}).values()
        if "USD" in dim.get("pricePerUnit", {})
    ]
    dimensions.sort(key=lambda d: float(d.get("beginRange", "0") or 0))
    prices = [float(d["pricePerUnit"]["USD"]) for d in dimensions]
    nonzero = [p for p in prices if p > 0]
    if not prices:
        return None
    return prices[0] if prices[0] > 0 or not nonzero else nonzero[0]


def _products(client: Any, query: Query, region: str) -> list[dict[str, Any]]:
    products: list[dict[str, Any]] = []
    paginator = client.get_paginator("get_products")
    for page in paginator.paginate(
        ServiceCode=query.service, Filters=query.filters_for(region), FormatVersion="aws_v1"
    ):
        products += [json.loads(item) if isinstance(item, str) else item for item in page.get("PriceList", [])]
    return products


def fetch(client: Any, key: str, region: str) -> Found | str:
    """The key's price in ``region``, or why there is none."""
    query = QUERIES[key]
    candidates: dict[float, Found] = {}
    for product in _products(client, query, region):
        attributes = product.get("product", {}).get("attributes", {})
        usagetype = str(attributes.get("usagetype", ""))
        if not query.matches(usagetype):
            continue
        price = _first_tier_usd(product)
        if price is None:
            continue
        value = float(f"{price * query.factor:.10g}")
        candidates.setdefault(value, Found(key, region, value, str(product["product"].get("sku", "")), usagetype))
    if not candidates:
        return f"no {query.service} product with usagetype {query.usagetype} in {region}"
    if len(candidates) > 1:
        raise PriceListError(
            f"{key} in {region}: {len(candidates)} {query.service} products match usagetype {query.usagetype} "
            f"with different prices ({', '.join(str(p) for p in sorted(candidates))}); narrow QUERIES['{key}'].filters"
        )
    return next(iter(candidates.values()))


def update_document(
    table: Mapping[str, Any],
    client: Any,
    regions: Sequence[str],
    *,
    keys: Iterable[str] | None = None,
    today: datetime.date | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[dict[str, Any], UpdateResult]:
    """``table`` with the rows of ``keys`` (default: every key) in ``regions`` refreshed from the API."""
    today = today or datetime.date.today()
    table_keys = list(dict.fromkeys(row["key"] for row in table["rows"]))
    wanted = table_keys if keys is None else [k for k in table_keys if any(k.startswith(p) for p in keys)]
    result = UpdateResult(skipped=[k for k in wanted if k not in QUERIES])
    rows = {(row["key"], row["region"]): dict(row) for row in table["rows"]}
    for region in regions:
        for key in (k for k in wanted if k in QUERIES):
            progress(f"{region} {key}")
            answer = fetch(client, key, region)
            if isinstance(answer, str):
                result.missing.append((key, region, answer))
                continue
            result.found.append(answer)
            base = rows.get((key, region)) or rows[(key, regional_prices.BASE_REGION)]
            rows[(key, region)] = {
                "key": key,
                "region": region,
                "price": answer.price,
                "unit": base["unit"],
                **({"description": base["description"]} if "description" in base else {}),
                "source": (
                    f"AWS Price List API (pricing:GetProducts {QUERIES[key].service}, usagetype {answer.usagetype}, "
                    f"sku {answer.sku}), read {today.isoformat()}"
                ),
                "as_of": today.isoformat(),
                "status": "V",
            }
    ordered = [rows[(k, r)] for k in table_keys for r in sorted({r for kk, r in rows if kk == k})]
    return {**{k: v for k, v in table.items() if k != "rows"}, "rows": ordered}, result


def pricing_client() -> Any:
    import boto3

    # A session of its own: boto3's default session caches the credentials it found first.
    return boto3.session.Session().client("pricing", region_name=PRICING_REGION)
