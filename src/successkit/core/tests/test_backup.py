"""``successkit backup`` / ``restore`` across databases: SQLite -> PostgreSQL -> SQLite,
with the ledger agreeing, uploaded files back and an old API token still working.

The commands run as the operator runs them (subprocesses), each side with its own data
directory. Needs the PostgreSQL of the suite (``SUCCESSKIT_TEST_POSTGRES``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import psycopg
import pytest
from django.db import connection

PG_BASE = os.environ.get("SUCCESSKIT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
ADMIN = "admin@demo.successkit.test"


def successkit(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "successkit.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result.stdout


def shell(env: dict[str, str], code: str) -> str:
    lines = successkit(env, "shell", "-v", "0", "-c", code).strip().splitlines()
    return lines[-1] if lines else ""


def side(tmp_path: Path, name: str, url: str) -> dict[str, str]:
    data = tmp_path / name
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUCCESSKIT_")}
    env.update(SUCCESSKIT_DATA_DIR=str(data), SUCCESSKIT_DATABASE_URL=url)
    return env


@pytest.fixture
def postgres_database():
    try:
        admin = psycopg.connect(f"{PG_BASE}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL for the cross-database round trip")
    name = f"successkit_backup_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_BASE}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the round trip makes its own databases; run it once"
)
def test_a_backup_round_trips_sqlite_to_postgresql_and_back(tmp_path, postgres_database) -> None:
    source = side(tmp_path, "source", f"sqlite:///{tmp_path / 'source.sqlite3'}")
    successkit(source, "migrate", "-v0")
    successkit(source, "demo")
    material = Path(source["SUCCESSKIT_DATA_DIR"]) / "media" / "materials" / "deck.pdf"
    material.parent.mkdir(parents=True)
    material.write_bytes(b"%PDF-1.4 the deck")
    token = shell(
        source,
        "from successkit.accounts.models import User; "
        "from successkit.accounts.services import issue_token; "
        f"print(issue_token(User.objects.get(email='{ADMIN}')))",
    )
    first = tmp_path / "first.zip"
    successkit(source, "backup", str(first))
    counts = json.loads(zipfile.ZipFile(first).read("manifest.json"))["tables"]
    assert counts["accounts.user"] > 0 and counts["engagements.poolentry"] > 0

    postgres = side(tmp_path, "postgres", postgres_database)
    successkit(postgres, "restore", str(first))
    assert "agree" in successkit(postgres, "check_ledger")
    who = "from successkit.accounts.services import user_for_token; "
    assert shell(postgres, who + f"print(user_for_token('{token}').email)") == ADMIN
    restored = Path(postgres["SUCCESSKIT_DATA_DIR"]) / "media" / "materials" / "deck.pdf"
    assert restored.read_bytes() == b"%PDF-1.4 the deck"
    # A restored database keeps taking writes (its id sequences moved past the rows).
    shell(
        postgres,
        "from successkit.accounts.models import Organization; "
        "Organization.objects.create(name='After', country='ES', timezone='UTC', language='en')",
    )

    second = tmp_path / "second.zip"
    successkit(postgres, "backup", str(second))
    back = side(tmp_path, "back", f"sqlite:///{tmp_path / 'back.sqlite3'}")
    successkit(back, "restore", str(second))
    assert "agree" in successkit(back, "check_ledger")
    assert shell(back, who + f"print(user_for_token('{token}').email)") == ADMIN
    again = json.loads(zipfile.ZipFile(second).read("manifest.json"))["tables"]
    added = ("accounts.organization", "accounts.historicalorganization")
    assert [again[label] - counts[label] for label in added] == [1, 1]
    assert {k: v for k, v in again.items() if k not in added} == {
        k: v for k, v in counts.items() if k not in added
    }


def test_restore_refuses_a_database_that_holds_data(tmp_path) -> None:
    source = side(tmp_path, "source", f"sqlite:///{tmp_path / 'source.sqlite3'}")
    successkit(source, "migrate", "-v0")
    successkit(
        source,
        "createuser",
        "--email",
        "a@b.test",
        "--password",
        "pass-word-long",
        "--role",
        "admin",
    )
    file = tmp_path / "b.zip"
    successkit(source, "backup", str(file))
    result = subprocess.run(
        [sys.executable, "-m", "successkit.cli", "restore", str(file)],
        env=source,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0
    assert "not empty" in result.stderr
