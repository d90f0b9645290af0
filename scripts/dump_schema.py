"""Regenerate schema/schema.sql from the models (tests fail when the two drift apart)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clerk_tui.db.database import open_database  # noqa: E402
from clerk_tui.db.schema import init_schema, schema_sql  # noqa: E402


def current_schema_sql() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "schema.db")
        init_schema(db)
        try:
            return schema_sql(db)
        finally:
            db.close()


if __name__ == "__main__":
    out = ROOT / "schema" / "schema.sql"
    out.write_text(current_schema_sql(), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
