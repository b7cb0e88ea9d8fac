from __future__ import annotations

import pytest

from successkit import config


def test_the_default_install_generates_and_keeps_a_secret_key(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SUCCESSKIT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SUCCESSKIT_SECRET_KEY", raising=False)
    monkeypatch.delenv("SUCCESSKIT_PRODUCTION", raising=False)
    first = config.secret_key()
    assert len(first) >= 50
    assert config.secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_requires_a_secret_key(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SUCCESSKIT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SUCCESSKIT_SECRET_KEY", raising=False)
    monkeypatch.setenv("SUCCESSKIT_PRODUCTION", "1")
    with pytest.raises(config.ConfigurationError):
        config.secret_key()
    monkeypatch.setenv("SUCCESSKIT_SECRET_KEY", "k" * 60)
    assert config.secret_key() == "k" * 60


def test_the_default_database_is_a_sqlite_file_in_the_data_directory(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SUCCESSKIT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SUCCESSKIT_DATABASE_URL", raising=False)
    assert config.database_url() == f"sqlite:///{tmp_path / 'successkit.sqlite3'}"
    monkeypatch.setenv("SUCCESSKIT_DATABASE_URL", "postgresql://db/successkit")
    assert config.database_url() == "postgresql://db/successkit"


def test_allowed_hosts_come_from_a_comma_list(monkeypatch) -> None:
    monkeypatch.setenv("SUCCESSKIT_ALLOWED_HOSTS", "a.example, b.example,,")
    assert config.allowed_hosts() == ["a.example", "b.example"]
