"""立替払 intake (R12): the insurer's share by ratio, the cap, the age boundaries in the treatment
month, the deadline, duplicates, the three papers, and hand-over."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from clerk_tui.clock import Clock
from clerk_tui.db.models import ReimbursementClaim
from clerk_tui.domain.codes import ClaimStatus, Relationship
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.applications import DuplicateError
from clerk_tui.services.reimbursement import (
    ClaimInput,
    assess,
    forward_claims,
    get_claim,
    list_claims,
    record_claim,
    update_papers,
)
from tests.factories import make_employer, make_member


@pytest.fixture
def emp(ctx):
    return make_employer(ctx)


def _claim(member, **kw):
    base = dict(member_id=member.id, institution_name="千代田クリニック", treatment_month=date(2025, 10, 1),
                paid_on=date(2025, 10, 15), amount_paid="10,000")
    base.update(kw)
    return ClaimInput(**base)


def test_working_age_gets_seven_tenths(ctx, emp):
    m = make_member(ctx, emp, birth_date=date(1985, 6, 1))
    _, a, amount, _ = assess(ctx, _claim(m))
    assert (amount, a.copay_ratio, a.estimated_refund) == (10_000, 3, 7_000)


@pytest.mark.parametrize("paid, cost, counted, refund", [
    ("10,000", "8,000", 8_000, 5_600),      # paid more than the fee-schedule cost: the cost is counted
    ("8,000", "10,000", 8_000, 5_600),      # paid less: the amount paid is counted, not 7,000
    ("10,000", "20,000", 10_000, 7_000),    # not the whole 10,000 paid
    ("5000", "１００，０００", 5_000, 3_500),
    ("10,000", None, 10_000, 7_000),        # no cost known: the amount paid
])
def test_refund_is_the_share_of_the_cost_counted(ctx, emp, paid, cost, counted, refund):
    # R12: min(fee-schedule cost, paid) × (1 − 3割), and it is what the claim stores.
    m = make_member(ctx, emp, birth_date=date(1985, 6, 1))
    a = assess(ctx, _claim(m, amount_paid=paid, fee_schedule_cost=cost))[1]
    assert (a.counted_cost, a.estimated_refund) == (counted, refund)
    claim = record_claim(ctx, _claim(m, amount_paid=paid, fee_schedule_cost=cost))
    assert ReimbursementClaim.get_by_id(claim.id).estimated_refund == refund


@pytest.mark.parametrize("birth, ratio", [(date(1955, 9, 2), 2),   # attains 70 on 9/1: 70–74 from 10/1
                                          (date(1955, 10, 2), 3),  # attains 70 on 10/1: from 11/1
                                          (date(1955, 10, 1), 2)])  # birthday on the 1st: from 10/1
def test_seventy_boundary_in_the_treatment_month(ctx, emp, birth, ratio):
    m = make_member(ctx, emp, birth_date=birth, remuneration=200_000)
    assert assess(ctx, _claim(m))[1].copay_ratio == ratio


def test_seventy_at_two_tenths_gets_eight_tenths(ctx, emp):
    before = make_member(ctx, emp, birth_date=date(1955, 10, 2), remuneration=200_000)  # 70–74 from 11/1
    after = make_member(ctx, emp, birth_date=date(1955, 10, 1), remuneration=200_000)   # 70–74 from 10/1
    assert assess(ctx, _claim(before))[1].estimated_refund == 7_000
    assert assess(ctx, _claim(after))[1].estimated_refund == 8_000


@pytest.mark.parametrize("birth, refund", [(date(2019, 4, 2), 8_000),   # still before school in 2025-10
                                           (date(2019, 4, 1), 7_000)])  # started school 2025-04
def test_under_school_age_boundary(ctx, emp, birth, refund):
    insured = make_member(ctx, emp, birth_date=date(1985, 1, 1))
    child = make_member(ctx, emp, symbol=insured.symbol, number=insured.number, branch="01", insured=insured,
                        birth_date=birth, relationship=Relationship.CHILD)
    assert assess(ctx, _claim(child))[1].estimated_refund == refund


@pytest.mark.parametrize("paid, days, warned", [(date(2023, 11, 20), 0, True), (date(2024, 1, 19), 60, True),
                                                (date(2024, 1, 20), 61, False)])
def test_deadline_warning(ctx, emp, paid, days, warned):
    m = make_member(ctx, emp, acquired_on=date(2020, 4, 1))
    a = assess(ctx, _claim(m, treatment_month=paid.replace(day=1), paid_on=paid))[1]
    assert a.days_left == days and bool(a.warnings) is warned


def test_expired_claim_needs_a_reason(ctx, emp):
    m = make_member(ctx, emp, acquired_on=date(2020, 4, 1))
    data = _claim(m, treatment_month=date(2023, 11, 1), paid_on=date(2023, 11, 19))
    with pytest.raises(DomainError, match="理由"):
        record_claim(ctx, data)
    assert record_claim(ctx, replace(data, late_reason="入院中で請求できなかった")).late_reason


def test_duplicate_claim_is_refused_and_points_at_the_first(ctx, emp):
    m = make_member(ctx, emp)
    first = record_claim(ctx, _claim(m))
    with pytest.raises(DuplicateError) as err:
        record_claim(ctx, _claim(m, institution_name="千代田クリニック ", amount_paid="2000"))
    assert err.value.existing_id == first.id
    record_claim(ctx, _claim(m, institution_name="千代田薬局", is_pharmacy=True))  # its own institution
    assert ReimbursementClaim.select().count() == 2
    # The screen shows the first claim the duplicate points at, with its member.
    shown = get_claim(err.value.existing_id)
    assert shown.id == first.id and shown.member_id == m.id
    assert (shown.member_code, shown.member_name) == (m.member_code, m.full_name)
    with pytest.raises(DomainError, match="請求が見つかりません"):
        get_claim(first.id + 100)


@pytest.mark.parametrize("kw, message", [
    ({"amount_paid": "-100"}, "マイナス"), ({"amount_paid": "abc"}, "数字"),
    ({"paid_on": date(2025, 9, 30)}, "診療月"), ({"paid_on": date(2025, 11, 21)}, "未来"),
    ({"treatment_month": date(2019, 1, 1), "paid_on": date(2019, 1, 5)}, "他の保険者")])
def test_bad_input_writes_nothing(ctx, emp, kw, message):
    m = make_member(ctx, emp)
    with pytest.raises(DomainError, match=message):
        record_claim(ctx, _claim(m, **kw))
    assert ReimbursementClaim.select().count() == 0


def test_cause_from_the_record(ctx, emp):
    no_number = make_member(ctx, emp)
    assert "マイナンバー" in assess(ctx, _claim(no_number))[1].cause
    newcomer = make_member(ctx, emp, acquired_on=date(2025, 10, 1), mynumber_received_on=date(2025, 9, 1))
    assert "加入直後" in assess(ctx, _claim(newcomer))[1].cause


def test_papers_complete_the_claim_and_only_complete_claims_are_forwarded(ctx, emp):
    m = make_member(ctx, emp)
    claim = record_claim(ctx, _claim(m, receipt_received=True))
    assert claim.status is ClaimStatus.INCOMPLETE
    with pytest.raises(DomainError):
        forward_claims(ctx, [claim.id])
    claim = update_papers(ctx, claim.id, expected_version=claim.version, medical_statement_received=True,
                          claim_form_received=True)
    assert claim.status is ClaimStatus.COMPLETE
    forward_claims(replace(ctx, clock=Clock(date(2025, 11, 20))), [claim.id])
    assert list_claims(status=ClaimStatus.FORWARDED)[0].forwarded_on == date(2025, 11, 20)
    assert list_claims(month=date(2025, 10, 1))[0].id == claim.id


def test_estimate_follows_corrected_member_data(ctx, emp):
    from clerk_tui.db.models import Member

    m = make_member(ctx, emp, birth_date=date(1985, 6, 1))
    claim = record_claim(ctx, _claim(m))
    assert claim.estimated_refund == 7_000
    # The birth date was registered wrongly: the patient is a pre-school child (2割 → 8割).
    ctx.write(lambda: Member.update(birth_date=date(2020, 6, 1)).where(Member.id == m.id).execute())
    claim = update_papers(ctx, claim.id, expected_version=claim.version, receipt_received=True)
    assert (claim.copay_ratio, claim.estimated_refund) == (2, 8_000)
