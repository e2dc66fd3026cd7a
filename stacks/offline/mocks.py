"""Pulumi's mock runtime, made realistic and recording.

`AwsMocks` answers resource registrations and provider calls with outputs in AWS's own formats
(ids such as ``vpc-0f3c…``, ARNs with the configured region and a fixed account, DNS names, AZ
names), derived deterministically from each resource's URN so that two runs agree byte for byte.
An output the table does not know is left out, so the SDK marks it unknown (as ``pulumi preview``
would) rather than inventing it.

`RecordingMonitor` keeps every registration the program makes: type, name, parent, dependencies
and the inputs exactly as they were sent on the wire (camelCase names, secrets and unknowns still
marked). `run_program` runs a callable as a Pulumi program under both and returns the records.

Component code never learns that it runs here: this module only replaces the engine.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as _mocks
from pulumi.runtime import resource as _resource_runtime
from pulumi.runtime._callbacks import _CallbackServicer
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import resource_pb2, source_pb2
from pulumi.runtime.settings import get_root_resource
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

#: Placeholders used in recorded inputs.
SECRET = "[secret]"  # noqa: S105 (a placeholder, not a password)
UNKNOWN = "[unknown]"

_UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_SPECIAL_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 (the wire signature of a secret)
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"

# Managed cache/origin-request/response-headers policies: global, fixed ids documented by AWS.
MANAGED_CLOUDFRONT_POLICIES = {
    "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
    "Managed-CORS-S3Origin": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
    "Managed-SecurityHeadersPolicy": "67f7725c-6f97-4210-82d7-5512b31e9d03",
}

# The ELB service account per region (for ALB access-log bucket policies in older regions).
ELB_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
}

# type token -> (id prefix, arn "service:resource-format" or None)
# In the resource format, {name} is the physical name, {id} the resource id, {hex} 16 hex digits.
_SHAPES: dict[str, tuple[str, str | None]] = {
    "aws:ec2/vpc:Vpc": ("vpc-", "ec2:vpc/{id}"),
    "aws:ec2/subnet:Subnet": ("subnet-", "ec2:subnet/{id}"),
    "aws:ec2/securityGroup:SecurityGroup": ("sg-", "ec2:security-group/{id}"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("sgr-", "ec2:security-group-rule/{id}"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("sgr-", "ec2:security-group-rule/{id}"),
    "aws:ec2/securityGroupRule:SecurityGroupRule": ("sgrule-", None),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("sg-", "ec2:security-group/{id}"),
    "aws:ec2/internetGateway:InternetGateway": ("igw-", "ec2:internet-gateway/{id}"),
    "aws:ec2/natGateway:NatGateway": ("nat-", None),
    "aws:ec2/eip:Eip": ("eipalloc-", "ec2:elastic-ip/{id}"),
    "aws:ec2/routeTable:RouteTable": ("rtb-", "ec2:route-table/{id}"),
    "aws:ec2/route:Route": ("r-", None),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ("rtbassoc-", None),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("vpce-", "ec2:vpc-endpoint/{id}"),
    "aws:ec2/flowLog:FlowLog": ("fl-", "ec2:vpc-flow-log/{id}"),
    "aws:ec2/instance:Instance": ("i-", "ec2:instance/{id}"),
    "aws:ec2/networkInterface:NetworkInterface": ("eni-", "ec2:network-interface/{id}"),
    "aws:ec2/launchTemplate:LaunchTemplate": ("lt-", "ec2:launch-template/{id}"),
    "aws:ec2/networkAcl:NetworkAcl": ("acl-", "ec2:network-acl/{id}"),
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": ("acl-", "ec2:network-acl/{id}"),
    "aws:ec2/defaultRouteTable:DefaultRouteTable": ("rtb-", "ec2:route-table/{id}"),
    "aws:lb/loadBalancer:LoadBalancer": ("", "elasticloadbalancing:loadbalancer/app/{name}/{hex}"),
    "aws:lb/targetGroup:TargetGroup": ("", "elasticloadbalancing:targetgroup/{name}/{hex}"),
    "aws:lb/listener:Listener": ("", "elasticloadbalancing:listener/app/{name}/{hex}/{hex2}"),
    "aws:lb/listenerRule:ListenerRule": ("", "elasticloadbalancing:listener-rule/app/{name}/{hex}/{hex2}"),
    "aws:s3/bucket:Bucket": ("", None),
    "aws:s3/bucketV2:BucketV2": ("", None),
    "aws:cloudfront/distribution:Distribution": ("E", "cloudfront:distribution/{id}"),
    "aws:cloudfront/originAccessControl:OriginAccessControl": ("E", None),
    "aws:cloudfront/publicKey:PublicKey": ("K", None),
    "aws:cloudfront/keyGroup:KeyGroup": ("", None),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": ("", None),
    "aws:cloudfront/cachePolicy:CachePolicy": ("", None),
    "aws:cloudfront/function:Function": ("", "cloudfront:function/{name}"),
    "aws:ecs/cluster:Cluster": ("", "ecs:cluster/{name}"),
    "aws:ecs/service:Service": ("", "ecs:service/{cluster}/{name}"),
    "aws:ecs/taskDefinition:TaskDefinition": ("", "ecs:task-definition/{family}:1"),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": ("", None),
    "aws:iam/role:Role": ("", "iam:role/{name}"),
    "aws:iam/policy:Policy": ("", "iam:policy/{name}"),
    "aws:iam/rolePolicy:RolePolicy": ("", None),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("", None),
    "aws:iam/instanceProfile:InstanceProfile": ("", "iam:instance-profile/{name}"),
    "aws:cloudwatch/logGroup:LogGroup": ("", "logs:log-group:{name}"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("", "cloudwatch:alarm:{name}"),
    "aws:sns/topic:Topic": ("", "sns:{name}"),
    "aws:ecr/repository:Repository": ("", "ecr:repository/{name}"),
    "aws:rds/instance:Instance": ("", "rds:db:{identifier}"),
    "aws:rds/subnetGroup:SubnetGroup": ("", "rds:subgrp:{name}"),
    "aws:rds/parameterGroup:ParameterGroup": ("", "rds:pg:{name}"),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("", "elasticache:replicationgroup:{rgid}"),
    "aws:elasticache/subnetGroup:SubnetGroup": ("", "elasticache:subnetgroup:{name}"),
    "aws:elasticache/parameterGroup:ParameterGroup": ("", "elasticache:parametergroup:{name}"),
    "aws:elasticache/user:User": ("", "elasticache:user:{name}"),
    "aws:elasticache/userGroup:UserGroup": ("", "elasticache:usergroup:{name}"),
    "aws:secretsmanager/secret:Secret": ("", "secretsmanager:secret:{name}-{suffix6}"),
    "aws:kms/key:Key": ("", "kms:key/{uuid}"),
    "aws:kms/alias:Alias": ("", "kms:{name}"),
    "aws:wafv2/webAcl:WebAcl": ("", "wafv2:global/webacl/{name}/{uuid}"),
    "aws:appautoscaling/target:Target": ("", None),
    "aws:appautoscaling/policy:Policy": ("", "autoscaling:scalingPolicy:{uuid}:resource/ecs/{name}"),
    "aws:acm/certificate:Certificate": ("", "acm:certificate/{uuid}"),
}

# Physical-name inputs, per type, in order of preference.
_NAME_INPUTS = (
    "name",
    "bucket",
    "family",
    "identifier",
    "replicationGroupId",
    "repositoryName",
    "functionName",
    "userId",
    "userGroupId",
)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Registration:
    """One resource as the program registered it."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    provider: str | None
    dependencies: tuple[str, ...]
    inputs: dict[str, Any]
    """Inputs as sent on the wire (camelCase), with secrets as ``"[secret]"`` and unknowns as ``"[unknown]"``."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """What the mocks answered (the state a deploy would record)."""
    id: str | None = None
    """The id the mocks gave a custom resource (None for components)."""
    providers: dict[str, str] = field(default_factory=dict)
    """A component's provider references by package (``{"aws": "<urn>::<id>"}``), as given in its options."""
    options: dict[str, Any] = field(default_factory=dict)
    """The resource options the engine received (`resource_options`): protect, deleteBeforeReplace,
    ignoreChanges, retainOnDelete, replaceOnChanges, aliases and the provider's URN."""


