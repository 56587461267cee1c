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
        folder = _input_folder(args[1:])
        # Before anything else is allocated: a large run's small objects in huge pages.
        from cir.migration.hugepages import arenas_in_huge_pages

        arenas_in_huge_pages(os.environ.get("CIR_MIGRATION_HUGE_PAGES", "auto"), folder)
        if folder is not None:
            _start_migration_helper(folder)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cir", *args])


def _input_folder(arguments: list[str]) -> Path | None:
    """The argument of ``cir migrate-legacy`` that is an input folder (one with a population
    extract); any other argument is left to the command, which reports what is wrong."""
    for argument in arguments:
        if not argument.startswith("-") and (Path(argument) / "population.jsonl").is_file():
            return Path(argument)
    return None


def _start_migration_helper(folder: Path) -> None:
    """``cir migrate-legacy DIR``: start the migration's helper process for DIR before Django
    starts; see :func:`~cir.domain.migration.helper.start_early`."""
    from cir.domain.migration.helper import start_early

    start_early(folder)


if __name__ == "__main__":
    main()
