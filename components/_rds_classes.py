"""The DB instance classes RDS for PostgreSQL offers: family and size, resource-free.

From AWS's "Supported DB engines for DB instance classes" (the RDS for PostgreSQL column,
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html) and
"DB instance classes" (sizes per family,
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html), 2026.
Families of previous generations that RDS no longer offers to PostgreSQL 14+ (db.m1, db.m3, db.r3,
db.t2, db.m4, db.r4) are left out. Which classes a region offers still varies; AWS's own answer is
``aws rds describe-orderable-db-instance-options --engine postgres``.
"""

from __future__ import annotations

from difflib import get_close_matches

#: Sizes in ascending order (a family offers a contiguous run of them, plus the listed extras).
_LADDER = (
    "micro",
    "small",
    "medium",
    "large",
    "xlarge",
    "2xlarge",
    "4xlarge",
    "8xlarge",
    "12xlarge",
    "16xlarge",
    "24xlarge",
    "32xlarge",
    "48xlarge",
)


def _run(first: str, last: str, *extra: str) -> tuple[str, ...]:
    return (*_LADDER[_LADDER.index(first) : _LADDER.index(last) + 1], *extra)


#: family -> the sizes RDS for PostgreSQL offers in it.
POSTGRES_INSTANCE_CLASSES: dict[str, tuple[str, ...]] = {
    # Burstable
    "t3": _run("micro", "2xlarge"),
    "t4g": _run("micro", "2xlarge"),
    # General purpose
    "m5": _run("large", "24xlarge"),
    "m5d": _run("large", "24xlarge"),
    "m6g": _run("large", "16xlarge"),
    "m6gd": _run("large", "16xlarge"),
    "m6i": _run("large", "32xlarge"),
    "m6id": _run("large", "32xlarge"),
    "m6idn": _run("large", "32xlarge"),
    "m6in": _run("large", "32xlarge"),
    "m7g": _run("large", "16xlarge"),
    "m7i": _run("large", "48xlarge"),
    "m8g": _run("large", "48xlarge"),
    # Memory optimized
    "r5": _run("large", "24xlarge"),
    "r5b": _run("large", "24xlarge"),
    "r5d": _run("large", "24xlarge"),
    "r6g": _run("large", "16xlarge"),
    "r6gd": _run("large", "16xlarge"),
    "r6i": _run("large", "32xlarge"),
    "r6id": _run("large", "32xlarge"),
    "r6idn": _run("large", "32xlarge"),
    "r6in": _run("large", "32xlarge"),
    "r7g": _run("large", "16xlarge"),
    "r7i": _run("large", "48xlarge"),
    "r8g": _run("large", "48xlarge"),
    "x2g": _run("large", "16xlarge"),
    "x2idn": _run("16xlarge", "32xlarge"),
    "x2iedn": _run("xlarge", "32xlarge"),
    # Compute optimized (Multi-AZ DB clusters)
    "c6gd": _run("medium", "16xlarge"),
}


def instance_class_problem(instance_class: object) -> str | None:
    """Why RDS for PostgreSQL would refuse ``instance_class``, or ``None``; names the closest class."""
    if not isinstance(instance_class, str) or instance_class.count(".") != 2 or not instance_class.startswith("db."):
        return f"{instance_class!r} is not an RDS instance class; use 'db.<family>.<size>', e.g. 'db.t4g.micro'"
    _, family, size = instance_class.split(".")
    sizes = POSTGRES_INSTANCE_CLASSES.get(family)
    if sizes is None:
        near = get_close_matches(family, POSTGRES_INSTANCE_CLASSES, n=1)
        hint = f"did you mean 'db.{near[0]}.{size}'? " if near else ""
        return (
            f"{instance_class!r}: RDS for PostgreSQL has no instance family 'db.{family}'; {hint}families: "
            f"{', '.join(POSTGRES_INSTANCE_CLASSES)}"
        )
    if size not in sizes:
        near = get_close_matches(size, sizes, n=1)
        hint = f"did you mean 'db.{family}.{near[0]}'? " if near else ""
        return f"{instance_class!r}: db.{family} has no size '{size}'; {hint}sizes: {', '.join(sizes)}"
    return None
