"""The ``cir`` command: Django's management commands plus the register's own.

Our commands are spelled with dashes (``cir load-areas``); Django's module names need
underscores, so the first argument is translated.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cir.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["cir", *args])


if __name__ == "__main__":
    main()
