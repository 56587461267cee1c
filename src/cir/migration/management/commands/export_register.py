"""cir export-register [--output FILE]: the register as JSON Lines (register-dossier.schema)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cir.migration.export import export_lines


class Command(BaseCommand):
    help = "Schrijft het register als JSON Lines, gesorteerd op dossiernummer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        out = options["output"].open("wb") if options["output"] else sys.stdout.buffer
        try:
            count = 0
            for line in export_lines():
                out.write(line)
                count += 1
        except BrokenPipeError:
            # The reader stopped (`cir export-register | head`): nothing is wrong. Standard
            # output goes nowhere from now on, so that closing it at exit cannot fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        finally:
            if options["output"]:
                out.close()
        if options["output"]:
            self.stderr.write(f"{count} dossiers geschreven naar {options['output']}.")
