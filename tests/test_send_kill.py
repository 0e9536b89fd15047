"""SIGKILL `digest send` at random moments and resume: nobody missed, duplicates bounded.

A subscriber may get the issue twice only if the server accepted their message in the
instant before the journal recorded it: at most one per connection per kill, and never
more than the journal itself counted as possible duplicates.
"""

from __future__ import annotations

from pathlib import Path

from digest.terminal import plural
from tests.send_kill import kill_and_resume

KILLS = 4
CONNECTIONS = 2


def test_killed_sends_resume_with_nobody_missed(tmp_path: Path) -> None:
    result = kill_and_resume(
        tmp_path,
        subscribers=300,
        kills=KILLS,
        slow=0.04,
        seed=16,
        window=(1.0, 2.5),
        connections=CONNECTIONS,
    )
    assert result.missed == 0
    assert result.delivered == result.eligible + result.duplicates
    assert result.duplicates <= result.doubtful <= KILLS * CONNECTIONS
    if result.doubtful and "was sent already" not in result.final_output:  # the last run finished
        assert plural(result.doubtful, "possible duplicate") in result.final_output
