"""parallel_map and shared: the results of one process, whatever the workers do."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

import digest.incremental.workers
from digest.incremental.workers import parallel_map, serving, shared

PARENT = os.getpid()


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Two cores whatever the machine has, and a count of the workers forked."""
    monkeypatch.setattr(digest.incremental.workers, "cores", lambda: 2)
    forks: list[int] = []
    fork = digest.incremental.workers.fork

    def counted(*args: Any) -> Any:
        forks.append(1)
        return fork(*args)

    monkeypatch.setattr(digest.incremental.workers, "fork", counted)
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
    monkeypatch.setattr(digest.incremental.workers, "fork", lambda *args: None)
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


def doubled(number: int) -> tuple[int, int]:
    """Module-level, so a job of it pickles for the build's workers."""
    time.sleep(0.001)
    return 2 * number, os.getpid()


def doubled_but_dies(number: int) -> tuple[int, int]:
    if os.getpid() != PARENT and number == 77:
        os._exit(3)  # the worker dies with a batch taken and not delivered
    return doubled(number)


def test_workers_forked_at_the_start_serve_every_job(two_cores: list[int]) -> None:
    with serving():
        assert two_cores == []  # no worker until a job wants one
        first = parallel_map(doubled, range(300), min_share=10)
        assert two_cores == [1]
        second = parallel_map(doubled, range(100, 400), min_share=10)
        unpicklable = parallel_map(lambda n: (n, os.getpid()), range(300), min_share=10)
    assert [value for value, _ in first] == [2 * n for n in range(300)]
    assert [value for value, _ in second] == [2 * n for n in range(100, 400)]
    assert [value for value, _ in unpicklable] == list(range(300))
    served = {pid for _, pid in first} - {PARENT}
    assert served and served == {pid for _, pid in second} - {PARENT}  # the same worker
    assert len(two_cores) == 2  # the lambda could not be sent: one worker forked for it
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every worker ended with the block


def test_a_served_worker_that_dies_loses_nothing_and_the_next_job_runs_here(
    two_cores: list[int],
) -> None:
    with serving():
        results = parallel_map(doubled_but_dies, range(300), min_share=10)
        after = parallel_map(doubled, range(50), min_share=10)
    assert [value for value, _ in results] == [2 * n for n in range(300)]
    assert [value for value, _ in after] == [2 * n for n in range(50)]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_an_error_here_leaves_the_workers_ready_for_the_next_job() -> None:
    def failing(number: int) -> tuple[int, int]:
        raise ValueError("the parent's own mistake")

    with serving():
        with (
            pytest.raises(ValueError, match="parent's own"),
            shared(doubled, range(300), min_share=10),
        ):
            failing(1)
        results = parallel_map(doubled, range(300), min_share=10)
    assert [value for value, _ in results] == [2 * n for n in range(300)]
