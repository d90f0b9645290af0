"""Loads trainers' scenario files (TOML, format in docs/fixtures.md and schema/fixture.schema.json):
the files named are checked together, then upserted by natural keys; then each part file they
include (`include`) is read, checked and upserted in turn, so that a load holds one part in
memory however large the scenario. Everything happens in one transaction: a problem anywhere
writes nothing.

The parts, in the order a load uses them:
  spec        the format as data: sections, fields, kinds, limits, required, descriptions
  docgen      the JSON schema and the docs' field tables, generated from spec
  reading     files to plain dicts (tomllib)
  values      one value against its field; the place of a problem (file, entry, field)
  checking    entries without the database (check_rows: any rows of plain dicts, e.g. from a CSV)
  records     what the checks keep: people, documents, the batch
  references  checks across entries and against the database (reads only)
  parts       the natural keys of the parts already loaded (a table dropped when the load ends)
  writing     upserts by natural key, and the reset of a training database
Checking and writing know nothing of TOML: an import of register data can feed them rows."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from pathlib import Path

import peewee

from clerk_tui.clock import Clock
from clerk_tui.db import schema, search
from clerk_tui.db.models import Setting
from clerk_tui.db.settings import PURPOSE_KEY, TODAY_KEY, TRAINING, stored_training_today
from clerk_tui.domain.codes import AuditKind
from clerk_tui.domain.errors import DomainError
from clerk_tui.scenarios.loader.checking import _read_files, _read_part, check_rows, forget_texts
from clerk_tui.scenarios.loader.reading import demo_fixture_files, read_toml, training_fixture_files
from clerk_tui.scenarios.loader.parts import SeenKeys
from clerk_tui.scenarios.loader.records import _Batch
from clerk_tui.scenarios.loader.references import _check_references, _in_file_order, _Resolver
from clerk_tui.scenarios.loader.report import FixtureError, FixtureLoadError, LoadReport, SectionCount
from clerk_tui.scenarios.loader.spec import FIELDS, REQUIRED, SINGLE_SECTIONS, SPEC
from clerk_tui.scenarios.loader.writing import _guard, _reset, _write
from clerk_tui.services import audit
from clerk_tui.services.context import Context

__all__ = [
    "FIELDS",
    "REQUIRED",
    "SINGLE_SECTIONS",
    "SPEC",
    "FixtureError",
    "FixtureLoadError",
    "LoadReport",
    "SectionCount",
    "check_rows",
    "demo_fixture_files",
    "load_files",
    "read_toml",
    "stored_training_today",
    "training_fixture_files",
]

# More new members than this and the per-row FTS triggers cost more than one rebuild.
_BULK_MEMBERS = 2_000
# After this many problems the parts still to come are not read (a part is read whole).
_ENOUGH_PROBLEMS = 1_000
# A bulk load touches far more index pages than the clerks' default page cache holds.
_BULK_CACHE_KIB = 64_000



def load_files(db: peewee.Database, paths: Sequence[str | Path], *, reset: bool = False,
               clerk_clock: Clock | None = None, clerk: str | None = None) -> LoadReport:
    """Check every file, then write all of them in one transaction (all or nothing). Raises
    FixtureLoadError listing every problem, or DomainError when the database may not be used."""
    ctx = Context(db=db, clock=clerk_clock or Clock())
    if clerk is not None:
        ctx.clerk = clerk
    # Millions of small objects make the cyclic collector run again and again (a quarter of the
    # time of a large load); nothing built here holds cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(db, ctx, paths, reset)
    finally:
        if gc_was_enabled:
            gc.enable()


def _load(db: peewee.Database, ctx: Context, paths: Sequence[str | Path], reset: bool) -> LoadReport:
    try:
        batch = _read_files(paths)
        if not batch.files:
            raise DomainError("読み込むファイルを指定してください。")
        large = bool(batch.parts) or len(batch.members) > _BULK_MEMBERS
        if not large:
            return ctx.write(lambda: _transaction(db, ctx, batch, reset, large))
        (old_cache,) = db.execute_sql("PRAGMA cache_size").fetchone()
        db.execute_sql(f"PRAGMA cache_size = {-_BULK_CACHE_KIB}")
        try:
            return ctx.write(lambda: _transaction(db, ctx, batch, reset, large))
        finally:
            db.execute_sql(f"PRAGMA cache_size = {int(old_cache)}")
    finally:
        forget_texts()


def _transaction(db: peewee.Database, ctx: Context, batch: _Batch, reset: bool, large: bool) -> LoadReport:
    """The files named, then each part they include, checked and written one after the other in
    the one transaction: a problem anywhere rolls back everything."""
    _guard(reset)
    bulk = reset or large
    if bulk:
        search.suspend_index(db)
    if reset:
        _reset(db)
    seen = SeenKeys(db) if batch.parts else None
    counts: dict[str, SectionCount] = {}
    parts = iter(batch.parts)
    while True:
        # Even when the files alone have problems, the references are checked against the
        # database too, so that one run reports everything; nothing is then written.
        resolver = _Resolver(db, batch, reset)
        resolver.load()
        _check_references(resolver, batch.today, batch.today or ctx.clock.today())
        if seen is not None:
            seen.check_and_add(batch)
        if batch.problems:
            batch.unwritten = True
        if not batch.unwritten:
            for section, c in _write(db, ctx, batch, resolver, reset).items():
                total = counts.setdefault(section, SectionCount())
                total.created, total.updated, total.unchanged = (
                    total.created + c.created, total.updated + c.updated, total.unchanged + c.unchanged)
        part = next(parts, None)
        if part is None:
            break
        if len(batch.problems) >= _ENOUGH_PROBLEMS:
            # Each problem keeps its entry: a scenario wrong throughout must not fill the memory.
            rest = len(batch.parts) - batch.parts.index(part)
            batch.files.append(part)
            batch.file_problem(str(part), None, f"問題が多いため、このファイルから後の {rest} 個の部品ファイルは"
                                                "点検していません。上の問題を直してから読み込み直してください。")
            break
        batch.next_part()
        _read_part(batch, part)
    if seen is not None:
        seen.close()
    if batch.problems:
        raise FixtureLoadError(_in_file_order(batch))
    # R8: a 紛失 reissue of a 資格確認書 in the files uses up the 滅失届 it followed.
    schema.link_reissues_to_loss_reports(db.cursor().execute)
    # An employer given without a 記号 gets the one most of its members have (enrolment needs it).
    schema.assign_employer_symbols(db.cursor().execute)
    if bulk:
        search.rebuild_index(db)
    Setting.insert(key=PURPOSE_KEY, value=TRAINING).on_conflict_replace().execute()
    if batch.today is not None:
        Setting.insert(key=TODAY_KEY, value=batch.today.isoformat()).on_conflict_replace().execute()
    summary_counts = {k: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
                      for k, c in counts.items()}
    audit.record(ctx, AuditKind.WRITE, "fixtures.load", summary={
        "files": [p.name for p in batch.files], "counts": summary_counts, "reset": reset,
    })
    return LoadReport(files=batch.files, today=batch.today, reset=reset, counts=counts)