def _alias(alias: Any) -> dict[str, str] | str:
    """One alias as the engine received it: a URN, or the parts of a spec that were set."""
    if alias.HasField("urn"):
        return str(alias.urn)
    spec = json_format.MessageToDict(alias.spec)
    out = {k: str(v) for k, v in spec.items() if v not in ("", None, False)}
    if spec.get("noParent"):
        out["parentUrn"] = ""
    return out


def resource_options(request: Any) -> dict[str, Any]:
    """The options of a RegisterResource request that decide what an update or a replacement does."""
    provider = request.provider.rsplit("::", 1)[0] if request.provider else None
    return {
        "protect": bool(request.protect),
        "deleteBeforeReplace": bool(request.deleteBeforeReplace),
        "ignoreChanges": sorted(request.ignoreChanges),
        "retainOnDelete": bool(request.retainOnDelete),
        "replaceOnChanges": sorted(request.replaceOnChanges),
        "aliases": [_alias(a) for a in request.aliases] + [str(u) for u in request.aliasURNs],
        "provider": provider,
    }


@dataclass(frozen=True)
class Invocation:
    """One provider function call (a lookup such as ``aws.get_availability_zones``) as the program made it."""

    token: str
    args: dict[str, Any]
    provider: str | None
    """The provider reference (``"<urn>::<id>"``) the call went to; None for the default provider."""
    region: str
    """The region that answered (the provider's, or the stack's for the default provider)."""


