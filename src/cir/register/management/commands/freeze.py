"""cir freeze add --start ISO --end ISO | list | remove ID"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cir.register.errors import InvalidInput
from cir.register.models import FreezeWindow
from cir.register.services import add_freeze_window


def _moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{text} is geen ISO-datum of -tijdstip (bv. 2023-11-17T17:00)."
        ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # Europe/Brussels, the register's time zone
    return value


class Command(BaseCommand):
    help = "Beheert freeze-periodes: add, list, remove."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        add = sub.add_parser("add", help="een freeze-periode toevoegen")
        add.add_argument("--start", required=True)
        add.add_argument("--end", required=True)
        add.add_argument("--reason", default="")
        sub.add_parser("list", help="alle freeze-periodes tonen")
        remove = sub.add_parser("remove", help="een freeze-periode verwijderen")
        remove.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "add":
            try:
                window = add_freeze_window(
                    _moment(options["start"]), _moment(options["end"]), options["reason"]
                )
            except InvalidInput as exc:
                raise CommandError(exc.detail) from None
            self.stdout.write(f"Freeze-periode {window.pk} toegevoegd: {window}")
        elif verb == "list":
            now = timezone.now()
            windows = FreezeWindow.objects.order_by("start")
            if not windows:
                self.stdout.write("Geen freeze-periodes.")
            for w in windows:
                state = (
                    "actief"
                    if w.start <= now < w.end
                    else ("voorbij" if w.end <= now else "gepland")
                )
                start, end = timezone.localtime(w.start), timezone.localtime(w.end)
                self.stdout.write(
                    f"{w.pk}\t{start.isoformat()}\t{end.isoformat()}\t{state}\t{w.reason}"
                )
        else:
            deleted, _ = FreezeWindow.objects.filter(pk=options["id"]).delete()
            if not deleted:
                raise CommandError(f"Geen freeze-periode met id {options['id']}.")
            self.stdout.write(f"Freeze-periode {options['id']} verwijderd.")
