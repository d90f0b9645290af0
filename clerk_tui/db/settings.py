"""Settings kept with the data: what a database is for, and a training database's fixed today.

Read with plain SQL on the table of the model `Setting`: the app's start reads the training
today before its first screen, without loading the models."""

from __future__ import annotations

from datetime import date

import peewee

from clerk_tui.db.database import database_proxy

PURPOSE_KEY = "purpose"
TODAY_KEY = "training_today"
TRAINING = "training"
SETTING_TABLE = "setting"


def _stored(key: str, db: peewee.Database | None = None) -> str | None:
    """The value stored under `key` in `db` (default: the database the models are bound to);
    None when there is none, no schema yet, or no database bound."""
    target = database_proxy if db is None else db
    try:
        row = target.execute_sql(f"SELECT value FROM {SETTING_TABLE} WHERE key = ?", (key,)).fetchone()
    except (peewee.PeeweeException, AttributeError):  # unbound proxy, or no schema yet
        return None
    return None if row is None else row[0]


def stored_training_today() -> date | None:
    """The training "today" a loaded scenario fixed in the bound database, or None."""
    value = _stored(TODAY_KEY)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def is_training() -> bool:
    """A database that `fixtures load` marked as a training one. Anything else is treated as
    production (the safe side: production rules apply unless a scenario made it training)."""
    return _stored(PURPOSE_KEY) == TRAINING


DATABASE_ID_KEY = "database_id"


def database_id(db: peewee.Database | None = None) -> str | None:
    """The random id given to this database when it was created: anchors of its audit trail name
    it, so a database swapped in under the same path is noticed. `db`: that database rather than
    the one the models are bound to."""
    return _stored(DATABASE_ID_KEY, db)


def ensure_database_id() -> str:
    """The id, created when missing. Run inside a write transaction."""
    import uuid

    from clerk_tui.db.models import Setting

    Setting.insert(key=DATABASE_ID_KEY, value=uuid.uuid4().hex).on_conflict_ignore().execute()
    return Setting.get(Setting.key == DATABASE_ID_KEY).value