def wire_to_plain(value: Any) -> Any:
    """Turn a wire value (as a plain JSON dict) into plan form: secrets and unknowns marked."""
    if isinstance(value, str):
        return UNKNOWN if value == _UNKNOWN_SENTINEL else value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire carries every number as a double; 2.0 and 2 are the same JSON value
    if isinstance(value, list):
        return [wire_to_plain(v) for v in value]
    if isinstance(value, dict):
        sig = value.get(_SPECIAL_SIG)
        if sig == _SECRET_SIG:
            return SECRET
        if sig == _RESOURCE_SIG:
            return {"resource": value.get("urn"), "id": wire_to_plain(value.get("id", UNKNOWN))}
        if sig == _OUTPUT_SIG:
            if value.get("secret"):
                return SECRET
            return wire_to_plain(value["value"]) if "value" in value else UNKNOWN
        if sig == _ASSET_SIG:
            kind = next((k for k in ("path", "uri", "text") if k in value), "asset")
            if kind == "text":
                return {"asset": "text", "sha256": hashlib.sha256(str(value["text"]).encode()).hexdigest()}
            return {"asset": kind, kind: value.get(kind)}
        if sig == _ARCHIVE_SIG:
            return {"archive": {k: v for k, v in value.items() if k != _SPECIAL_SIG and isinstance(v, str)}}
        return {k: wire_to_plain(v) for k, v in value.items()}
    return value


#: The availability zones a new account sees in each commercial region (letters after the region
#: name), from the EC2 console and ``aws ec2 describe-availability-zones`` (2026-11). Which letters
#: an account sees varies for a few older regions (us-west-1, ap-northeast-1); these are the usual ones.
AVAILABILITY_ZONES: dict[str, str] = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "af-south-1": "abc",
    "ap-east-1": "abc",
    "ap-east-2": "abc",
    "ap-south-1": "abc",
    "ap-south-2": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-southeast-3": "abc",
    "ap-southeast-4": "abc",
    "ap-southeast-5": "abc",
    "ap-southeast-6": "abc",
    "ap-southeast-7": "abc",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc",
    "ca-central-1": "abd",
    "ca-west-1": "abc",
    "eu-central-1": "abc",
    "eu-central-2": "abc",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-south-1": "abc",
    "eu-south-2": "abc",
    "eu-north-1": "abc",
    "il-central-1": "abc",
    "me-south-1": "abc",
    "me-central-1": "abc",
    "mx-central-1": "abc",
    "sa-east-1": "abc",
}


def zone_id_prefix(region: str) -> str:
    """The zone-id prefix of ``region`` (``use1`` for us-east-1, ``apse2`` for ap-southeast-2)."""
    parts = region.split("-")
    words = {
        "north": "n",
        "south": "s",
        "east": "e",
        "west": "w",
        "central": "c",
        "northeast": "ne",
        "southeast": "se",
        "northwest": "nw",
        "southwest": "sw",
    }
    return parts[0] + "".join(words.get(p, p[:1]) for p in parts[1:-1]) + parts[-1]


