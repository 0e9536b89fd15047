"""`digest subscribers …`: the SQLite store, CSV import and export, and signed tokens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.send.tokens import make_token, verify_token

SECRET = "a-test-secret-that-is-long-enough"


@pytest.fixture
def toml(tmp_path: Path) -> Path:
    path = tmp_path / "digest.toml"
    path.write_text('[send]\nsubscribers = "data/readers.db"\n', encoding="utf-8")
    return path


def run(toml: Path, *args: str, secret: str | None = SECRET) -> tuple[int, str, str]:
    env = {"DIGEST_SECRET": secret} if secret is not None else {"DIGEST_SECRET": ""}
    result = CliRunner().invoke(cli, ["subscribers", *args, "--config", str(toml)], env=env)
    return result.exit_code, result.stdout, result.stderr


def listing(toml: Path, *args: str) -> list[str]:
    code, out, err = run(toml, "list", *args)
    assert code == 0, err
    return out.splitlines()


def test_add_folds_the_domain_keeps_the_local_part_and_creates_a_wal_file(
    toml: Path, tmp_path: Path
) -> None:
    code, out, _ = run(toml, "add", "Jane.Doe@News.EXAMPLE.org", "--sections", "World, Sport")
    assert code == 0
    assert out == "digest: Jane.Doe@news.example.org added\n"
    assert listing(toml) == ["Jane.Doe@news.example.org\tactive\tWorld, Sport"]
    database = tmp_path / "data" / "readers.db"  # relative to digest.toml
    mode = sqlite3.connect(database).execute("PRAGMA journal_mode").fetchone()
    assert mode == ("wal",)
    code, out, _ = run(toml, "add", "jane.doe@news.example.org")  # another local part
    assert code == 0
    assert len(listing(toml)) == 2


def test_add_refuses_a_bad_address_with_the_validators_reason(toml: Path) -> None:
    code, _, err = run(toml, "add", "nobody@localhost")
    assert code == 2
    assert "'nobody@localhost' is not an email address" in err


def test_add_again_changes_sections_but_never_brings_back_a_leaver(toml: Path) -> None:
    assert run(toml, "add", "a@example.org")[0] == 0
    code, out, _ = run(toml, "add", "a@example.org", "--sections", "Sport")
    assert (code, out) == (0, "digest: a@example.org updated\n")
    assert run(toml, "remove", "a@EXAMPLE.ORG")[:2] == (0, "digest: a@example.org unsubscribed\n")
    code, _, err = run(toml, "add", "a@example.org")
    assert code == 1
    assert "is unsubscribed; not re-activated (pass --reactivate" in err
    assert listing(toml) == ["a@example.org\tunsubscribed\tSport"]
    assert run(toml, "add", "a@example.org", "--reactivate")[0] == 0
    assert listing(toml) == ["a@example.org\tactive\tSport"]


CSV = """email,Name,sections,status
ann@example.org,Ann,World;Sport,
not-an-address,,,
"bob@example.org","Bob, ""the builder""
Smith",,unsubscribed
cy@example.org,Cy,,sleeping
ann@Example.ORG,Ann B,Culture,
dee@example.org,Dee,,,extra
"""


def test_import_reports_every_bad_line_and_imports_the_rest(toml: Path, tmp_path: Path) -> None:
    source = tmp_path / "readers.csv"
    source.write_text(CSV, encoding="utf-8")
    code, out, err = run(toml, "import", str(source))
    assert code == 0
    assert err.splitlines() == [
        f"{source}:3: 'not-an-address' is not an email address: An email address must have "
        "an @-sign. (line skipped)",
        f"{source}:6: status 'sleeping' is not one of active, unsubscribed, bounced "
        "(line skipped)",  # the quoted name above spans lines 4 and 5
        f"{source}:8: 5 cells, but the header names 4 columns (line skipped)",
    ]
    assert out == (
        f"digest: {source}: 2 added, 0 updated, 0 unchanged, 1 repeated line merged, "
        "3 lines skipped\n"
    )
    assert listing(toml) == [
        "ann@example.org\tactive\tCulture",  # a later line for the same address wins
        "bob@example.org\tunsubscribed\tall",
    ]


def test_import_is_idempotent_and_keeps_leavers_unless_told(toml: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text("email,status\nann@example.org,\nbob@example.org,bounced\n", "utf-8")
    assert run(toml, "import", str(first))[0] == 0
    before = run(toml, "export")[1]
    code, out, _ = run(toml, "import", str(first))
    assert out.endswith(": 0 added, 0 updated, 2 unchanged, 0 lines skipped\n")
    assert run(toml, "export")[1] == before
    again = tmp_path / "again.csv"
    again.write_text("email\nbob@example.org\n", "utf-8")
    code, out, _ = run(toml, "import", str(again))
    assert code == 0
    assert "1 left or bounced and kept so (see --reactivate)" in out
    assert "bob@example.org\tbounced\tall" in listing(toml)
    code, out, _ = run(toml, "import", str(again), "--reactivate")
    assert (code, "1 updated" in out) == (0, True)
    assert "bob@example.org\tactive\tall" in listing(toml)


def test_import_without_an_email_column_is_an_error_naming_the_header(
    toml: Path, tmp_path: Path
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("address,name\nann@example.org,Ann\n", "utf-8")
    code, _, err = run(toml, "import", str(source))
    assert code == 1
    assert f"{source}:1: unknown column 'address'; the first line names the columns" in err


def test_export_reads_back_to_the_same_list(toml: Path, tmp_path: Path) -> None:
    run(toml, "add", "ann@example.org", "--name", 'Ann; "A"', "--sections", "World,Sport")
    run(toml, "add", "bob@example.org")
    run(toml, "remove", "bob@example.org")
    exported = run(toml, "export")[1]
    assert exported.splitlines()[0] == "email,name,sections,status"
    copy = tmp_path / "copy.csv"
    copy.write_text(exported, "utf-8")
    other = tmp_path / "other.toml"
    other.write_text('[send]\nsubscribers = "other.db"\n', "utf-8")
    assert run(other, "import", str(copy))[0] == 0
    assert run(other, "export")[1] == exported


def test_remove_by_token(toml: Path) -> None:
    run(toml, "add", "ann@example.org")
    token = make_token("ann@example.org", secret=SECRET.encode(), list_id="digest.example.org")
    removed = run(toml, "remove", "--token", token)
    assert removed[:2] == (0, "digest: ann@example.org unsubscribed\n")
    other_list = make_token("ann@example.org", secret=SECRET.encode(), list_id="other.example")
    code, _, err = run(toml, "remove", "--token", other_list)
    assert (code, err) == (1, "digest: the token is not valid for this list\n")
    code, _, err = run(toml, "remove", "--token", token, secret=None)
    assert code == 2
    assert "DIGEST_SECRET is not set" in err
    assert run(toml, "remove")[0] == 2
    assert run(toml, "remove", "nobody@example.org")[:1] == (1,)


def test_tokens_verify_only_for_their_address_list_purpose_and_secret() -> None:
    key = SECRET.encode()
    token = make_token("ann@example.org", secret=key, list_id="l")
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert verify_token(token, secret=key, list_id="l") == "ann@example.org"
    assert verify_token(token, secret=b"another-secret-entirely", list_id="l") is None
    assert verify_token(token, secret=key, list_id="m") is None
    assert verify_token(token, secret=key, list_id="l", purpose="confirm") is None
    forged = make_token("bob@example.org", secret=key, list_id="l").split(".")[0]
    assert verify_token(forged + "." + token.split(".")[1], secret=key, list_id="l") is None
    for garbage in ("", ".", "!!!.???", "a" * 10, token + "x"):
        assert verify_token(garbage, secret=key, list_id="l") is None
