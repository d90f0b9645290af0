"""Settings kept with the data: what a database is for, and a training database's fixed today."""

from __future__ import annotations

from datetime import date

import peewee

from clerk_tui.db.models import Setting

PURPOSE_KEY = "purpose"
TODAY_KEY = "training_today"
TRAINING = "training"


def stored_training_today() -> date | None:
    """The training "today" a loaded scenario fixed in the bound database, or None."""
    try:
        row = Setting.get_or_none(Setting.key == TODAY_KEY)
    except (peewee.PeeweeException, AttributeError):  # unbound proxy, or no schema yet
        return None
    if row is None:
        return None
    try:
        return date.fromisoformat(row.value)
    except ValueError:
        return None


def is_training() -> bool:
    """A database that `fixtures load` marked as a training one. Anything else is treated as
    production (the safe side: production rules apply unless a scenario made it training)."""
    try:
        row = Setting.get_or_none(Setting.key == PURPOSE_KEY)
    except (peewee.PeeweeException, AttributeError):  # unbound proxy, or no schema yet
        return False
    return row is not None and row.value == TRAINING
