"""Runtime configuration read from the environment.

Kept apart from ``settings.py`` so that the CLI can resolve paths (data directory,
database URL) before Django is configured.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import platformdirs

TRUE_VALUES = {"1", "true", "yes", "on"}


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in TRUE_VALUES


def data_dir() -> Path:
    """Where the default install keeps its SQLite file and its generated secret key."""
    override = os.environ.get("SUCCESSKIT_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir("successkit"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    url = os.environ.get("SUCCESSKIT_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'successkit.sqlite3'}"


def is_production() -> bool:
    return env_flag("SUCCESSKIT_PRODUCTION")


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable installation."""


def secret_key() -> str:
    """The secret key: from the environment, or generated once for the default install.

    A production install must set ``SUCCESSKIT_SECRET_KEY``: a key kept in a file next to
    the database is fine for one user's machine, not for a shared deployment.
    """
    key = os.environ.get("SUCCESSKIT_SECRET_KEY")
    if key:
        return key
    if is_production():
        raise ConfigurationError("SUCCESSKIT_SECRET_KEY is required when SUCCESSKIT_PRODUCTION=1")
    path = data_dir() / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def allowed_hosts() -> list[str]:
    raw = os.environ.get("SUCCESSKIT_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
    return [host.strip() for host in raw.split(",") if host.strip()]


def email_settings() -> dict[str, object]:
    """Django's mail settings from ``SUCCESSKIT_EMAIL_URL``.

    ``smtp://[user:pass@]host:port`` (``?starttls=1`` for STARTTLS), ``smtps://`` for
    implicit TLS, or ``console:`` (the default: mail is printed, nothing leaves the machine).
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    url = os.environ.get("SUCCESSKIT_EMAIL_URL", "console:").strip() or "console:"
    parts = urlsplit(url)
    sender = os.environ.get("SUCCESSKIT_EMAIL_FROM", "successkit <successkit@localhost>")
    common: dict[str, object] = {"DEFAULT_FROM_EMAIL": sender, "SERVER_EMAIL": sender}
    if parts.scheme == "console":
        return {**common, "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in ("smtp", "smtps"):
        raise ConfigurationError(
            f"SUCCESSKIT_EMAIL_URL must be smtp://, smtps:// or console:, not {parts.scheme}:"
        )
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[0].strip().lower() in TRUE_VALUES
    return {
        **common,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "smtp" and starttls,
        "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
    }
