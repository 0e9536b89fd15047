"""`digest send` against a plain smtplib loop, to the same local SMTP sink, in one run.

    python benchmarks/send_throughput.py [--sizes 2000,20000] [--connections 2]

For each size: a newsroom is built with N subscribers (all sections, so every message is
the whole digest), and a sink (tests/smtp_server.py --sink: aiosmtpd on 127.0.0.1, counting
messages) is started. Then, in turn, a plain loop sends one pre-built message (the same
digest, personalised once) N times over the same number of smtplib connections, one
thread each, and `digest send` sends the issue with its journal. Both run as processes of
their own; the table gives messages per second of the sending (the plain loop's own timing;
`digest send`'s "this run sent N in S s", which includes the journal's setup), the whole
process's wall time, and peak RSS (`wait4`'s ru_maxrss). Nothing touches the network.
"""

from __future__ import annotations

import argparse
import os
import re
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
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


def measured(command: list[str], env: dict[str, str]) -> tuple[str, float, int]:
    """Run `command`; its output, wall seconds and peak RSS in MiB."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0,):
        raise SystemExit(f"{command} exited {process.returncode}:\n{output}")
    return output, time.monotonic() - started, usage.ru_maxrss // 1024


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


def bench(size: int, connections: int, folder: Path) -> dict[str, float]:
    env = {**os.environ, "DIGEST_SECRET": SECRET, "PYTHONPATH": str(ROOT)}
    with smtp_server(folder / "sink", "--sink") as sink:
        toml = newsroom(
            folder / "newsroom", subscribers=size, port=sink.port, connections=connections,
            choices=((),),
        )  # fmt: skip
        message_file = folder / "message.eml"
        message_file.write_bytes(one_message(toml))
        plain_command = [sys.executable, __file__, "--plain", str(sink.port), str(size)]
        plain_command += [str(connections), str(message_file)]
        output, plain_wall, plain_mb = measured(plain_command, env)
        plain_seconds = float(output.split()[-1])
        before = sink.count()
        command = [sys.executable, "-m", "digest", "send", "--config", str(toml)]
        output, digest_wall, digest_mb = measured(command, env)
        match = SENT.search(output)
        assert match, output
        sent, digest_seconds = int(match[1].replace(",", "")), float(match[2])
        assert sent == size and sink.count() - before == size, output
    return {
        "size": size,
        "bytes": len(message_file.read_bytes()),
        "plain_rate": size / plain_seconds,
        "plain_wall": plain_wall,
        "plain_mb": plain_mb,
        "digest_rate": size / digest_seconds,
        "digest_wall": digest_wall,
        "digest_mb": digest_mb,
    }


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--plain":
        port, count, connections = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        print(plain_loop(port, count, connections, Path(sys.argv[5]).read_bytes()))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--connections", type=int, default=2)
    options = parser.parse_args()
    rows = []
    for size in (int(text) for text in options.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="digest-send-bench-") as folder:
            rows.append(bench(size, options.connections, Path(folder)))
        print(f"done: {size:,} subscribers", file=sys.stderr)
    print(f"connections: {options.connections}; message: {rows[0]['bytes']:,} bytes\n")
    print(
        "| subscribers | plain msg/s | digest msg/s | ratio | plain wall s | digest wall s "
        "| plain MiB | digest MiB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['size']:,} | {row['plain_rate']:,.0f} | {row['digest_rate']:,.0f} | "
            f"{row['digest_rate'] / row['plain_rate']:.2f} | {row['plain_wall']:.1f} | "
            f"{row['digest_wall']:.1f} | {row['plain_mb']} | {row['digest_mb']} |"
        )


if __name__ == "__main__":
    main()
