"""One-file backups that restore into an empty SQLite or PostgreSQL database.

The file is a zip: ``manifest.json`` (format, when, the migrations applied, row counts),
one ``tables/<app_label.model>.jsonl`` per table (first line the column names, then one
JSON array per row, values as Django's JSON encoder writes them) and ``media/...`` (the
uploaded files). Neutral JSON rather than a database dump, so a SQLite backup loads into
PostgreSQL and the other way round.

Consistent at one instant while the server keeps serving:
- SQLite: the online backup API copies the database (WAL: readers and writers go on) into
  a temporary file, which is then read at leisure.
- PostgreSQL: every table is read inside one ``REPEATABLE READ READ ONLY`` transaction,
  one snapshot of the whole database that blocks no writer.
Uploaded files are copied after the snapshot, so every file a row names is there.

Restore brings the schema up to date (it must be the migrations of the backup: restore
with the version of successkit that wrote it, then upgrade), refuses a database that
holds any data, then inserts every row as stored (ids, times and token digests included,
so API tokens keep working) in one transaction and moves the id sequences past them.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "successkit-backup/1"
BATCH = 2000
SNAPSHOT_ALIAS = "successkit_backup_snapshot"
# Apps whose rows ``migrate`` itself writes into a new database (content types,
# permissions, the first catalog version): a database holding only those
# is empty; they are replaced by the backup's own rows (same ids).
PREFILLED_APPS = frozenset({"contenttypes", "auth", "catalog"})


class BackupError(Exception):
    """The file or the target database cannot be used; the message says why."""


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int
    files: int
    seconds: float


def every_model() -> list[type[models.Model]]:
    """Every table Django manages (many-to-many tables included), in a stable order."""
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    return sorted(found, key=lambda model: model._meta.label_lower)


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.local_concrete_fields)


# --- backup -----------------------------------------------------------------------------


@contextmanager
def _snapshot(alias: str = "default") -> Iterator[str]:
    """A database alias whose reads all see one instant of ``alias``."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="successkit-backup-") as folder:
            copy = Path(folder) / "snapshot.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(copy)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            config = dict(connections.settings[alias])
            config.update(NAME=str(copy), OPTIONS={}, CONN_MAX_AGE=0, TEST={})
            connections.settings[SNAPSHOT_ALIAS] = config
            try:
                yield SNAPSHOT_ALIAS
            finally:
                connections[SNAPSHOT_ALIAS].close()
                del connections[SNAPSHOT_ALIAS]
                del connections.settings[SNAPSHOT_ALIAS]
    else:
        with transaction.atomic(using=alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield alias


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def backup(path: Path, progress: Callable[[str], None] = lambda message: None) -> Summary:
    started = time.monotonic()
    temporary = path.with_name(path.name + ".partial")
    rows_total = 0
    counts: dict[str, int] = {}
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with _snapshot() as alias:
            applied = sorted(
                f"{app}.{name}"
                for app, name in MigrationRecorder.Migration.objects.using(alias).values_list(
                    "app", "name"
                )
            )
            for model in every_model():
                label = model._meta.label_lower
                fields = _columns(model)
                rows = 0
                with archive.open(f"tables/{label}.jsonl", "w") as member:
                    member.write(_line([field.attname for field in fields]))
                    queryset = (
                        model._base_manager.using(alias)
                        .order_by("pk")
                        .values_list(*[field.attname for field in fields])
                    )
                    for row in queryset.iterator(chunk_size=BATCH):
                        member.write(_line(list(row)))
                        rows += 1
                counts[label] = rows
                rows_total += rows
                progress(f"{label}: {rows} rows")
        files = _media_files()
        root = Path(settings.MEDIA_ROOT)
        for file in files:
            archive.write(file, f"media/{file.relative_to(root).as_posix()}")
        progress(f"uploaded files: {len(files)}")
        manifest = {
            "format": FORMAT,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "source": connections["default"].vendor,
            "migrations": applied,
            "tables": counts,
            "files": len(files),
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
    temporary.replace(path)
    return Summary(len(counts), rows_total, len(files), time.monotonic() - started)


def _line(values: list[Any]) -> bytes:
    return (json.dumps(values, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n").encode()


# --- restore ----------------------------------------------------------------------------


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError):
        raise BackupError("not a successkit backup (no manifest)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return dict(manifest)


def _holds_data(alias: str) -> list[str]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [
        model._meta.label_lower
        for model in every_model()
        if (model._meta.app_label not in PREFILLED_APPS or model is user_model)
        and model._base_manager.using(alias).exists()
    ]


def restore(path: Path, progress: Callable[[str], None] = lambda message: None) -> Summary:
    started = time.monotonic()
    alias = "default"
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"cannot read {path}: {error}") from None
    with archive:
        manifest = _manifest(archive)
        call_command("migrate", interactive=False, verbosity=0)
        applied = sorted(
            f"{app}.{name}"
            for app, name in MigrationRecorder.Migration.objects.values_list("app", "name")
        )
        if applied != manifest["migrations"]:
            missing = sorted(set(manifest["migrations"]) - set(applied))
            extra = sorted(set(applied) - set(manifest["migrations"]))
            raise BackupError(
                "the backup was written by another version of successkit "
                f"(migrations only in the backup: {missing or 'none'}; only here: "
                f"{extra or 'none'}); restore it with that version, then upgrade"
            )
        occupied = _holds_data(alias)
        if occupied:
            raise BackupError(
                "the target database is not empty (rows in "
                + ", ".join(occupied[:5])
                + "); restore into a new database"
            )
        models_by_label = {model._meta.label_lower: model for model in every_model()}
        connection = connections[alias]
        rows_total = 0
        tables = 0
        with transaction.atomic(using=alias):
            # Foreign keys are checked at commit (Django declares them deferrable), so the
            # tables load in any order.
            with connection.cursor() as cursor:
                for model in models_by_label.values():
                    cursor.execute(
                        f"DELETE FROM {connection.ops.quote_name(str(model._meta.db_table))}"
                    )
            for label in sorted(manifest["tables"]):
                found = models_by_label.get(label)
                if found is None:
                    raise BackupError(f"the backup has a table this version does not: {label}")
                rows = _load_table(archive, label, found, alias)
                rows_total += rows
                tables += 1
                progress(f"{label}: {rows} rows")
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(
                    no_style(), list(models_by_label.values())
                ):
                    cursor.execute(statement)
        ContentType.objects.clear_cache()
        files = _restore_media(archive)
        progress(f"uploaded files: {files}")
    return Summary(tables, rows_total, files, time.monotonic() - started)


def _load_table(archive: zipfile.ZipFile, label: str, model: type[models.Model], alias: str) -> int:
    connection = connections[alias]
    by_name = {field.attname: field for field in _columns(model)}
    with archive.open(f"tables/{label}.jsonl") as member:
        lines = iter(member)
        names: list[str] = json.loads(next(lines))
        unknown = [name for name in names if name not in by_name]
        if unknown or set(names) != set(by_name):
            raise BackupError(f"{label}: columns differ from this version ({unknown or names})")
        fields = [by_name[name] for name in names]
        table = connection.ops.quote_name(str(model._meta.db_table))
        columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        count = 0
        batch: list[list[Any]] = []
        with connection.cursor() as cursor:
            for raw in lines:
                values = json.loads(raw)
                batch.append(
                    [
                        field.get_db_prep_save(_python(field, value), connection)
                        for field, value in zip(fields, values, strict=True)
                    ]
                )
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def _python(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def _restore_media(archive: zipfile.ZipFile) -> int:
    root = Path(settings.MEDIA_ROOT).resolve()
    count = 0
    for info in archive.infolist():
        if not info.filename.startswith("media/") or info.is_dir():
            continue
        target = (root / info.filename[len("media/") :]).resolve()
        if root not in target.parents:
            raise BackupError(f"unsafe file name in the backup: {info.filename}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
        count += 1
    return count
