"""parallel_map and shared: the results of one process, whatever the workers do."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

import digest.workers
from digest.workers import parallel_map, shared

PARENT = os.getpid()


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Two cores whatever the machine has, and a count of the workers forked."""
    monkeypatch.setattr(digest.workers, "cores", lambda: 2)
    forks: list[int] = []
    fork = digest.workers.fork

    def counted(*args: Any) -> Any:
        forks.append(1)
        return fork(*args)

    monkeypatch.setattr(digest.workers, "fork", counted)
    return forks


def square(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def test_results_come_back_in_order_and_the_work_is_shared(two_cores: list[int]) -> None:
    def slow_square(number: int) -> tuple[int, int]:
        time.sleep(0.001)
        return square(number)

    results = parallel_map(slow_square, range(400), min_share=10)
    assert [value for value, _ in results] == [n * n for n in range(400)]
    assert two_cores == [1]
    assert len({pid for _, pid in results}) == 2  # both processes did some of it


def test_a_worker_dying_midway_costs_time_not_results() -> None:
    def fragile(number: int) -> tuple[int, int]:
        if os.getpid() != PARENT and number % 50 == 7:
            os._exit(3)  # the worker dies with batches taken and not delivered
        return square(number)

    results = parallel_map(fragile, range(300), min_share=10)
    assert [value for value, _ in results] == [n * n for n in range(300)]


def test_without_workers_it_is_a_plain_map(
    two_cores: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest.workers, "fork", lambda *args: None)
    assert parallel_map(square, range(50), min_share=1) == [square(n) for n in range(50)]
    assert parallel_map(square, range(5), min_share=10) == [square(n) for n in range(5)]
    assert parallel_map(square, [], min_share=1) == []


def test_this_process_can_work_on_something_else_first(two_cores: list[int]) -> None:
    with shared(square, range(200), min_share=10) as pool:
        time.sleep(0.2)  # the worker takes batches meanwhile
        results = pool.results()
    assert [value for value, _ in results] == [n * n for n in range(200)]
    assert any(pid != PARENT for _, pid in results)


def test_an_error_here_ends_the_workers() -> None:
    def failing(number: int) -> int:
        if os.getpid() == PARENT and number > 150:
            raise ValueError("the parent's own mistake")
        time.sleep(0.002)
        return number

    with pytest.raises(ValueError, match="parent's own"):
        parallel_map(failing, range(400), min_share=10)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no worker is left running or unreaped
