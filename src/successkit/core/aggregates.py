"""Aggregates both databases spell differently."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, TextField


class Joined(Aggregate):
    """The texts of a group joined with commas (PostgreSQL ``STRING_AGG``, SQLite
    ``GROUP_CONCAT``)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra)
