"""AWS's own value sets and formats that several components (and the stack config) validate against.

Resource-free; one definition each, so a rule AWS changes is changed in one place.
"""

from __future__ import annotations

import re

# The checks of the bundled tables (each module cites its AWS or ISO source), public for the stack config.
from components._fargate_sizes import size_problem as fargate_size_problem
from components._iso_countries import country_code_problem
from components._rds_classes import instance_class_problem as postgres_instance_class_problem

__all__ = [
    "IMAGE_BY_DIGEST",
    "LAMBDA_FUNCTION_ARN",
    "LOG_RETENTION_DAYS",
    "country_code_problem",
    "fargate_size_problem",
    "postgres_instance_class_problem",
]

#: The retention periods CloudWatch Logs accepts (days).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

#: A Lambda function ARN, optionally qualified by a version or alias.
LAMBDA_FUNCTION_ARN = re.compile(
    r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?"
)

#: A container image reference by digest: ``<repository>@sha256:<64 hex>``.
IMAGE_BY_DIGEST = re.compile(r"^[a-z0-9.\-/:_]+@sha256:[0-9a-f]{64}$")
