"""Append-only rows: the one mechanism for ledgers, histories and issued documents.

A model deriving from ``AppendOnly`` is written once and never changed nor deleted: a
correction is a new row. ``save()`` on a stored row, ``delete()``, and the queryset's
``update()`` and ``delete()`` raise ``AppendOnlyError`` — a programming error, never a
user's refusal (the services only ever add rows). Deleting a parent does not cascade into
them either: their foreign keys protect.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class AppendOnlyError(RuntimeError):
    """Code tried to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")


class AppendOnly(models.Model):
    objects: ClassVar[Any] = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} {self.pk} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} {self.pk} is append-only")
