"""Django's SQLite backend, with each statement's placeholders converted once.

Django writes SQL with ``%s`` placeholders and its SQLite cursor rewrites them to ``?``
with a regular expression on every execution: 30 µs for the entitlements read's statement,
more than SQLite takes to answer it. The SQL of a request is the same text from one
request to the next (the values travel apart), so the rewritten text is kept, per
statement, in a bounded table shared by the process's connections.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base

# Distinct statements are a few hundred (the code's queries); the table is emptied
# whenever it reaches this size, so an unusual stream of one-off SQL cannot grow it.
_CONVERTED_LIMIT = 2048
_converted: dict[str, str] = {}


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is not None:
            return str(super().convert_query(query, param_names=param_names))
        converted = _converted.get(query)
        if converted is None:
            converted = str(super().convert_query(query))
            if len(_converted) >= _CONVERTED_LIMIT:
                _converted.clear()
            _converted[query] = converted
        return converted


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)
