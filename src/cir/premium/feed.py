"""The rent-premium service's feed: register events that concern it, in order, resumable."""

from __future__ import annotations

from typing import Any

from cir.register.models import Event, EventAudience


def read_feed(after: int, limit: int) -> dict[str, Any]:
    rows = list(
        Event.objects.filter(audience=EventAudience.RENT_PREMIUM, id__gt=after)
        .order_by("id")
        .values("id", "kind", "effective_date", "payload")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    events = []
    for row in rows:
        payload = row["payload"]
        item = {
            "id": str(row["id"]),
            "soort": row["kind"],
            "datumIngang": row["effective_date"].isoformat(),
            "dossierNummer": payload.get("dossierNummer"),
            "rijksregisternummers": payload.get("rijksregisternummers", []),
            "actie": payload.get("actie", ""),
        }
        if "reden" in payload:
            item["reden"] = payload["reden"]
        events.append(item)
    return {
        "gebeurtenissen": events,
        "volgende": events[-1]["id"] if events else (str(after) if after else None),
        "meer": more,
    }
