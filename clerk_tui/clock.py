"""The injected clock. Rules take dates as arguments; the clock decides what "today" is, so tests
and training can fix it (`--today`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone


@dataclass(frozen=True)
class Clock:
    fixed_today: date | None = None

    @property
    def is_fixed(self) -> bool:
        return self.fixed_today is not None

    def today(self) -> date:
        # Japan has no DST and the society works in JST; the machine's local date is JST.
        return self.fixed_today or date.today()

    def now(self) -> datetime:
        """Real time for the audit trail, also when training fixes the business date."""
        return datetime.now(timezone.utc).astimezone()