class AwsMocks(_mocks.Mocks):
    """Answers registrations and calls the way AWS would, deterministically.

    Each answer comes from the region of the provider the request names: an explicit
    ``aws.Provider(region=...)`` registered earlier, or the stack's ``aws:region`` for the default
    provider. A component given an eu-west-1 provider thus sees eu-west-1's zones and ARNs, and one
    whose lookups forgot ``parent=self`` sees the default region's, which tests can tell apart.
    """

    def __init__(self, region: str = DEFAULT_REGION, account_id: str = ACCOUNT_ID) -> None:
        self.region = region
        self.account_id = account_id
        self._provider_regions: dict[str, str] = {}  # provider id -> its region

    def region_of(self, provider_ref: str | None) -> str:
        """The region a request for ``provider_ref`` (``"<urn>::<id>"``, or empty for the default provider) goes to."""
        if not provider_ref:
            return self.region
        return self._provider_regions.get(provider_ref.rsplit("::", 1)[-1], self.region)

    # -- resources ---------------------------------------------------------------------------
    def new_resource(self, args: _mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        seed = _digest(args.typ, args.name)
        if args.typ.startswith("pulumi:providers:"):
            pid = f"{args.name}-provider-{seed[:8]}"
            if args.typ == "pulumi:providers:aws" and isinstance(inputs.get("region"), str):
                self._provider_regions[pid] = str(inputs["region"])
            return pid, inputs
        # pulumi-aws v7 resources take a `region` of their own, which wins over their provider's.
        region = str(inputs["region"]) if isinstance(inputs.get("region"), str) else self.region_of(args.provider)
        prefix, arn_format = _SHAPES.get(args.typ, ("", None))
        physical = next((str(inputs[k]) for k in _NAME_INPUTS if isinstance(inputs.get(k), str)), None)
        if physical is None:
            physical = f"{args.name}-{seed[:7]}"
            if (
                "name" not in inputs
                and args.typ in _SHAPES
                and _SHAPES[args.typ][1]
                and "{name}" in str(_SHAPES[args.typ][1])
            ):
                inputs["name"] = physical
        rid = prefix + seed[:17] if prefix else physical
        out = self._outputs(args.typ, rid, physical, inputs, seed, region)
        if "bucket" in out and args.typ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
            rid = str(out["bucket"])  # a bucket's id is its name
        if arn_format is not None and "arn" not in out:
            out["arn"] = self._arn(arn_format, rid, physical, inputs, seed, region)
        return rid, {**inputs, **out}

    def _arn(self, fmt: str, rid: str, physical: str, inputs: dict[str, Any], seed: str, region: str) -> str:
        service, resource = fmt.split(":", 1)
        cluster = str(inputs.get("cluster", "cluster")).rsplit("/", 1)[-1]
        resource = resource.format(
            id=rid,
            name=physical,
            hex=seed[:16],
            hex2=seed[16:32],
            family=inputs.get("family", physical),
            identifier=inputs.get("identifier", physical),
            rgid=inputs.get("replicationGroupId", physical),
            cluster=cluster,
            uuid=str(uuid.UUID(seed[:32])),
            suffix6=seed[32:38],
        )
        where = "" if service in ("iam", "cloudfront", "s3") else region
        return f"arn:aws:{service}:{where}:{self.account_id}:{resource}"

    def _outputs(self, typ: str, rid: str, physical: str, inputs: dict[str, Any], seed: str, r: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if typ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
            bucket = str(inputs.get("bucket") or physical.lower())
            out.update(
                bucket=bucket,
                arn=f"arn:aws:s3:::{bucket}",
                bucketDomainName=f"{bucket}.s3.amazonaws.com",
                bucketRegionalDomainName=f"{bucket}.s3.{r}.amazonaws.com",
                region=r,
                hostedZoneId="Z3AQBSTGFYJSTF",
            )
        elif typ == "aws:ec2/vpc:Vpc":
            out.update(
                defaultSecurityGroupId="sg-" + seed[17:34],
                defaultRouteTableId="rtb-" + seed[17:34],
                defaultNetworkAclId="acl-" + seed[17:34],
                mainRouteTableId="rtb-" + seed[17:34],
                ownerId=self.account_id,
            )
        elif typ == "aws:ec2/securityGroup:SecurityGroup":
            out.update(ownerId=self.account_id)
        elif typ == "aws:ec2/eip:Eip":
            octets = [int(seed[i : i + 2], 16) for i in (0, 2, 4)]
            out.update(publicIp=f"3.{octets[0]}.{octets[1]}.{octets[2]}", allocationId=rid)
        elif typ == "aws:ec2/instance:Instance":
            out.update(
                primaryNetworkInterfaceId="eni-" + seed[17:34], privateIp=f"10.0.0.{int(seed[:2], 16) % 250 + 4}"
            )
        elif typ == "aws:lb/loadBalancer:LoadBalancer":
            name = str(inputs.get("name", physical))
            out.update(
                dnsName=f"{name}-{int(seed[:8], 16) % 10**10}.{r}.elb.amazonaws.com",
                zoneId="Z35SXDOTRQ7X7K",
                arnSuffix=f"app/{name}/{seed[:16]}",
            )
        elif typ == "aws:lb/targetGroup:TargetGroup":
            out.update(arnSuffix=f"targetgroup/{inputs.get('name', physical)}/{seed[:16]}")
        elif typ == "aws:cloudfront/distribution:Distribution":
            did = rid
            out.update(
                domainName=f"d{seed[:13]}.cloudfront.net",
                hostedZoneId="Z2FDTNDATAQYW2",
                status="Deployed",
                etag="E" + seed[20:33].upper(),
                arn=f"arn:aws:cloudfront::{self.account_id}:distribution/{did}",
            )
        elif typ == "aws:ecs/cluster:Cluster":
            out.update(name=inputs.get("name", physical))
        elif typ == "aws:ecs/taskDefinition:TaskDefinition":
            out.update(
                revision=1, arnWithoutRevision=self._arn("ecs:task-definition/{family}", rid, physical, inputs, seed, r)
            )
        elif typ == "aws:iam/role:Role":
            out.update(uniqueId="AROA" + seed[:17].upper())
        elif typ == "aws:ecr/repository:Repository":
            name = str(inputs.get("name", physical))
            out.update(
                name=name,
                repositoryUrl=f"{self.account_id}.dkr.ecr.{r}.amazonaws.com/{name}",
                registryId=self.account_id,
            )
        elif typ == "aws:rds/instance:Instance":
            ident = str(inputs.get("identifier", physical))
            host = f"{ident}.c{seed[:11]}.{r}.rds.amazonaws.com"
            port = int(inputs.get("port", 5432))
            out.update(
                address=host,
                endpoint=f"{host}:{port}",
                port=port,
                resourceId="db-" + seed[:26].upper(),
                hostedZoneId="Z2R2ITUGPM61AM",
            )
            if inputs.get("manageMasterUserPassword"):
                out["masterUserSecrets"] = [
                    {
                        "secretArn": f"arn:aws:secretsmanager:{r}:{self.account_id}:secret:rds!db-{uuid.UUID(seed[:32])}-{seed[32:38]}",
                        "secretStatus": "active",
                        "kmsKeyId": inputs.get("masterUserSecretKmsKeyId")
                        or f"arn:aws:kms:{r}:{self.account_id}:key/{uuid.UUID(seed[32:64])}",
                    }
                ]
        elif typ == "aws:elasticache/replicationGroup:ReplicationGroup":
            rgid = str(inputs.get("replicationGroupId", physical))
            short = zone_id_prefix(r)
            out.update(
                primaryEndpointAddress=f"master.{rgid}.{seed[:6]}.{short}.cache.amazonaws.com",
                readerEndpointAddress=f"replica.{rgid}.{seed[:6]}.{short}.cache.amazonaws.com",
                memberClusters=[f"{rgid}-00{i + 1}" for i in range(int(inputs.get("numCacheClusters", 1) or 1))],
            )
        elif typ == "aws:secretsmanager/secret:Secret":
            out.update(name=inputs.get("name", physical))
        elif typ == "aws:kms/key:Key":
            out.update(keyId=str(uuid.UUID(seed[:32])))
        elif (
            typ == "aws:cloudfront/originAccessControl:OriginAccessControl"
            or typ == "aws:cloudfront/keyGroup:KeyGroup"
            or typ == "aws:cloudfront/publicKey:PublicKey"
        ):
            out.update(etag="E" + seed[20:33].upper())
        elif typ == "aws:cloudwatch/logGroup:LogGroup" or typ == "aws:sns/topic:Topic":
            out.update(name=inputs.get("name", physical))
        elif typ in ("docker:index/image:Image",):
            image = str(inputs.get("imageName", physical)).split(":")[0]
            out.update(repoDigest=f"{image}@sha256:{seed}", imageName=inputs.get("imageName", image))
        elif typ == "docker-build:index:Image":
            tags = inputs.get("tags") or [physical]
            image = str(tags[0]).split(":")[0]
            out.update(digest=f"sha256:{seed}", ref=f"{image}@sha256:{seed}")
        elif typ in ("random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString"):
            length = int(inputs.get("length", 32))
            out.update(result=(seed * 4)[:length])
        elif typ == "tls:index/privateKey:PrivateKey":
            out.update(
                privateKeyPem="-----BEGIN RSA PRIVATE KEY-----\n(plan)\n-----END RSA PRIVATE KEY-----\n",
                publicKeyPem=f"-----BEGIN PUBLIC KEY-----\n{seed}\n-----END PUBLIC KEY-----\n",
                publicKeyFingerprintSha256="SHA256:" + seed[:43],
            )
        elif typ == "aws:wafv2/webAcl:WebAcl":
            out.update(id=str(uuid.UUID(seed[:32])))
        elif typ == "aws:acm/certificate:Certificate":
            names = [str(inputs.get("domainName", physical)), *(inputs.get("subjectAlternativeNames") or [])]
            out.update(
                status="PENDING_VALIDATION",
                domainValidationOptions=[
                    {
                        "domainName": n,
                        "resourceRecordName": f"_{_digest(seed, n)[:32]}.{n}.",
                        "resourceRecordType": "CNAME",
                        "resourceRecordValue": f"_{_digest(n, seed)[:32]}.acm-validations.aws.",
                    }
                    for n in names
                ],
            )
        elif typ == "aws:route53/record:Record":
            out.update(fqdn=str(inputs.get("name", physical)).rstrip("."))
        return out

    # -- calls -------------------------------------------------------------------------------
    def call(self, args: _mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        result, failures = self._call(args)
        return result, failures or []

    def _call(self, args: _mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        tok, a = args.token, args.args
        r = self.region_of(args.provider)
        if tok == "aws:index/getAvailabilityZones:getAvailabilityZones":
            letters = AVAILABILITY_ZONES.get(r, "abc")
            short = zone_id_prefix(r)
            return {
                "names": [f"{r}{c}" for c in letters],
                "zoneIds": [f"{short}-az{ord(c) - ord('a') + 1}" for c in letters],
                "groupNames": [r] * len(letters),
                "id": r,
            }, None
        if tok == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:aws:iam::{self.account_id}:user/plan",
                "userId": "AIDA" + _digest("user")[:17].upper(),
                "id": self.account_id,
            }, None
        if tok == "aws:index/getRegion:getRegion":
            return {"name": r, "region": r, "id": r, "endpoint": f"ec2.{r}.amazonaws.com", "description": r}, None
        if tok == "aws:index/getPartition:getPartition":
            return {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "id": "aws",
                "reverseDnsPrefix": "com.amazonaws",
            }, None
        if tok == "aws:route53/getZone:getZone":
            zone = str(a.get("name", "")).rstrip(".")
            zid = "Z" + _digest("zone", zone)[:20].upper()
            return {"zoneId": zid, "id": zid, "name": zone, "privateZone": False, "nameServers": []}, None
        if tok == "aws:elb/getServiceAccount:getServiceAccount":
            acct = ELB_ACCOUNTS.get(r, "127311923021")
            return {"arn": f"arn:aws:iam::{acct}:root", "id": acct}, None
        if tok == "aws:s3/getCanonicalUserId:getCanonicalUserId":
            return {"id": _digest("canonical", self.account_id), "displayName": "plan"}, None
        if tok == "aws:ec2/getManagedPrefixList:getManagedPrefixList":
            return {
                "id": "pl-3b927c52",
                "name": a.get("name", ""),
                "addressFamily": "IPv4",
                "maxEntries": 55,
                "entries": [],
                "arn": f"arn:aws:ec2:{r}:aws:prefix-list/pl-3b927c52",
            }, None
        if tok == "aws:ec2/getAmi:getAmi":
            return {
                "id": "ami-" + _digest(tok, repr(sorted(a.items())))[:17],
                "architecture": "arm64",
                "name": "fck-nat-al2023-hvm-arm64",
            }, None
        if tok == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
                "userName": "AWS",
                "password": "[secret]",
                "proxyEndpoint": f"https://{self.account_id}.dkr.ecr.{r}.amazonaws.com",
                "authorizationToken": "[secret]",
            }, None
        if tok in (
            "aws:cloudfront/getCachePolicy:getCachePolicy",
            "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy",
            "aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy",
        ):
            name = str(a.get("name", ""))
            if name in MANAGED_CLOUDFRONT_POLICIES:
                return {"id": MANAGED_CLOUDFRONT_POLICIES[name], "name": name}, None
            return {}, [("name", f"no managed policy named {name!r}")]
        if tok == "aws:iam/getPolicyDocument:getPolicyDocument":
            import json

            return {
                "json": json.dumps({"Version": "2012-10-17", "Statement": a.get("statements", [])}, sort_keys=True),
                "id": "policy",
            }, None
        return {}, None


class RecordingMonitor(_mocks.MockMonitor):
    """A MockMonitor that also keeps what each registration asked for."""

    def __init__(self, mocks: AwsMocks) -> None:
        super().__init__(mocks)
        self.aws = mocks
        self.registrations: dict[str, Registration] = {}
        self.invocations: list[Invocation] = []
        self._lock = threading.Lock()
        self._transform_tokens: dict[str, list[str]] = {}  # urn -> transforms that apply to its children

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().Invoke(request)
        args = json_format.MessageToDict(request.args, preserving_proto_field_name=True)
        record = Invocation(
            token=request.tok,
            args=wire_to_plain(args),
            provider=request.provider or None,
            region=self.aws.region_of(request.provider),
        )
        with self._lock:
            self.invocations.append(record)
        return response

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """As the engine does: the root stack is not part of its children's qualified type."""
        if parent and parent.split("::")[2] == "pulumi:pulumi:Stack":
            parent = ""
        return str(super().make_urn(parent, type_, name))

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        if request.type != "pulumi:pulumi:Stack":
            request = self._apply_transforms(request)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        # The engine marks a resource's additionalSecretOutputs secret; the stock mock does not.
        for key in request.additionalSecretOutputs:
            if key in response.object.fields:
                plain = json_format.MessageToDict(response.object.fields[key])
                response.object.fields[key].struct_value.Clear()
                response.object.fields[key].struct_value.update({_SPECIAL_SIG: _SECRET_SIG, "value": plain})
        wire = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
        state = self.resources[response.urn].state
        self.registrations[response.urn] = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            custom=bool(request.custom),
            provider=request.provider or None,
            dependencies=tuple(sorted(set(request.dependencies))),
            inputs=wire_to_plain(wire),
            outputs=dict(state),
            id=response.id or None,
            providers=dict(request.providers),
            options=resource_options(request),
        )
        return response

    # -- transforms, as the engine runs them ---------------------------------------------------
    def _apply_transforms(self, request: Any) -> Any:
        """Run the resource's ``transforms`` option, then its ancestors', as the engine does.

        The stock mock monitor does not run transforms, so offline a ``transforms`` escape hatch
        would silently do nothing. Each transform is the SDK's own registered callback, called
        with the engine's request shape (wire property names, camelCase); its result replaces the
        properties and the options it may change.
        """
        own = [c.token for c in request.transforms]
        urn = self.make_urn(request.parent, request.type, request.name)
        with self._lock:
            inherited = self._transform_tokens.get(request.parent, [])
            self._transform_tokens[urn] = own + inherited
        tokens = own + inherited
        if not tokens:
            return request
        request_copy = type(request)()
        request_copy.CopyFrom(request)
        for token in tokens:
            callback, loop = _callback(token)
            if callback is None:
                continue
            transform_request = resource_pb2.TransformRequest(
                type=request_copy.type,
                name=request_copy.name,
                custom=request_copy.custom,
                parent=request_copy.parent,
                properties=request_copy.object,
                options=_transform_options(request_copy),
            )
            future = asyncio.run_coroutine_threadsafe(callback(transform_request.SerializeToString()), loop)
            result = resource_pb2.TransformResponse.FromString(future.result().SerializeToString())
            request_copy.object.CopyFrom(result.properties)
            if result.HasField("options"):
                _apply_transform_options(request_copy, result.options)
        return request_copy


def _callback(token: str) -> tuple[Any, asyncio.AbstractEventLoop]:
    """The SDK's callback registered under ``token`` and the event loop it runs on."""
    for servicer in list(_CallbackServicer._servicers):
        found = servicer._callbacks.get(token)
        if found is not None:
            return found, servicer._loop
    return None, asyncio.get_event_loop()


def _transform_options(request: Any) -> Any:
    options = resource_pb2.TransformResourceOptions(
        ignore_changes=list(request.ignoreChanges),
        replace_on_changes=list(request.replaceOnChanges),
        additional_secret_outputs=list(request.additionalSecretOutputs),
        depends_on=list(request.dependencies),
        provider=request.provider,
        retain_on_delete=request.retainOnDelete,
    )
    if request.HasField("protect"):
        options.protect = request.protect
    if request.deleteBeforeReplaceDefined:
        options.delete_before_replace = request.deleteBeforeReplace
    for key, value in request.providers.items():
        options.providers[key] = value
    return options


def _apply_transform_options(request: Any, options: Any) -> None:
    """Copy what a transform may change back into the registration request."""
    if options.HasField("protect"):
        request.protect = options.protect
    if options.HasField("delete_before_replace"):
        request.deleteBeforeReplace = options.delete_before_replace
        request.deleteBeforeReplaceDefined = True
    del request.ignoreChanges[:]
    request.ignoreChanges.extend(options.ignore_changes)
    del request.replaceOnChanges[:]
    request.replaceOnChanges.extend(options.replace_on_changes)
    del request.additionalSecretOutputs[:]
    request.additionalSecretOutputs.extend(options.additional_secret_outputs)
    request.retainOnDelete = options.retain_on_delete
    if options.provider:
        request.provider = options.provider


@dataclass
class ProgramRun:
    """What running a program under the mocks produced."""

    project: str
    stack: str
    registrations: dict[str, Registration]
    stack_urn: str
    outputs: dict[str, Any]
    invocations: list[Invocation] = field(default_factory=list)
    """Every lookup the program made, in call order."""

    def of_type(self, type_token: str) -> list[Registration]:
        """Every registration of ``type_token``, in URN order."""
        return [r for _, r in sorted(self.registrations.items()) if r.type == type_token]

    def named(self, name: str) -> Registration:
        """The one registration whose logical name is ``name``."""
        found = [r for r in self.registrations.values() if r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources are named {name!r}")
        return found[0]


def _stack_outputs(root: Any) -> dict[str, Any]:
    outputs: dict[str, Any] = {}
    for key, value in sorted(getattr(root, "outputs", {}).items()):
        output = pulumi.Output.from_input(value)  # resolves Outputs nested in lists and dicts too
        known = _sync_await(output.is_known())
        secret = _sync_await(output.is_secret())
        resolved = _sync_await(output.future()) if known else None
        outputs[key] = SECRET if secret else (resolved if known else UNKNOWN)
    return outputs


def run_program(
    program: Callable[[], object],
    *,
    project: str = "project",
    stack: str = "test",
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
    region: str = DEFAULT_REGION,
    preview: bool = True,
) -> ProgramRun:
    """Run ``program`` as a Pulumi program under `AwsMocks`, in a fresh context, and record it.

    ``config`` maps full keys (``"project:key"``, ``"aws:region"``) to their string values, as the
    engine would pass them. An exception raised by ``program`` propagates unchanged.
    """

    def run() -> ProgramRun:
        mocks = AwsMocks(region=region)
        # The SDK walks the Python stack of every registration (traceback.extract_stack and a URI
        # per frame) so that the engine can point a diagnostic at the line that created the
        # resource: 15% of a plan. The mocks record no source positions, so it is skipped here.
        _resource_runtime._get_stack_trace = _no_stack_trace
        monitor = RecordingMonitor(mocks)
        set_all_config(dict(config or {}), list(secret_keys or []))
        _mocks.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)

        def body() -> None:
            program()

        _sync_await(run_pulumi_func(body))
        root = get_root_resource()
        outputs = _stack_outputs(root)
        stack_urn = f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"
        return ProgramRun(project, stack, dict(monitor.registrations), stack_urn, outputs, list(monitor.invocations))

    stack_trace = _resource_runtime._get_stack_trace
    try:
        return contextvars.Context().run(run)
    finally:
        _resource_runtime._get_stack_trace = stack_trace


def _no_stack_trace() -> Any:
    """An empty stack trace: what the SDK sends when it finds no user frame."""
    return source_pb2.StackTrace()


_CAMEL = re.compile(r"_([a-z])")


def camel(snake: str) -> str:
    """``deletion_protection`` -> ``deletionProtection`` (the wire name of an argument)."""
    return _CAMEL.sub(lambda m: m.group(1).upper(), snake)
