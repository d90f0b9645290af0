"""The clerk actions that look up entries of the audit log (which only grows: every write and
every printed document adds to it, for years) search its (table_name, record_id, action) index
and never read the whole log."""

from __future__ import annotations

import re
from datetime import date

from clerk_tui.db.models import Employer
from clerk_tui.domain.codes import AuditKind, CardStatus, DependentRemovalReason, Relationship, WithdrawalReason
from clerk_tui.services import audit
from clerk_tui.services.batch import batch_certificates, unprinted_batch_keys
from clerk_tui.services.withdrawal import cancel_loss, record_withdrawal, remove_dependent
from tests.factories import make_employer, make_member
from tests.test_printing import _member, pctx  # noqa: F401 - pctx is a fixture


def _audit_lookups(db, action) -> list[tuple[str, object]]:
    """The statements that `action()` runs to look entries of audit_entry up (a WHERE on it)."""
    statements = []
    original = db.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        statements.append((sql, params))
        return original(sql, params, *args, **kwargs)

    db.execute_sql = spy
    try:
        action()
    finally:
        db.execute_sql = original
    return [(sql, params) for sql, params in statements
            if re.search(r'FROM "?audit_entry"?\b.*\bWHERE\b', sql, re.S)
            and not sql.lstrip().upper().startswith("INSERT")]


def _scans_of_the_log(db, sql, params) -> tuple[list[str], list[str]]:
    """The plan's full reads of audit_entry, and the whole plan."""
    aliases = {"audit_entry", *re.findall(r'FROM "?audit_entry"? AS "?(\w+)"?', sql)}
    plan = [row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
    return [line for line in plan if any(re.match(rf"SCAN {a}\b", line) for a in aliases)], plan


def test_cancelling_a_loss_finds_its_withdrawal_without_reading_the_whole_log(ctx, db):
    """cancel_loss reads back whom the withdrawal (or the dependent's removal) ended: by record,
    through the index, for an insured person and for a dependent."""
    employer = make_employer(ctx)
    insured = make_member(ctx, employer, symbol="2001", number="5", branch="00")
    other = make_member(ctx, employer, symbol="2001", number="6", branch="00")
    child = make_member(ctx, employer, symbol="2001", number="6", branch="02", insured=other, given_name="花子",
                        given_name_kana="ハナコ", relationship=Relationship.CHILD, birth_date=date(2000, 5, 5))
    record_withdrawal(ctx, insured.id, lost_on=date(2025, 11, 21), reason=WithdrawalReason.RETIREMENT)
    remove_dependent(ctx, child.id, lost_on=date(2025, 11, 21), reason=DependentRemovalReason.EMPLOYED)

    for member in (insured, child):
        lookups = _audit_lookups(db, lambda m=member: cancel_loss(ctx, m.id, reason="喪失の取り消し"))
        assert any('"record_id"' in sql for sql, _ in lookups), lookups  # the lookup was seen
        for sql, params in lookups:
            scans, plan = _scans_of_the_log(db, sql, params)
            assert not scans, (sql, plan)
            assert any("audit_entry_table_name_record_id_action" in line for line in plan), plan


def test_a_batch_reads_the_earlier_prints_without_reading_the_whole_log(pctx, db):  # noqa: F811
    """A batch run reads which documents earlier runs' files held (the batch.print entries of the
    employers), and so does the per-employer question of an interrupted batch: by the index."""
    for i in range(2):
        _member(pctx, symbol="3101", number=str(10 + i), card_status=CardStatus.NO_CARD)
    employer = Employer.get(Employer.code == "E001")

    lookups = _audit_lookups(db, lambda: batch_certificates(pctx, employer_code="E001"))
    lookups += _audit_lookups(db, lambda: unprinted_batch_keys(employer))
    assert unprinted_batch_keys(employer) == []  # the first run's print entry was read back
    prints = [(sql, params) for sql, params in lookups if "batch.print" in (params or ())]
    assert len(prints) == 2, lookups  # the run's and the employer's
    for sql, params in lookups:
        scans, plan = _scans_of_the_log(db, sql, params)
        assert not scans, (sql, plan)


def test_the_audit_screen_reads_a_clerks_newest_entries_in_index_order(ctx, db):
    """The audit screen opens on the clerk's own newest 200 entries: read from the clerk index in
    order, not all of the clerk's entries (years of them) sorted to keep 200."""
    for i in range(3):
        ctx.write(lambda i=i: audit.record(ctx, AuditKind.WRITE, "test.action", table="member", record_id=i + 1))

    lookups = _audit_lookups(db, lambda: audit.entries(clerk=ctx.clerk))
    assert len(lookups) == 1, lookups
    for sql, params in lookups:
        scans, plan = _scans_of_the_log(db, sql, params)
        assert not scans and not any("TEMP B-TREE" in line for line in plan), (sql, plan)
    assert [e.record_id for e in audit.entries(clerk=ctx.clerk, limit=2)] == [3, 2]
