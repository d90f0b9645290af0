"""Regenerate schema/fixture.schema.json and the field tables of docs/fixtures.md from the
scenario loader's specification (clerk_tui/scenarios/loader/spec.py). With --check, write nothing
and exit 1 when either file differs from what the specification gives (tests do the same)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clerk_tui.scenarios.loader import docgen  # noqa: E402


def expected() -> dict[Path, str]:
    docs = ROOT / docgen.DOCS_PATH
    return {
        ROOT / docgen.SCHEMA_PATH: docgen.schema_text(),
        docs: docgen.docs_with_tables(docs.read_text(encoding="utf-8")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report files that drifted")
    args = parser.parse_args(argv)
    drifted = 0
    for path, text in expected().items():
        if path.read_text(encoding="utf-8") == text:
            continue
        drifted += 1
        if args.check:
            print(f"{path.relative_to(ROOT)} differs from the specification; run scripts/gen_fixture_docs.py")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 1 if args.check and drifted else 0


if __name__ == "__main__":
    sys.exit(main())
