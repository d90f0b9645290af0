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


# ------------------------------------------------------------------ services read the standing


def _on(ctx, day: date):
    from dataclasses import replace

    from clerk_tui.clock import Clock

    return replace(ctx, clock=Clock(day))


def test_the_member_detail_shows_each_document_as_of_today(ctx):
    from clerk_tui.services.members import reload_member

    member = make_member(ctx, make_employer(ctx), number="71")
    legacy = make_document(ctx, member, kind=K.LEGACY_CARD, issued_on=date(2020, 4, 1), valid_until=None)
    cert = make_document(ctx, member, issued_on=date(2024, 4, 1), valid_until=UNTIL)

    def standings(day):
        docs = reload_member(_on(ctx, day), member.id).documents_by_member[member.id]
        return {d.id: d.standing.label for d in docs}

    assert standings(LEGACY_CARD_LAST_VALID) == {legacy.id: "有効", cert.id: "有効"}
    assert standings(VOID_FROM) == {legacy.id: "失効", cert.id: "有効"}
    assert standings(UNTIL) == {legacy.id: "失効", cert.id: "有効"}
    assert standings(UNTIL + DAY) == {legacy.id: "失効", cert.id: "期限切れ"}


def test_a_lost_member_s_documents_read_qualification_lost(ctx):
    from clerk_tui.services.members import reload_member

    member = make_member(ctx, make_employer(ctx), number="72", lost_on=date(2026, 5, 1))
    cert = make_document(ctx, member, issued_on=date(2024, 4, 1), valid_until=UNTIL)
    docs = reload_member(_on(ctx, date(2026, 5, 1)), member.id).documents_by_member[member.id]
    assert [(d.id, d.standing.label, d.status) for d in docs] == [(cert.id, "資格喪失", S.VALID)]
    before = reload_member(_on(ctx, date(2026, 4, 30)), member.id).documents_by_member[member.id]
    assert before[0].standing.in_force


def test_the_batch_count_takes_in_a_certificate_the_day_after_it_expires(ctx):
    from clerk_tui.domain.codes import CardStatus
    from clerk_tui.services.batch import certificate_need

    employer = make_employer(ctx, code="E0071")
    member = make_member(ctx, employer, number="73", card_status=CardStatus.NO_CARD)
    make_document(ctx, member, issued_on=date(2024, 4, 1), valid_until=UNTIL)
    assert certificate_need(_on(ctx, UNTIL - DAY), "E0071").count == 0
    assert certificate_need(_on(ctx, UNTIL), "E0071").count == 0
    assert certificate_need(_on(ctx, UNTIL + DAY), "E0071").count == 1


def test_a_new_issue_replaces_only_a_certificate_still_in_force(ctx):
    from clerk_tui.domain.codes import CardStatus, IssueReason, Route
    from clerk_tui.services.issuance import plan_issue

    member = make_member(ctx, make_employer(ctx), number="74", card_status=CardStatus.NO_CARD)
    cert = make_document(ctx, member, issued_on=date(2024, 4, 1), valid_until=UNTIL)

    def plan(day):
        return plan_issue(_on(ctx, day), member.id, K.ELIGIBILITY_CERTIFICATE, IssueReason.EXPIRY, Route.VIA_EMPLOYER)

    on_last_day = plan(UNTIL)
    assert on_last_day.previous_id == cert.id and any("現在有効な資格確認書" in n for n in on_last_day.notes)
    after = plan(UNTIL + DAY)
    assert after.previous_id is None and not any("差替になります" in n for n in after.notes)
    assert f"前回の資格確認書（{cert.serial}）は期限切れのため差替にしません（本人が破棄）。" in after.notes


def test_an_application_waits_for_a_certificate_only_when_the_held_one_expired(ctx):
    from clerk_tui.domain.codes import CancellationStatus, CardStatus
    from clerk_tui.services.applications import CancellationInput, record_cancellation

    employer = make_employer(ctx)
    results = {}
    for n, day in enumerate((UNTIL, UNTIL + DAY)):
        member = make_member(ctx, employer, number=f"8{n}", card_status=CardStatus.USABLE)
        make_document(ctx, member, issued_on=date(2024, 4, 1), valid_until=UNTIL)
        row = record_cancellation(_on(ctx, day), CancellationInput(
            member_id=member.id, applicant_name="山田太郎", applicant_birth_date=member.birth_date, received_on=day))
        results[day] = row.status
    assert results == {UNTIL: CancellationStatus.COMPLETED, UNTIL + DAY: CancellationStatus.AWAITING_CERTIFICATE}


def test_the_legacy_card_question_is_asked_through_2025_12_01_only(ctx):
    from clerk_tui.services.applications import cancellation_needs_legacy_answer

    member = make_member(ctx, make_employer(ctx), number="75")
    make_document(ctx, member, kind=K.LEGACY_CARD, issued_on=date(2020, 4, 1), valid_until=None)
    assert cancellation_needs_legacy_answer(member.id, LEGACY_CARD_LAST_VALID)
    assert not cancellation_needs_legacy_answer(member.id, VOID_FROM)


def test_what_comes_back_at_a_loss_is_what_was_in_force_on_the_loss_day():
    from dataclasses import dataclass

    from clerk_tui.domain.rules import collection_decisions

    @dataclass
    class Doc:
        kind: K
        status: S
        issued_on: date
        valid_until: date | None

    cert = Doc(K.ELIGIBILITY_CERTIFICATE, S.VALID, date(2024, 4, 1), UNTIL)
    recorded_expired = Doc(K.ELIGIBILITY_CERTIFICATE, S.EXPIRED, date(2021, 4, 1), date(2024, 3, 31))
    legacy = Doc(K.LEGACY_CARD, S.VALID, date(2020, 4, 1), None)

    def collect(lost_on):
        return [d.collect for d in collection_decisions(lost_on, [cert, legacy])]

    assert collect(LEGACY_CARD_LAST_VALID) == [True, True]
    assert collect(VOID_FROM) == [True, False]
    assert collect(UNTIL) == [True, False]
    assert collect(UNTIL + DAY) == [False, False]
    (decision,) = collection_decisions(VOID_FROM, [recorded_expired])
    assert not decision.collect and decision.reason == "期限切れのため回収対象外"
