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


DATABASE_ID_KEY = "database_id"


def database_id(db: peewee.Database | None = None) -> str | None:
    """The random id given to this database when it was created: anchors of its audit trail name
    it, so a database swapped in under the same path is noticed. `db`: that database rather than
    the one the models are bound to."""
    query = Setting.select(Setting.value).where(Setting.key == DATABASE_ID_KEY)
    try:
        return (query.bind(db) if db is not None else query).scalar()
    except (peewee.PeeweeException, AttributeError):
        return None


def ensure_database_id() -> str:
    """The id, created when missing. Run inside a write transaction."""
    import uuid

    Setting.insert(key=DATABASE_ID_KEY, value=uuid.uuid4().hex).on_conflict_ignore().execute()
    return Setting.get(Setting.key == DATABASE_ID_KEY).value
