"""The issue as the build made it, kept for `digest send`: `.digest/cache/issue.pickle`.

`digest send` renders the digest again for each distinct set of sections its subscribers
chose, so it needs the issue's stories, not only the finished files. The build keeps them
here (a private file, written atomically beside the state); `load_issue` reads them back
with an unpickler that builds only our own dataclasses, so a tampered file runs no code.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from digest.errors import DigestError
from digest.incremental.safe_pickle import READ_ERRORS, IssueUnpickler
from digest.models import IssueRecord, Section

ISSUE_FILE = ".digest/cache/issue.pickle"
FORMAT = 2
"""Bumped when what the file holds changes shape (2: `Location` keeps a folder and a name)."""


class IssueUnavailable(DigestError):
    """There is no issue to send, or its stories are not where the build keeps them."""


def issue_bytes(issue: IssueRecord, sections: Sequence[Section]) -> bytes:
    """What `load_issue` reads back: the issue record and its sections."""
    return pickle.dumps((FORMAT, issue, tuple(sections)), protocol=pickle.HIGHEST_PROTOCOL)


def load_issue(out_dir: Path) -> tuple[IssueRecord, tuple[Section, ...]]:
    """The issue last built into `out_dir` and its sections."""
    path = out_dir / ISSUE_FILE
    try:
        with path.open("rb") as stream:
            loaded: Any = IssueUnpickler(stream).load()
        version, issue, sections = loaded
    except FileNotFoundError:
        raise IssueUnavailable(
            f"{path}: no issue to send; run `digest build` first (with --out {out_dir})"
        ) from None
    except READ_ERRORS as error:
        raise IssueUnavailable(
            f"{path}: cannot read the issue ({error}); run `digest build` again"
        ) from error
    if version != FORMAT or not isinstance(issue, IssueRecord):
        raise IssueUnavailable(f"{path}: written by another version; run `digest build` again")
    return issue, tuple(sections)
