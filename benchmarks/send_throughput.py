"""`digest send` against a plain smtplib loop, to the same local SMTP sink, in one run.

    python benchmarks/send_throughput.py [--sizes 2000,20000] [--connections 2]

For each size: a newsroom is built with N subscribers (all sections, so every message is
the whole digest), and a sink (tests/smtp_server.py --sink: aiosmtpd on 127.0.0.1, counting
messages) is started. Then, in turn, a plain loop sends one pre-built message (the same
digest, personalised once) N times over the same number of smtplib connections, one
thread each, and `digest send` sends the issue with its journal. Both run as processes of
their own; the table gives messages per second of the sending (the plain loop's own timing;
`digest send`'s "this run sent N in S s", which includes the journal's setup), the whole
process's wall time, CPU time per message and peak RSS (`wait4`'s rusage): medians of
`--repeat` turns, plain loop and `digest send` taking turns (the journal emptied between).
Nothing touches the network.
"""

from __future__ import annotations

import argparse
import os
import re
import smtplib
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.send_kill import SECRET, newsroom  # noqa: E402
from tests.smtp_server import smtp_server  # noqa: E402

SENT = re.compile(r"this run sent ([\d,]+) in ([\d.]+) s")


def plain_loop(port: int, count: int, connections: int, message: bytes) -> float:
    """Send `message` `count` times over `connections` smtplib connections; seconds taken."""

    def work(first: int) -> None:
        smtp = smtplib.SMTP("127.0.0.1", port)
        for number in range(first, count, connections):
            smtp.sendmail("digest@news.example.org", [f"reader{number:05d}@example.org"], message)
        smtp.quit()

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def measured(command: list[str], env: dict[str, str]) -> tuple[str, float, int, float]:
    """Run `command`; its output, wall seconds, peak RSS in MiB and CPU seconds."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0,):
        raise SystemExit(f"{command} exited {process.returncode}:\n{output}")
    cpu = usage.ru_utime + usage.ru_stime
    return output, time.monotonic() - started, usage.ru_maxrss // 1024, cpu


def one_message(toml: Path) -> bytes:
    """The whole digest personalised for one reader, as `digest send` makes it."""
    from digest.config import load_config
    from digest.send.deliver import latest_issue
    from digest.send.personalise import Editions, Recipient
    from digest.send.tokens import make_token

    config = load_config(toml)
    issue, sections = latest_issue(config.output)
    editions = Editions(sections, config=config, issue=issue)
    edition = editions.edition(())
    assert edition is not None
    address = "reader00000@example.org"
    token = make_token(address, secret=SECRET.encode(), list_id=editions.list_id)
    return editions.message(edition, Recipient(address, "", token))


def bench(size: int, connections: int, folder: Path, repeat: int) -> dict[str, float]:
    """Medians over `repeat` turns of the plain loop and `digest send`, one after the other
    (the journal emptied between turns, so `digest send` sends to everyone again)."""
    env = {**os.environ, "DIGEST_SECRET": SECRET, "PYTHONPATH": str(ROOT)}
    samples: dict[str, list[float]] = {}
    with smtp_server(folder / "sink", "--sink") as sink:
        toml = newsroom(
            folder / "newsroom", subscribers=size, port=sink.port, connections=connections,
            choices=((),),
        )  # fmt: skip
        message_file = folder / "message.eml"
        message_file.write_bytes(one_message(toml))
        for turn in range(repeat):
            if turn:
                forget(toml)
            plain_command = [sys.executable, __file__, "--plain", str(sink.port), str(size)]
            plain_command += [str(connections), str(message_file)]
            output, wall, mib, cpu = measured(plain_command, env)
            sample(samples, plain_rate=size / float(output.split()[-1]), plain_wall=wall,
                   plain_mb=mib, plain_cpu_ms=1000 * cpu / size)  # fmt: skip
            before = sink.count()
            command = [sys.executable, "-m", "digest", "send", "--config", str(toml)]
            output, wall, mib, cpu = measured(command, env)
            match = SENT.search(output)
            assert match, output
            sent, seconds = int(match[1].replace(",", "")), float(match[2])
            assert sent == size and sink.count() - before == size, output
            sample(samples, digest_rate=size / seconds, digest_wall=wall, digest_mb=mib,
                   digest_cpu_ms=1000 * cpu / size)  # fmt: skip
    medians = {name: statistics.median(values) for name, values in samples.items()}
    return {"size": size, "bytes": len(message_file.read_bytes()), **medians}


def sample(samples: dict[str, list[float]], **values: float) -> None:
    for name, value in values.items():
        samples.setdefault(name, []).append(value)


def forget(toml: Path) -> None:
    """Empty the journal, so that `digest send` sends the same issue to everyone again."""
    with closing(sqlite3.connect(toml.parent / "readers.db")) as store, store:
        store.execute("DELETE FROM deliveries")
        store.execute("DELETE FROM sends")


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--plain":
        port, count, connections = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        print(plain_loop(port, count, connections, Path(sys.argv[5]).read_bytes()))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--repeat", default="3,1", help="turns per size, e.g. 3,1")
    options = parser.parse_args()
    rows = []
    sizes = [int(text) for text in options.sizes.split(",")]
    repeats = [int(text) for text in options.repeat.split(",")]
    for size, repeat in zip(sizes, repeats + repeats[-1:] * len(sizes), strict=False):
        with tempfile.TemporaryDirectory(prefix="digest-send-bench-") as folder:
            rows.append(bench(size, options.connections, Path(folder), repeat))
        print(f"done: {size:,} subscribers", file=sys.stderr)
    print(f"connections: {options.connections}; message: {rows[0]['bytes']:,} bytes\n")
    print(
        "| subscribers | plain msg/s | digest msg/s | ratio | plain wall s | digest wall s "
        "| plain CPU ms/msg | digest CPU ms/msg | plain MiB | digest MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['size']:,} | {row['plain_rate']:,.0f} | {row['digest_rate']:,.0f} | "
            f"{row['digest_rate'] / row['plain_rate']:.2f} | {row['plain_wall']:.1f} | "
            f"{row['digest_wall']:.1f} | {row['plain_cpu_ms']:.2f} | {row['digest_cpu_ms']:.2f} "
            f"| {row['plain_mb']:.0f} | {row['digest_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
