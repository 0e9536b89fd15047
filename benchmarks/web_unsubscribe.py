"""One-click unsubscribes per second through `digest serve`, with a large subscribers file.

    python benchmarks/web_unsubscribe.py [--subscribers 100000] [--requests 5000]
                                         [--clients 8] [--warmup 200]

A subscribers file with N active subscribers is written (one transaction of plain INSERTs),
then `digest serve` runs as a process of its own on a free port of 127.0.0.1 (waitress,
as a newsroom runs it). Clients, each a thread with a keep-alive HTTP/1.1 connection, post
RFC 8058 one-click unsubscribes (`POST /unsubscribe?token=…`, body
`List-Unsubscribe=One-Click`) for distinct subscribers, as fast as the server answers.
Printed: requests per second over the timed requests, latency at the median, 99th and
99.9th percentile (from sending the request to reading the whole answer), and a check
that every one was answered 200 and is unsubscribed in the file. The clients share the
machine's cores with the server, so the figures are a floor. Nothing touches the network.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.send.subscribers import connect  # noqa: E402
from digest.send.tokens import make_token  # noqa: E402

SECRET = "benchmark-secret-0123456789abcdef"
LIST_ID = "digest.news.example.org"
BODY = b"List-Unsubscribe=One-Click"


def subscribers_file(path: Path, count: int) -> list[str]:
    """`count` active subscribers in a new file at `path`; their addresses."""
    addresses = [f"reader{number:06d}@example.org" for number in range(count)]
    connect(path).close()  # the schema, as digest makes it
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO subscribers (address, status, created, updated) "
            "VALUES (?, 'active', '2026-11-27T06:00:00+00:00', '2026-11-27T06:00:00+00:00')",
            ((address,) for address in addresses),
        )
    return addresses


def start_server(folder: Path) -> tuple[subprocess.Popen[str], int]:
    """`digest serve --port 0` in `folder`; the process and the port it listens on."""
    process = subprocess.Popen(
        [sys.executable, "-m", "digest", "serve", "--port", "0"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "DIGEST_SECRET": SECRET, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        process.kill()
        raise SystemExit(f"digest serve did not start: {line!r}")
    return process, int(found[1])


def client(port: int, tokens: list[str], latencies: list[float], statuses: list[int]) -> None:
    """Post one one-click unsubscribe per token over one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    for token in tokens:
        started = time.perf_counter()
        connection.request("POST", f"/unsubscribe?token={token}", BODY, headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        statuses.append(response.status)
    connection.close()


def run(port: int, tokens: list[str], clients: int) -> tuple[float, list[float], list[int]]:
    """All `tokens` over `clients` connections; seconds, latencies and statuses."""
    latencies: list[float] = []
    statuses: list[int] = []
    shares = [tokens[number::clients] for number in range(clients)]
    threads = [
        threading.Thread(target=client, args=(port, share, latencies, statuses)) for share in shares
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, statuses


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-web-bench-") as name:
        folder = Path(name)
        started = time.perf_counter()
        addresses = subscribers_file(folder / "subscribers.db", options.subscribers)
        (folder / "digest.toml").write_text(f'[send]\nlist_id = "{LIST_ID}"\n', encoding="utf-8")
        print(
            f"{options.subscribers:,} subscribers written in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        count = options.warmup + options.requests
        secret = SECRET.encode()
        tokens = [make_token(a, secret=secret, list_id=LIST_ID) for a in addresses[:count]]
        process, port = start_server(folder)
        try:
            run(port, tokens[: options.warmup], options.clients)
            seconds, latencies, statuses = run(port, tokens[options.warmup :], options.clients)
        finally:
            process.terminate()
            process.wait(timeout=30)
        with sqlite3.connect(folder / "subscribers.db") as db:
            (left,) = db.execute(
                "SELECT count(*) FROM subscribers WHERE status = 'unsubscribed'"
            ).fetchone()
    ok = statuses.count(200)
    print("| subscribers | requests | clients | per second | p50 ms | p99 ms | p99.9 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {options.subscribers:,} | {len(latencies):,} | {options.clients} "
        f"| {len(latencies) / seconds:,.0f} "
        f"| {1000 * statistics.median(latencies):.1f} "
        f"| {1000 * percentile(latencies, 0.99):.1f} "
        f"| {1000 * percentile(latencies, 0.999):.1f} |"
    )
    print(
        f"answered 200: {ok:,} of {len(statuses):,}; "
        f"unsubscribed in the file: {left:,} of {count:,}"
    )
    if ok != len(statuses) or left != count:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
