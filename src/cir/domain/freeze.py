"""Freeze windows (rules.md section 6): periods in which no change is processed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FreezeWindow:
    """Freeze-periode: ``start`` inclusive, ``end`` exclusive, both timezone-aware."""

    id: int | None
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("het einde van een freeze-periode moet na het begin liggen")

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def window_at(windows: Iterable[FreezeWindow], moment: datetime) -> FreezeWindow | None:
    """The window covering ``moment``; of overlapping windows the one that ends last, since
    that is when changes are processed again."""
    covering = [window for window in windows if window.covers(moment)]
    return max(covering, key=lambda window: window.end) if covering else None
