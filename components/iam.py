"""IAM policy documents as plain data: statements, trust policies, ARN helpers and typed grants.

Resource-free and generic (any component may use it). Documents are dicts whose leaves may be
``pulumi.Input[str]``; serialise them with ``pulumi.Output.json_dumps`` (which resolves nested
outputs), never with the ``getPolicyDocument`` invoke. Every statement built here is checked:
no ``*`` action, no ``service:*`` action (FSBP IAM.21), and no wildcard action on resource ``*``
(IAM.1). A resource of ``*`` is allowed only for actions that have no resource-level permissions,
which the caller must list explicitly (for example ``ecr:GetAuthorizationToken``).

Example::

    from components.iam import S3Access, S3Grant, grant_statements, policy_document
    doc = policy_document(grant_statements([S3Grant(bucket_arn=bucket.arn, access=S3Access.READ_WRITE)]))
    aws.iam.RolePolicy("app-task", role=role.id, policy=pulumi.Output.json_dumps(doc))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

import pulumi

__all__ = [
    "POLICY_VERSION",
    "Arn",
    "IamPolicyError",
    "S3Access",
    "S3Grant",
    "StatementGrant",
    "ecr_image_parts",
    "ecr_repository_arn_from_image",
    "grant_problems",
    "grant_statements",
    "is_secrets_manager_reference",
    "is_ssm_parameter_arn",
    "parse_arn",
    "policy_document",
    "secret_arn_of",
    "service_trust_policy",
    "statement",
    "statement_problem",
    "wildcard_problems",
]

POLICY_VERSION = "2012-10-17"

Statement = dict[str, Any]
"""One IAM statement (``Sid``, ``Effect``, ``Action``, ``Resource``, optional ``Condition``)."""

_SID = re.compile(r"^[A-Za-z0-9]+$")
_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*]+$")


class IamPolicyError(ValueError):
    """A statement that breaks the least-privilege rules above; components re-raise it as ComponentArgsError."""


# -- statements and documents ---------------------------------------------------------------------


def statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    *,
    conditions: Mapping[str, Mapping[str, Any]] | None = None,
    effect: str = "Allow",
) -> Statement:
    """Build and check one statement. Raises `IamPolicyError` for a wildcard grant."""
    problem = statement_problem(sid, actions, resources)
    if problem:
        raise IamPolicyError(problem)
    out: Statement = {"Sid": sid, "Effect": effect, "Action": sorted(set(actions)), "Resource": list(resources)}
    if conditions:
        out["Condition"] = {op: dict(values) for op, values in conditions.items()}
    return out


def statement_problem(sid: str, actions: Sequence[str], resources: Sequence[pulumi.Input[str]]) -> str | None:
    """Why a statement would be too broad or malformed, or ``None`` when it is fine.

    Only plain-string resources can be checked; an output (an ARN not yet known) is trusted.
    """
    if not _SID.match(sid):
        return f"Sid {sid!r} must be alphanumeric."
    if isinstance(actions, str):
        return f"actions must be a list of actions, not the string {actions!r}."
    if not actions:
        return f"statement {sid!r} has no actions."
    if not resources:
        return f"statement {sid!r} has no resources."
    for action in actions:
        if action == "*" or action.endswith(":*"):
            return f"action {action!r} in {sid!r} grants a whole service; list the exact actions instead."
        if not _ACTION.match(action):
            return f"action {action!r} in {sid!r} is not of the form 'service:Action'."
    if any(r == "*" for r in resources if isinstance(r, str)) and any("*" in a for a in actions):
        return f"statement {sid!r} grants wildcard actions on resource '*'."
    return None


def policy_document(statements: Iterable[Statement]) -> dict[str, Any]:
    """``{"Version": "2012-10-17", "Statement": [...]}``. Sids must be unique."""
    stmts = list(statements)
    sids = [str(s["Sid"]) for s in stmts if s.get("Sid")]
    duplicates = sorted({s for s in sids if sids.count(s) > 1})
    if duplicates:
        raise IamPolicyError(f"duplicate statement Sids {duplicates}; give each grant a distinct sid.")
    return {"Version": POLICY_VERSION, "Statement": stmts}


def service_trust_policy(
    service: str, source_account: pulumi.Input[str], *, source_arn: pulumi.Input[str] | None = None
) -> dict[str, Any]:
    """A trust policy letting ``service`` (e.g. ``ecs-tasks.amazonaws.com``) assume the role, only
    on behalf of ``source_account`` (the confused-deputy guard ``aws:SourceAccount``) and, when
    given, only for resources matching ``source_arn`` (``aws:SourceArn``, wildcards allowed)."""
    condition: dict[str, Any] = {"StringEquals": {"aws:SourceAccount": source_account}}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AssumeByService",
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": condition,
            }
        ],
    }


def wildcard_problems(document: Mapping[str, Any]) -> list[str]:
    """Statements of a resolved document that allow a wildcard action on ``*`` (FSBP IAM.1/IAM.21).

    Used by tests and the policy pack on the final JSON.
    """
    found: list[str] = []
    stmts = document.get("Statement", [])
    for stmt in [stmts] if isinstance(stmts, Mapping) else stmts:
        if stmt.get("Effect") != "Allow":
            continue
        actions = stmt.get("Action", [])
        actions = [actions] if isinstance(actions, str) else list(actions)
        resources = stmt.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else list(resources)
        sid = stmt.get("Sid", "?")
        if any(a == "*" or a.endswith(":*") for a in actions):
            found.append(f"{sid}: service-wide action {actions}")
        elif "*" in resources and any("*" in a for a in actions):
            found.append(f"{sid}: wildcard action on '*'")
    return found


# -- ARNs ------------------------------------------------------------------------------------------


class Arn(NamedTuple):
    partition: str
    service: str
    region: str
    account: str
    resource: str


_ARN = re.compile(r"^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(.+)$")
_SECRET_RESOURCE = re.compile(r"^secret:[^:]+$")
_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?P<cn>\.cn)?"
    r"/(?P<repo>[a-z0-9][a-z0-9._/-]*?)(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


def parse_arn(arn: str) -> Arn | None:
    """Split an ARN into its parts, or ``None`` when ``arn`` is not one."""
    match = _ARN.match(arn)
    return Arn(*match.groups()) if match else None


def is_secrets_manager_reference(value: str) -> bool:
    """A Secrets Manager secret ARN, optionally followed by ``:json-key:version-stage:version-id``."""
    arn = parse_arn(value)
    return bool(arn and arn.service == "secretsmanager" and arn.resource.startswith("secret:"))


def is_ssm_parameter_arn(value: str) -> bool:
    """An SSM Parameter Store parameter ARN (``arn:aws:ssm:<region>:<account>:parameter/<name>``)."""
    arn = parse_arn(value)
    return bool(arn and arn.service == "ssm" and arn.resource.startswith("parameter/"))


def secret_arn_of(reference: str) -> str:
    """The secret's own ARN for an ECS ``valueFrom`` reference.

    ``arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1a2b-AbCdEf:password::`` ->
    ``arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1a2b-AbCdEf``. An SSM parameter
    ARN (or anything else) is returned unchanged.
    """
    if not is_secrets_manager_reference(reference):
        return reference
    return ":".join(reference.split(":")[:7])


def ecr_image_parts(image: str) -> dict[str, str | None] | None:
    """``account``, ``region``, ``repo``, ``tag``, ``digest`` and ``partition`` of a private ECR image URI.

    ``None`` when ``image`` is not an ECR URI (Docker Hub, public.ecr.aws, another registry).
    """
    match = _ECR_IMAGE.match(image)
    if not match:
        return None
    parts: dict[str, str | None] = dict(match.groupdict())
    parts["partition"] = "aws-cn" if parts.pop("cn") else "aws"
    return parts


def ecr_repository_arn_from_image(image: str) -> str | None:
    """``123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:…`` ->
    ``arn:aws:ecr:us-east-1:123456789012:repository/app``; ``None`` for a non-ECR image."""
    parts = ecr_image_parts(image)
    if parts is None:
        return None
    return f"arn:{parts['partition']}:ecr:{parts['region']}:{parts['account']}:repository/{parts['repo']}"


# -- typed grants ------------------------------------------------------------------------------------


class S3Access(StrEnum):
    """What an `S3Grant` allows on its objects."""

    READ = "read"
    """s3:GetObject."""
    READ_WRITE = "read-write"
    """s3:GetObject, s3:PutObject and s3:DeleteObject."""


_PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()/-]+$")


@dataclass(frozen=True, kw_only=True)
class S3Grant:
    """Access to the objects under one prefix of one bucket.

    Produces exactly ``s3:GetObject`` (READ) or ``s3:GetObject``, ``s3:PutObject`` and
    ``s3:DeleteObject`` (READ_WRITE) on ``<bucket_arn>/<prefix>``; with ``list_bucket``, also
    ``s3:ListBucket`` on the bucket limited by an ``s3:prefix`` condition to the same prefix.
    """

    bucket_arn: pulumi.Input[str]
    """The bucket's ARN (``arn:aws:s3:::name``). Default: required."""
    prefix: str = "media/*"
    """Object-key pattern under the bucket, without a leading '/'; ``*`` is the whole bucket. Default: ``media/*``."""
    access: S3Access = S3Access.READ
    """READ or READ_WRITE. Default: READ."""
    list_bucket: bool = False
    """Also allow listing keys under the prefix (lets a missing key answer 404 instead of 403). Default: False."""
    kms_key_arn: pulumi.Input[str] | None = None
    """The bucket's customer-managed KMS key, if any: adds kms:Decrypt (and kms:GenerateDataKey for writes). Default: None."""
    sid: str = "S3Objects"
    """Statement id prefix; give two S3 grants distinct sids. Default: ``S3Objects``."""

    def problem(self) -> str | None:
        """Why the grant is invalid, or ``None``."""
        if not _PREFIX.match(self.prefix) or self.prefix.startswith("/"):
            return (
                f"S3Grant prefix {self.prefix!r} must be a key pattern such as 'media/*' (no leading '/', no spaces)."
            )
        if isinstance(self.bucket_arn, str) and not re.match(
            r"^arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}$", self.bucket_arn
        ):
            return f"S3Grant bucket_arn {self.bucket_arn!r} is not a bucket ARN such as 'arn:aws:s3:::my-bucket'."
        if not _SID.match(self.sid):
            return f"S3Grant sid {self.sid!r} must be alphanumeric."
        return None

    def statements(self) -> list[Statement]:
        actions = ["s3:GetObject"]
        if self.access is S3Access.READ_WRITE:
            actions += ["s3:PutObject", "s3:DeleteObject"]
        objects: pulumi.Input[str] = (
            f"{self.bucket_arn}/{self.prefix}"
            if isinstance(self.bucket_arn, str)
            else pulumi.Output.concat(self.bucket_arn, "/", self.prefix)
        )
        out = [statement(self.sid, actions, [objects])]
        if self.list_bucket:
            out.append(
                statement(
                    f"{self.sid}List",
                    ["s3:ListBucket"],
                    [self.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [self.prefix]}},
                )
            )
        if self.kms_key_arn is not None:
            kms_actions = ["kms:Decrypt"]
            if self.access is S3Access.READ_WRITE:
                kms_actions.append("kms:GenerateDataKey")
            out.append(statement(f"{self.sid}Kms", kms_actions, [self.kms_key_arn]))
        return out


