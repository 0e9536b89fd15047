"""A real SMTP server (aiosmtpd) on 127.0.0.1 with faults to order, run as a subprocess.

    python -m tests.smtp_server OUT_DIR [--greylist] [--reject ADDR]... [--drop ADDR]...
                                [--slow SECONDS] [--sink]

It prints its port on stdout and serves until killed. Each accepted message is written to
OUT_DIR (a temporary name, then a rename) before the 250 reply goes out, as an MTA makes a
message safe before it says it has it. Faults: `--greylist` answers 451 to the first RCPT
for each address; `--reject` answers 550 to those addresses; `--drop` closes the connection
when the message's data has come in, before any reply, the first time that address is
sent to; `--slow` waits before each reply to the data. With `--sink`, messages are
only counted, in OUT_DIR/count (for benchmarks).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Faults:
    greylist: bool = False
    reject: frozenset[str] = frozenset()
    drop: frozenset[str] = frozenset()
    slow: float = 0.0
    keep: bool = True


@dataclass
class Handler:
    out: Path
    faults: Faults
    seen: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)
    count: int = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.faults.reject:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        if self.faults.greylist and address not in self.seen:
            self.seen.add(address)
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.faults.slow:
            await asyncio.sleep(self.faults.slow)
        drop = [a for a in envelope.rcpt_tos if a in self.faults.drop and a not in self.dropped]
        if drop:
            self.dropped.update(drop)
            assert isinstance(server.transport, asyncio.Transport)
            server.transport.abort()  # gone before the end-of-data reply: not delivered
            return "421 4.3.0 gone"
        self.count += 1
        if self.faults.keep:
            name = uuid.uuid4().hex
            temporary = self.out / f".{name}.tmp"
            data = envelope.original_content or b""
            temporary.write_bytes(data)
            temporary.rename(self.out / f"{name}.eml")
        else:
            (self.out / "count").write_text(str(self.count))
        return "250 2.0.0 OK queued"


async def serve(out: Path, faults: Faults) -> None:
    handler = Handler(out, faults)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="localhost", ident="test-smtp"), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--greylist", action="store_true")
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--drop", action="append", default=[])
    parser.add_argument("--slow", type=float, default=0.0)
    parser.add_argument("--sink", action="store_true", help="count messages, keep none")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    faults = Faults(
        greylist=options.greylist,
        reject=frozenset(options.reject),
        drop=frozenset(options.drop),
        slow=options.slow,
        keep=not options.sink,
    )
    asyncio.run(serve(options.out, faults))


@dataclass
class RunningServer:
    port: int
    out: Path
    process: subprocess.Popen[str]

    def messages(self) -> list[bytes]:
        return [path.read_bytes() for path in sorted(self.out.glob("*.eml"))]

    def count(self) -> int:
        path = self.out / "count"
        return int(path.read_text()) if path.exists() else 0


@contextmanager
def smtp_server(out: Path, *arguments: str) -> Iterator[RunningServer]:
    """Start the server in a subprocess, yield its port and folder, stop it after."""
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.smtp_server", str(out), *arguments],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield RunningServer(port, out, process)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


if __name__ == "__main__":
    main()
