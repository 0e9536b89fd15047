"""SIGKILL `digest send` at random moments during a 3,000-subscriber send, then resume.

    python benchmarks/send_kill.py [--subscribers 3000] [--kills 10] [--slow 0.01] [--seed 16]

The send runs as a subprocess against tests/smtp_server.py (a real aiosmtpd server on
127.0.0.1 that waits `--slow` seconds before answering each message's data), over two
connections; it is killed after a random 1 to 4 s, `--kills` times, and then run to the end.
Prints missed subscribers (must be 0), duplicates, duplicates per kill and what the journal
counted as possible duplicates (an upper bound of the duplicates). See tests/send_kill.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.send_kill import kill_and_resume


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--slow", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--connections", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-kill-") as folder:
        result = kill_and_resume(
            Path(folder),
            subscribers=options.subscribers,
            kills=options.kills,
            slow=options.slow,
            seed=options.seed,
            window=(1.0, 4.0),
            connections=options.connections,
        )
    print(f"subscribers: {result.subscribers:,} ({result.eligible:,} with news in their sections)")
    print(f"kills (SIGKILL): {result.kills}, connections: {options.connections}")
    print(f"delivered: {result.delivered:,}; missed: {result.missed}")
    print(
        f"duplicates: {result.duplicates} ({result.per_kill:.2f} per kill; the journal "
        f"counted {result.doubtful} possible), {result.seconds:.1f} s in all"
    )
    if result.missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
