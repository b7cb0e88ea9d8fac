"""The ``successkit`` command: Django's management commands with successkit's settings.

``successkit serve``, ``successkit createuser`` and ``successkit demo`` are management
commands of their own apps; anything else (``migrate``, ``shell``, ``check``…) passes
through to Django.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "successkit.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["successkit", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
