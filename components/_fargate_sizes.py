"""Fargate's task sizes (Linux): which memory values each cpu value allows, and what they cost.

Resource-free, so it is tested on its own (examples and Hypothesis properties). The table is AWS's
"Task CPU and memory" table for Linux tasks on platform version 1.4.0 (values in CPU units, where
1024 units = 1 vCPU, and in MiB):

=====  ===========================================================
cpu    memory (MiB)
=====  ===========================================================
256    512, 1024, 2048
512    1024 to 4096 in steps of 1024
1024   2048 to 8192 in steps of 1024
2048   4096 to 16384 in steps of 1024
4096   8192 to 30720 in steps of 1024
8192   16384 to 61440 in steps of 4096
16384  32768 to 122880 in steps of 8192
=====  ===========================================================

Both architectures accept every size. Fargate Spot only runs X86_64 tasks (AWS: "Linux tasks with
the ARM64 architecture don't support the Fargate Spot capacity provider").
"""

from __future__ import annotations

from enum import StrEnum
from itertools import pairwise


class Architecture(StrEnum):
    """The CPU architecture of a Fargate task (``runtimePlatform.cpuArchitecture``)."""

    X86_64 = "X86_64"
    ARM64 = "ARM64"

    @property
    def docker_platform(self) -> str:
        """The ``docker build --platform`` value for this architecture."""
        return "linux/arm64" if self is Architecture.ARM64 else "linux/amd64"

    @property
    def supports_spot(self) -> bool:
        """Whether the FARGATE_SPOT capacity provider can run tasks of this architecture."""
        return self is Architecture.X86_64


def _steps(low: int, high: int, step: int) -> tuple[int, ...]:
    return tuple(range(low, high + 1, step))


#: cpu units -> the memory values (MiB) Fargate accepts with it, ascending.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _steps(1024, 4096, 1024),
    1024: _steps(2048, 8192, 1024),
    2048: _steps(4096, 16384, 1024),
    4096: _steps(8192, 30720, 1024),
    8192: _steps(16384, 61440, 4096),
    16384: _steps(32768, 122880, 8192),
}

#: us-east-1 on-demand prices per hour (source: docs/reference price sheet, vantage.sh fargate pricing).
_PRICE_PER_VCPU_HOUR = {Architecture.X86_64: 0.04048, Architecture.ARM64: 0.03238}
_PRICE_PER_GB_HOUR = {Architecture.X86_64: 0.004445, Architecture.ARM64: 0.00356}
HOURS_PER_MONTH = 730


def valid_cpus() -> tuple[int, ...]:
    """Every cpu value Fargate accepts, ascending."""
    return tuple(sorted(FARGATE_SIZES))


def valid_memories(cpu: int) -> tuple[int, ...]:
    """The memory values (MiB) Fargate accepts with ``cpu``; empty when ``cpu`` itself is invalid."""
    return FARGATE_SIZES.get(cpu, ())


def is_valid_size(cpu: int, memory: int) -> bool:
    """Whether Fargate runs a task of ``cpu`` units and ``memory`` MiB."""
    return memory in valid_memories(cpu)


def human_list(values: tuple[int, ...] | list[int], conjunction: str = "or") -> str:
    """``(512, 1024, 2048)`` -> ``"512, 1024 or 2048"``.

    More than five evenly spaced values read as a range: ``"2048 to 8192 in steps of 1024"``, which
    names every valid value without a wall of numbers.
    """
    items = list(values)
    if not items:
        return "(none)"
    steps = {b - a for a, b in pairwise(items)}
    if len(items) > 5 and len(steps) == 1:
        return f"{items[0]} to {items[-1]} in steps of {steps.pop()}"
    if len(items) == 1:
        return str(items[0])
    return f"{', '.join(str(v) for v in items[:-1])} {conjunction} {items[-1]}"


def size_problem(cpu: int, memory: int) -> tuple[str, str] | None:
    """``None`` when the size is valid, else ``(argument, message)`` naming the rule and the fix."""
    if cpu not in FARGATE_SIZES:
        return "cpu", f"{cpu} is not a Fargate cpu value; choose {human_list(valid_cpus())} (1024 = 1 vCPU)."
    if memory not in FARGATE_SIZES[cpu]:
        return "memory", f"{memory} is not valid for cpu={cpu}; choose {human_list(list(FARGATE_SIZES[cpu]))}."
    return None


def smallest_cpu_for(memory: int) -> int | None:
    """The smallest cpu value that accepts ``memory`` MiB, or ``None`` when no cpu does."""
    return next((cpu for cpu in valid_cpus() if memory in FARGATE_SIZES[cpu]), None)


def monthly_on_demand_cost(cpu: int, memory: int, architecture: Architecture, tasks: int = 1) -> float:
    """On-demand USD per month (730 h, us-east-1) for ``tasks`` always-on tasks of this size."""
    vcpu = cpu / 1024
    gib = memory / 1024
    hourly = vcpu * _PRICE_PER_VCPU_HOUR[architecture] + gib * _PRICE_PER_GB_HOUR[architecture]
    return round(hourly * HOURS_PER_MONTH * tasks, 2)
