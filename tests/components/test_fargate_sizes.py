"""Fargate's cpu/memory table, its error messages and its cost maths."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from components._fargate_sizes import (
    FARGATE_SIZES,
    Architecture,
    human_list,
    is_valid_size,
    monthly_on_demand_cost,
    size_problem,
    smallest_cpu_for,
    valid_cpus,
    valid_memories,
)

CPUS = st.sampled_from(sorted(FARGATE_SIZES))


def test_the_table_matches_aws_for_the_small_and_the_largest_sizes() -> None:
    assert valid_memories(256) == (512, 1024, 2048)
    assert valid_memories(512) == (1024, 2048, 3072, 4096)
    assert valid_memories(1024) == tuple(range(2048, 8193, 1024))
    assert valid_memories(4096)[-1] == 30720
    assert valid_memories(8192) == tuple(range(16384, 61441, 4096))
    assert valid_memories(16384) == tuple(range(32768, 122881, 8192))
    assert valid_cpus() == (256, 512, 1024, 2048, 4096, 8192, 16384)


def test_an_invalid_memory_names_the_cpu_and_lists_the_valid_values() -> None:
    assert size_problem(256, 3072) == ("memory", "3072 is not valid for cpu=256; choose 512, 1024 or 2048.")


def test_a_long_list_of_memory_values_reads_as_a_range() -> None:
    assert size_problem(1024, 1024) == (
        "memory",
        "1024 is not valid for cpu=1024; choose 2048 to 8192 in steps of 1024.",
    )


def test_an_invalid_cpu_lists_every_valid_cpu() -> None:
    assert size_problem(300, 512) == (
        "cpu",
        "300 is not a Fargate cpu value; choose 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU).",
    )


def test_an_unknown_cpu_has_no_valid_memory() -> None:
    assert valid_memories(3) == ()
    assert not is_valid_size(3, 512)


@given(CPUS, st.data())
def test_every_listed_size_is_valid(cpu: int, data: st.DataObject) -> None:
    memory = data.draw(st.sampled_from(valid_memories(cpu)))
    assert size_problem(cpu, memory) is None
    assert is_valid_size(cpu, memory)


@given(CPUS, st.integers(min_value=0, max_value=200_000))
def test_any_unlisted_memory_is_rejected_with_the_memory_argument(cpu: int, memory: int) -> None:
    if memory in valid_memories(cpu):
        return
    problem = size_problem(cpu, memory)
    assert problem is not None
    assert problem[0] == "memory"
    assert f"cpu={cpu}" in problem[1]


@given(CPUS)
def test_memory_values_ascend_and_sit_between_two_and_eight_gib_per_vcpu(cpu: int) -> None:
    memories = valid_memories(cpu)
    assert list(memories) == sorted(set(memories))
    vcpu = cpu / 1024
    assert memories[0] >= 2048 * vcpu * 0.99 or cpu == 256
    assert memories[-1] <= 8192 * vcpu


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=30, unique=True))
def test_human_lists_always_name_the_first_and_last_value(values: list[int]) -> None:
    values.sort()
    text = human_list(values)
    assert text.startswith(str(values[0]))
    assert text.endswith(str(values[-1]))


def test_the_smallest_cpu_for_a_memory_is_the_first_that_accepts_it() -> None:
    assert smallest_cpu_for(512) == 256
    assert smallest_cpu_for(3072) == 512
    assert smallest_cpu_for(30720) == 4096
    assert smallest_cpu_for(100) is None


def test_the_smallest_task_costs_what_the_price_sheet_says() -> None:
    # 0.25 vCPU x $0.04048 + 0.5 GB x $0.004445 = $0.01234 per hour, x 730 h (the sheet: "about $9")
    assert monthly_on_demand_cost(256, 512, Architecture.X86_64) == 9.01
    assert monthly_on_demand_cost(256, 512, Architecture.ARM64) == 7.21
    assert monthly_on_demand_cost(256, 512, Architecture.ARM64, tasks=2) == 14.42


@given(CPUS, st.data())
def test_arm64_is_always_cheaper_than_x86_64(cpu: int, data: st.DataObject) -> None:
    memory = data.draw(st.sampled_from(valid_memories(cpu)))
    assert monthly_on_demand_cost(cpu, memory, Architecture.ARM64) < monthly_on_demand_cost(
        cpu, memory, Architecture.X86_64
    )


def test_only_x86_64_runs_on_fargate_spot_and_each_architecture_has_a_docker_platform() -> None:
    assert Architecture.X86_64.supports_spot
    assert not Architecture.ARM64.supports_spot
    assert Architecture.ARM64.docker_platform == "linux/arm64"
    assert Architecture.X86_64.docker_platform == "linux/amd64"
