"""R18, documents age: the pure standing of a document on a day (rules.document_standing) at the
boundaries 2025-12-01/02 and valid_until ± 1 day, and the SQL of db.standing agreeing with it
document by document."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk_tui.db.models import Document
from clerk_tui.db.standing import in_force
from clerk_tui.domain.codes import DocumentKind, DocumentStatus, Standing
from clerk_tui.domain.rules import LEGACY_CARD_LAST_VALID, document_standing
from tests.factories import make_document, make_employer, make_member

K = DocumentKind
S = DocumentStatus
DAY = timedelta(days=1)
VOID_FROM = date(2025, 12, 2)
UNTIL = date(2027, 3, 31)  # a FY2024 資格確認書


def standing(kind=K.ELIGIBILITY_CERTIFICATE, status=S.VALID, valid_until=UNTIL, lost_on=None, *, today):
    return document_standing(kind, status, valid_until, lost_on, today)


@pytest.mark.parametrize("kind", [K.LEGACY_CARD, K.ELDERLY_CARD])
@pytest.mark.parametrize("valid_until", [None, date(2026, 7, 31)])
def test_legacy_cards_are_valid_through_2025_12_01_and_void_from_2025_12_02(kind, valid_until):
    last = standing(kind, valid_until=valid_until, today=LEGACY_CARD_LAST_VALID)
    assert last.standing is Standing.VALID and last.label == "有効"
    assert last.days_left == 0 and last.last_day == LEGACY_CARD_LAST_VALID
    void = standing(kind, valid_until=valid_until, today=VOID_FROM)
    assert void.standing is Standing.VOID and void.label == "失効"
    assert not void.in_force and void.days_left is None


def test_an_elderly_card_with_an_earlier_end_is_void_after_that_end():
    assert standing(K.ELDERLY_CARD, valid_until=date(2025, 7, 31), today=date(2025, 7, 31)).in_force
    assert standing(K.ELDERLY_CARD, valid_until=date(2025, 7, 31), today=date(2025, 8, 1)).standing is Standing.VOID


def test_a_certificate_is_valid_through_valid_until_and_expired_the_day_after():
    before = standing(today=UNTIL - DAY)
    assert before.standing is Standing.VALID and before.days_left == 1
    on = standing(today=UNTIL)
    assert on.standing is Standing.VALID and on.days_left == 0
    after = standing(today=UNTIL + DAY)
    assert after.standing is Standing.EXPIRED and after.label == "期限切れ" and after.days_left is None


def test_a_certificate_is_not_touched_by_the_legacy_date():
    assert standing(today=VOID_FROM).days_left == (UNTIL - VOID_FROM).days


def test_a_notice_has_no_end_date():
    notice = standing(K.ELIGIBILITY_NOTICE, valid_until=None, today=date(2040, 1, 1))
    assert notice.standing is Standing.VALID and notice.days_left is None


@pytest.mark.parametrize("kind,valid_until", [(K.ELIGIBILITY_CERTIFICATE, UNTIL), (K.ELIGIBILITY_NOTICE, None),
                                              (K.LEGACY_CARD, None)])
def test_documents_of_a_member_who_lost_the_qualification_are_qualification_lost(kind, valid_until):
    lost_on = date(2025, 10, 1)
    assert standing(kind, valid_until=valid_until, lost_on=lost_on, today=lost_on - DAY).in_force
    on = standing(kind, valid_until=valid_until, lost_on=lost_on, today=lost_on)
    assert on.standing is Standing.QUALIFICATION_LOST and on.label == "資格喪失"
    # Still 資格喪失 (not 失効) later: the loss ended it first.
    assert standing(kind, valid_until=valid_until, lost_on=lost_on, today=date(2026, 1, 5)).standing \
        is Standing.QUALIFICATION_LOST


def test_a_document_that_ended_before_the_loss_keeps_its_own_reason():
    # The legacy card died on 2025-12-02, the member left in 2026: 失効, not 資格喪失.
    assert standing(K.LEGACY_CARD, valid_until=None, lost_on=date(2026, 2, 1),
                    today=date(2026, 3, 1)).standing is Standing.VOID
    # A certificate that expired before the loss is 期限切れ; one that ended on the loss day is lost with it.
    assert standing(lost_on=UNTIL + DAY, today=UNTIL + 5 * DAY).standing is Standing.EXPIRED
    assert standing(lost_on=UNTIL, today=UNTIL + 5 * DAY).standing is Standing.QUALIFICATION_LOST


def test_a_loss_recorded_ahead_changes_nothing_until_its_day():
    assert standing(lost_on=date(2026, 1, 1), today=date(2025, 12, 31)).standing is Standing.VALID


@pytest.mark.parametrize("status,expected", [(S.RETURNED, Standing.RETURNED), (S.LOST, Standing.LOST),
                                             (S.UNRECOVERABLE, Standing.UNRECOVERABLE),
                                             (S.SUPERSEDED, Standing.SUPERSEDED)])
def test_what_was_recorded_stays_whatever_the_date(status, expected):
    for today in (date(2025, 1, 1), UNTIL + DAY):
        assert standing(status=status, lost_on=date(2025, 6, 1), today=today).standing is expected


def test_a_document_recorded_as_expired_is_never_valid():
    assert standing(status=S.EXPIRED, today=date(2026, 1, 1)).standing is Standing.EXPIRED
    assert standing(K.LEGACY_CARD, status=S.EXPIRED, valid_until=None,
                    today=date(2025, 1, 1)).standing is Standing.VOID


def test_bad_codes_are_refused_with_a_message():
    from clerk_tui.domain.errors import DomainError

    with pytest.raises(DomainError):
        document_standing("passport", S.VALID, None, None, date(2026, 1, 1))


@given(kind=st.sampled_from(list(K)), status=st.sampled_from(list(S)),
       valid_until=st.none() | st.dates(date(2024, 1, 1), date(2030, 12, 31)),
       lost_on=st.none() | st.dates(date(2024, 1, 1), date(2030, 12, 31)),
       today=st.dates(date(2024, 1, 1), date(2030, 12, 31)))
def test_in_force_means_usable_today(kind, status, valid_until, lost_on, today):
    s = document_standing(kind, status, valid_until, lost_on, today)
    if s.in_force:
        assert status is S.VALID
        assert lost_on is None or lost_on > today
        assert s.last_day is None or s.last_day >= today
        assert kind not in (K.LEGACY_CARD, K.ELDERLY_CARD) or today <= LEGACY_CARD_LAST_VALID
        assert s.days_left == (None if s.last_day is None else (s.last_day - today).days)
    else:
        assert s.days_left is None


# ------------------------------------------------------------------ the SQL agrees


def test_the_sql_selects_exactly_the_documents_the_rule_calls_in_force(ctx):
    employer = make_employer(ctx)
    ends = [None, LEGACY_CARD_LAST_VALID, UNTIL]
    losses = [None, LEGACY_CARD_LAST_VALID, VOID_FROM, UNTIL, UNTIL + DAY]
    docs = []
    for n, lost_on in enumerate(losses):
        member = make_member(ctx, employer, number=f"9{n}", lost_on=lost_on)
        for kind, status, valid_until in itertools.product(K, [S.VALID, S.EXPIRED, S.RETURNED], ends):
            docs.append((make_document(ctx, member, kind=kind, status=status, valid_until=valid_until,
                                       issued_on=date(2024, 4, 1)), lost_on))
    days = [LEGACY_CARD_LAST_VALID - DAY, LEGACY_CARD_LAST_VALID, VOID_FROM, UNTIL - DAY, UNTIL, UNTIL + DAY]
    for today in days:
        selected = {d.id for d in Document.select(Document.id).where(in_force(today))}
        expected = {d.id for d, lost_on in docs
                    if document_standing(d.kind, d.status, d.valid_until, lost_on, today).in_force}
        assert selected == expected, today
        assert expected  # every day has some documents in force and some not
        assert len(expected) < len(docs)
