"""The ``cir`` command: Django's management commands plus the register's own.

Our commands are spelled with dashes (``cir load-areas``); Django's module names need
underscores, so the first argument is translated.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cir.settings")
    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    if args and args[0] == "migrate_legacy":
        # Before anything else is allocated: the whole run's small objects in huge pages.
        from cir.migration.hugepages import arenas_in_huge_pages

        arenas_in_huge_pages(os.environ.get("CIR_MIGRATION_HUGE_PAGES", "auto"))
        _start_migration_helper(args[1:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cir", *args])


def _start_migration_helper(arguments: list[str]) -> None:
    """``cir migrate-legacy DIR``: start the migration's helper process for DIR (the argument
    that is an input folder) before Django starts; see :func:`~cir.domain.migration.helper.
    start_early`. Any other argument is left to the command, which reports what is wrong."""
    from cir.domain.migration.helper import start_early

    for argument in arguments:
        if not argument.startswith("-") and (Path(argument) / "population.jsonl").is_file():
            start_early(Path(argument))
            return


if __name__ == "__main__":
    main()
