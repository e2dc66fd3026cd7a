"""S3: public-access blocks, encryption, TLS-only policy, versioning, no public ACLs or policies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._core import (
    Level,
    ResourceView,
    StackFinding,
    as_list,
    get,
    is_true,
    is_unknown,
    linked,
    of_types,
    parse_json,
    principals,
    resource_rule,
    stack_rule,
    statements,
)

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ACL = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"

PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")


def _attached(resources: Sequence[ResourceView], types: Sequence[str], bucket: ResourceView) -> list[ResourceView]:
    return [c for c in of_types(resources, *types) if linked(c, bucket, prop="bucket", target_keys=("bucket", "id"))]


@resource_rule(
    "s3-public-access-block-all-on",
    control="S3.8",
    description="A bucket public-access block sets all four flags: blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets. Unknown flags pass.",
    types=(PAB,),
)
def public_access_block_all_on(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    off = [f for f in PAB_FLAGS if not is_true(r.props.get(f)) and not is_unknown(r.props.get(f))]
    if off:
        snake = ", ".join(f"{''.join('_' + c.lower() if c.isupper() else c for c in f)}=True" for f in off)
        yield f"{r.label}: {', '.join(off)} not true, so the bucket can become public. Set {snake}."


@stack_rule(
    "s3-bucket-has-public-access-block",
    control="S3.8",
    description="Every bucket has an aws.s3.BucketPublicAccessBlock attached.",
    types=BUCKETS,
)
def bucket_has_public_access_block(
    resources: Sequence[ResourceView], config: Mapping[str, Any]
) -> Iterable[StackFinding]:
    for b in of_types(resources, *BUCKETS):
        if not _attached(resources, (PAB,), b):
            yield StackFinding(
                b.urn,
                f"{b.label}: no public-access block. Add aws.s3.BucketPublicAccessBlock(bucket=bucket.id, "
                f"block_public_acls=True, block_public_policy=True, ignore_public_acls=True, "
                f"restrict_public_buckets=True).",
            )


@stack_rule(
    "s3-bucket-encryption",
    description=(
        "Every bucket declares default encryption (a BucketServerSideEncryptionConfiguration with AES256, "
        "aws:kms or aws:kms:dsse), so the choice is explicit and reviewable."
    ),
    types=BUCKETS,
)
def bucket_encryption(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    for b in of_types(resources, *BUCKETS):
        configs = _attached(resources, SSE, b)
        inline = get(b.props, "serverSideEncryptionConfiguration")
        if not configs and not inline:
            yield StackFinding(
                b.urn,
                f"{b.label}: no server-side encryption configuration. Add "
                f"aws.s3.BucketServerSideEncryptionConfiguration(bucket=bucket.id, rules=[{{"
                f'apply_server_side_encryption_by_default: {{sse_algorithm: "aws:kms"}}, bucket_key_enabled: True}}]).',
            )
        for c in configs:
            for rule in as_list(c.props.get("rules")):
                algo = get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")
                if algo is not None and not is_unknown(algo) and algo not in SSE_ALGORITHMS:
                    yield StackFinding(
                        c.urn, f"{c.label}: sse_algorithm {algo!r} is not one of {', '.join(SSE_ALGORITHMS)}."
                    )


def _denies_insecure_transport(document: Any) -> bool:
    for s in statements(document):
        if s.get("Effect") != "Deny":
            continue
        cond = s.get("Condition")
        if not isinstance(cond, Mapping):
            continue
        value = get(cond, "Bool", "aws:SecureTransport")
        if any(str(v).lower() == "false" for v in as_list(value)):
            return True
    return False


@stack_rule(
    "s3-bucket-tls-only-policy",
    control="S3.5",
    description="Every bucket's policy denies requests with aws:SecureTransport=false. A policy that is unknown until deploy passes.",
    types=BUCKETS,
)
def bucket_tls_only(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    for b in of_types(resources, *BUCKETS):
        docs = [parse_json(p.props.get("policy")) for p in _attached(resources, (POLICY,), b)]
        if b.props.get("policy") is not None:
            docs.append(parse_json(b.props.get("policy")))
        if any(d == "[unknown]" for d in docs):
            continue
        if not any(_denies_insecure_transport(d) for d in docs):
            yield StackFinding(
                b.urn,
                f"{b.label}: no bucket policy denies plain-HTTP requests. Add a BucketPolicy statement "
                f'{{Effect: Deny, Principal: "*", Action: "s3:*", Resource: [bucket ARN, bucket ARN/*], '
                f'Condition: {{Bool: {{"aws:SecureTransport": "false"}}}}}}.',
            )


@stack_rule(
    "s3-bucket-versioning",
    description="Every bucket has versioning Enabled (protects against overwrite and delete). Prod: mandatory.",
    types=BUCKETS,
    category="reliability",
)
def bucket_versioning(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    for b in of_types(resources, *BUCKETS):
        statuses = [get(v.props, "versioningConfiguration", "status") for v in _attached(resources, VERSIONING, b)]
        if is_true(get(b.props, "versioning", "enabled")) or any(s in ("Enabled", "[unknown]") for s in statuses):
            continue
        yield StackFinding(
            b.urn,
            f"{b.label}: versioning is not enabled. Add aws.s3.BucketVersioning(bucket=bucket.id, "
            f'versioning_configuration={{"status": "Enabled"}}) and a lifecycle rule expiring noncurrent versions.',
        )


@resource_rule(
    "s3-no-public-acl",
    control="S3.2",
    description="No bucket or bucket ACL grants public-read, public-read-write or authenticated-read.",
    types=(*BUCKETS, *ACL),
)
def no_public_acl(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    acl = r.props.get("acl")
    if acl in PUBLIC_ACLS:
        yield f'{r.label}: acl={acl!r} makes objects readable by anyone. Remove the ACL (use acl="private" or none) and serve content through CloudFront with origin access control.'
    grants = get(r.props, "accessControlPolicy", "grants") or []
    for g in as_list(grants):
        uri = get(g, "grantee", "uri") or ""
        if isinstance(uri, str) and ("AllUsers" in uri or "AuthenticatedUsers" in uri):
            yield f"{r.label}: a grant to {uri} makes the bucket public. Remove it."


@resource_rule(
    "s3-no-public-bucket-policy",
    control="S3.3",
    description='No bucket policy Allows Principal "*" without a Condition (public read or write).',
    types=(POLICY, *BUCKETS),
)
def no_public_bucket_policy(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    document = parse_json(r.props.get("policy"))
    for s in statements(document):
        if s.get("Effect") == "Allow" and "*" in principals(s) and not s.get("Condition"):
            yield (
                f'{r.label}: statement {s.get("Sid") or ""!s} allows Principal "*" unconditionally '
                f"({s.get('Action')}). Grant a specific principal (e.g. cloudfront.amazonaws.com with an "
                f"AWS:SourceArn condition) instead."
            )


@resource_rule(
    "s3-acls-disabled",
    control="S3.12",
    description="Bucket ownership controls use BucketOwnerEnforced, which disables ACLs.",
    types=(OWNERSHIP,),
    level=Level.ADVISORY,
)
def acls_disabled(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    ownership = get(r.props, "rule", "objectOwnership")
    if ownership is not None and not is_unknown(ownership) and ownership != "BucketOwnerEnforced":
        yield (
            f'{r.label}: object_ownership={ownership!r} keeps ACLs enabled. Use "BucketOwnerEnforced" '
            f"(only legacy CloudFront standard logging needs ACLs; prefer CloudWatch log delivery)."
        )
