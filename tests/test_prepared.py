"""Queries compiled once (db.prepared) answer exactly as peewee's own, for any values, and saves
write only what an action changed."""

from __future__ import annotations

from datetime import date

import pytest

from clerk_tui.db.database import ClerkDatabase
from clerk_tui.db.models import Document, Member
from clerk_tui.db.prepared import Prepared, fetch
from clerk_tui.domain.codes import CardStatus, DocumentKind, DocumentStatus
from tests.factories import make_document, make_employer, make_member


@pytest.fixture
def family(ctx):
    employer = make_employer(ctx)
    insured = make_member(ctx, employer, family_name="佐藤")
    child = make_member(ctx, employer, number=insured.number, branch="01", insured=insured,
                        given_name="花子", birth_date=date(2012, 5, 1))
    docs = [make_document(ctx, insured, kind=DocumentKind.ELIGIBILITY_NOTICE, issued_on=date(2025, 9, 1)),
            make_document(ctx, insured, kind=DocumentKind.ELIGIBILITY_CERTIFICATE, issued_on=date(2025, 10, 1)),
            make_document(ctx, child, kind=DocumentKind.ELIGIBILITY_NOTICE, status=DocumentStatus.SUPERSEDED)]
    return insured, child, docs


def test_prepared_select_answers_as_peewee_for_each_value(family):
    insured, child, _ = family
    built = []

    def build(p):
        built.append(1)
        return (Document.select().where(Document.member == p(Document.member), Document.kind == p(Document.kind),
                                        Document.issued_on >= p(Document.issued_on))
                .order_by(Document.id))

    prepared = Prepared(Document, build)
    for member, kind, since in [(insured, DocumentKind.ELIGIBILITY_NOTICE, date(2025, 1, 1)),
                                (insured, DocumentKind.ELIGIBILITY_CERTIFICATE, date(2025, 1, 1)),
                                (insured, DocumentKind.ELIGIBILITY_CERTIFICATE, date(2025, 12, 1)),
                                (child.id, DocumentKind.ELIGIBILITY_NOTICE, date(2025, 1, 1))]:
        expected = list(Document.select().where(Document.member == member, Document.kind == kind,
                                                Document.issued_on >= since).order_by(Document.id))
        got = list(prepared.rows(member, kind, since))
        assert [d.__data__ for d in got] == [d.__data__ for d in expected]
    assert len(built) == 1, "compiled once, bound four times"
    # Rows come back typed as the model reads them: enums and dates, not their stored text.
    doc = prepared.first(insured, DocumentKind.ELIGIBILITY_NOTICE, date(2025, 1, 1))
    assert doc.kind is DocumentKind.ELIGIBILITY_NOTICE and doc.issued_on == date(2025, 9, 1)
    assert prepared.first(insured, DocumentKind.LEGACY_CARD, date(2025, 1, 1)) is None


def test_prepared_scalar_and_arity(family):
    insured, _, docs = family
    latest = Prepared(Document, lambda p: Document.select(Document.id).where(Document.member == p(Document.member))
                      .order_by(Document.id.desc()).limit(1))
    assert latest.scalar(insured.id) == docs[1].id
    assert latest.scalar(999_999) is None
    with pytest.raises(TypeError, match="takes 1 values"):
        latest.scalar()


def test_fetch_by_primary_key(family):
    insured, child, _ = family
    got = fetch(Member, child.id)
    assert got.__data__ == Member.get_by_id(child.id).__data__
    assert got.insured.id == insured.id  # relations still load on demand
    assert Member.fetch(child.id).full_name == child.full_name
    assert Member.fetch(987_654) is None


def test_create_and_save_write_what_peewee_would(ctx, family):
    insured, _, _ = family
    doc = ctx.write(lambda: Document.create(member=insured, kind=DocumentKind.LEGACY_CARD, serial="X-1",
                                            issued_on=date(2024, 1, 1), status=DocumentStatus.VALID))
    assert doc.id is not None and not doc.is_dirty()
    stored = Document.get_by_id(doc.id)
    assert (stored.member_id, stored.kind, stored.serial, stored.version) == (insured.id, DocumentKind.LEGACY_CARD, "X-1", 1)

    doc.status = DocumentStatus.RETURNED
    assert ctx.write(doc.save) == 1
    assert Document.get_by_id(doc.id).status is DocumentStatus.RETURNED
    assert ctx.write(doc.save) is False  # nothing changed: no statement at all


def test_a_save_never_writes_back_columns_it_did_not_change(ctx, db, family):
    """Clerk A loaded the member before clerk B changed the card status; A's later change of the
    telephone number must not put B's column back."""
    insured, _, _ = family
    stale = Member.fetch(insured.id)
    other = ClerkDatabase(db.database, pragmas={"foreign_keys": 1})
    other.execute_sql("update member set card_status = ? where id = ?",
                      (CardStatus.REGISTRATION_CANCELLED.value, insured.id))
    other.close()
    stale.phone = "03-1234-5678"
    ctx.write(stale.save)
    fresh = Member.get_by_id(insured.id)
    assert fresh.phone == "03-1234-5678"
    assert fresh.card_status is CardStatus.REGISTRATION_CANCELLED