@dataclass(frozen=True, kw_only=True)
class StatementGrant:
    """An explicit statement for needs the typed grants do not cover: exact actions on exact resources.

    Wildcard actions are rejected; resource ``*`` is accepted only with non-wildcard actions (for
    the few APIs without resource-level permissions).
    """

    sid: str
    """Statement id, alphanumeric and unique in the role. Default: required."""
    actions: tuple[str, ...]
    """Exact actions, e.g. ``("sqs:SendMessage",)``. Default: required."""
    resources: tuple[pulumi.Input[str], ...]
    """Exact resource ARNs. Default: required."""
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """IAM condition block, e.g. ``{"StringEquals": {"aws:ResourceTag/App": "x"}}``. Default: none."""

    def problem(self) -> str | None:
        return statement_problem(self.sid, self.actions, self.resources)

    def statements(self) -> list[Statement]:
        return [statement(self.sid, self.actions, self.resources, conditions=self.conditions or None)]


Grant = S3Grant | StatementGrant
"""A task-role (or any role) grant."""


def grant_problems(grants: Sequence[Grant]) -> list[str]:
    """Every problem of every grant, plus duplicate statement ids across them."""
    problems = [p for g in grants if (p := g.problem())]
    if not problems:
        sids = [s["Sid"] for g in grants for s in g.statements()]
        duplicates = sorted({s for s in sids if sids.count(s) > 1})
        if duplicates:
            problems.append(f"statement ids {duplicates} are used twice; give each grant a distinct sid.")
    return problems


def grant_statements(grants: Sequence[Grant]) -> list[Statement]:
    """The statements of ``grants``, in order."""
    return [s for g in grants for s in g.statements()]
