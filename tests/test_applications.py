"""利用登録解除申請 and 滅失届: rules R7/R8, duplicates, mismatches, rollback on bad input."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from clerk_tui.clock import Clock
from clerk_tui.db.models import AuditEntry, Document, LossReport, Member, RegistrationCancellation
from clerk_tui.domain.codes import (
    CancellationStatus,
    CardStatus,
    DocumentKind,
    DocumentStatus,
    IssueReason,
    LossCircumstance,
    Route,
)
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.applications import (
    CancellationInput,
    DuplicateError,
    LossReportInput,
    MismatchError,
    list_cancellations,
    record_cancellation,
    record_found,
    record_loss_report,
    withdraw_cancellation,
)
from clerk_tui.services.issuance import issue_document, plan_issue
from tests.factories import make_document, make_employer, make_member


@pytest.fixture
def member(ctx):
    return make_member(ctx, make_employer(ctx), card_status=CardStatus.USABLE, birth_date=date(1980, 4, 2),
                       postal_code="102-0071", address="東京都千代田区富士見2-1-1")


def _app(member, **kw):
    base = dict(member_id=member.id, applicant_name="山田 太郎", applicant_birth_date=date(1980, 4, 2),
                received_on=date(2025, 11, 20))
    base.update(kw)
    return CancellationInput(**base)


def _counts():
    return (RegistrationCancellation.select().count(), LossReport.select().count(),
            AuditEntry.select().count(), Member.select().where(Member.card_status == CardStatus.USABLE).count())


def test_cancellation_sets_effective_date_and_queues_a_certificate(ctx, member):
    app = record_cancellation(ctx, _app(member))
    assert app.effective_on == date(2025, 12, 31)  # R7: last day of the following month
    assert app.status is CancellationStatus.AWAITING_CERTIFICATE
    assert Member.get_by_id(member.id).card_status is CardStatus.REGISTRATION_CANCELLED
    assert app.previous_card_status is CardStatus.USABLE
    # The queued 資格確認書 completes the application (R3(d)); no override is needed now.
    plan = plan_issue(ctx, member.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.VIA_EMPLOYER)
    assert not plan.needs_override
    issue_document(ctx, plan)
    assert RegistrationCancellation.get_by_id(app.id).status is CancellationStatus.COMPLETED


def test_the_same_paper_twice_is_one_record(ctx, member):
    first = record_cancellation(ctx, _app(member))
    with pytest.raises(DuplicateError) as err:
        record_cancellation(ctx, _app(member))
    assert err.value.existing_id == first.id
    assert RegistrationCancellation.select().count() == 1


def test_name_or_birth_mismatch_must_be_accepted(ctx, member):
    before = _counts()
    with pytest.raises(MismatchError) as err:
        record_cancellation(ctx, _app(member, applicant_name="山田 次郎", applicant_birth_date=date(1980, 4, 3)))
    assert len(err.value.differences) == 2 and "生年月日" in err.value.message
    assert _counts() == before
    app = record_cancellation(ctx, _app(member, applicant_name="山田 次郎", accept_mismatch=True))
    assert app.mismatch_accepted


def test_variant_kanji_is_no_mismatch(ctx):
    m = make_member(ctx, make_employer(ctx), family_name="髙橋", family_name_kana="タカハシ",
                    card_status=CardStatus.USABLE)
    assert not record_cancellation(ctx, _app(m, applicant_name="高橋太郎")).mismatch_accepted


@pytest.mark.parametrize("received, message", [(date(2025, 11, 21), "未来"), (date(2019, 1, 1), "資格取得日")])
def test_bad_received_date_writes_nothing(ctx, member, received, message):
    before = _counts()
    with pytest.raises(DomainError, match=message):
        record_cancellation(ctx, _app(member, received_on=received))
    assert _counts() == before


@pytest.mark.parametrize("status, who", [(CardStatus.NO_CARD, "マイナンバーカードを取得していない"),
                                         (CardStatus.NOT_REGISTERED, "利用登録をしていない"),
                                         (CardStatus.CARD_RETURNED, "返納した")])
def test_nothing_to_cancel_is_refused_and_the_card_situation_kept(ctx, status, who):
    """R7: without a registered card there is no registration to cancel; R3 (a)(b)(d) already
    give that person a 資格確認書, so the paper is refused and the register stays true."""
    m = make_member(ctx, make_employer(ctx), card_status=status)
    before = _counts()
    with pytest.raises(DomainError) as err:
        record_cancellation(ctx, _app(m))
    assert who in err.value.message and "受け付けられません" in err.value.message
    assert "資格確認書は申請がなくても交付対象" in err.value.message
    assert err.value.field == "member"
    assert Member.get_by_id(m.id).card_status is status
    assert _counts() == before


@pytest.mark.parametrize("status", [CardStatus.CARD_LOST, CardStatus.CARD_RENEWING, CardStatus.CERT_EXPIRED])
def test_a_card_out_of_use_still_has_a_registration_to_cancel(ctx, status):
    m = make_member(ctx, make_employer(ctx), card_status=status)
    app = record_cancellation(ctx, _app(m))
    assert app.previous_card_status is status
    assert Member.get_by_id(m.id).card_status is CardStatus.REGISTRATION_CANCELLED
    withdraw_cancellation(ctx, app.id, expected_version=app.version)
    assert Member.get_by_id(m.id).card_status is status


def test_registering_again_after_a_cancellation_can_be_cancelled_again(ctx):
    """Only the member can register again, and the insurer is not told: a second application
    after a completed one is accepted, and withdrawing it leaves the card usable."""
    m = make_member(ctx, make_employer(ctx), card_status=CardStatus.REGISTRATION_CANCELLED)
    app = record_cancellation(ctx, _app(m))
    assert app.previous_card_status is CardStatus.USABLE
    withdraw_cancellation(ctx, app.id, expected_version=app.version)
    assert Member.get_by_id(m.id).card_status is CardStatus.USABLE


def test_a_member_holding_a_current_certificate_is_not_awaiting_one(ctx):
    """R18: a valid, not expired 資格確認書 (here issued while the card was lost, R3(c)) means the
    application is not 確認書交付待ち: nothing is left to send."""
    m = make_member(ctx, make_employer(ctx), card_status=CardStatus.CARD_LOST)
    make_document(ctx, m, issued_on=date(2025, 10, 1), valid_until=date(2028, 3, 31))
    app = record_cancellation(ctx, _app(m))
    assert app.status is CancellationStatus.COMPLETED
    assert list_cancellations(status=CancellationStatus.AWAITING_CERTIFICATE) == []


@pytest.mark.parametrize("valid_until, status", [(date(2025, 11, 19), DocumentStatus.VALID),
                                                 (date(2028, 3, 31), DocumentStatus.SUPERSEDED)])
def test_an_expired_or_replaced_certificate_still_leaves_one_awaited(ctx, member, valid_until, status):
    make_document(ctx, member, issued_on=date(2022, 4, 1), valid_until=valid_until, status=status)
    assert record_cancellation(ctx, _app(member)).status is CancellationStatus.AWAITING_CERTIFICATE


def test_the_loss_report_completes_an_application_of_a_certificate_holder(ctx, member):
    make_document(ctx, member, kind=DocumentKind.LEGACY_CARD, issued_on=date(2020, 4, 1),
                  valid_until=date(2025, 12, 1))
    make_document(ctx, member, issued_on=date(2025, 11, 1), valid_until=date(2028, 3, 31))
    app = record_cancellation(ctx, _app(member, received_on=date(2025, 11, 10), legacy_card_at_hand=False))
    assert app.status is CancellationStatus.RECEIVED  # the 滅失届 is still missing
    record_loss_report(ctx, LossReportInput(member_id=member.id, document_kind=DocumentKind.LEGACY_CARD,
                                            lost_on=date(2025, 11, 1), received_on=date(2025, 11, 12),
                                            circumstance=LossCircumstance.MISLAID))
    assert RegistrationCancellation.get_by_id(app.id).status is CancellationStatus.COMPLETED


def test_lost_member_is_refused(ctx):
    m = make_member(ctx, make_employer(ctx), lost_on=date(2025, 10, 1))
    with pytest.raises(DomainError, match="喪失"):
        record_cancellation(ctx, _app(m))


def test_proxy_needs_relationship(ctx, member):
    with pytest.raises(DomainError, match="関係"):
        record_cancellation(ctx, _app(member, proxy_name="山田 花子"))
    app = record_cancellation(ctx, _app(member, proxy_name="山田 花子", proxy_relationship="妻"))
    assert app.proxy_relationship == "妻"


def test_legacy_card_holder_is_asked_and_a_lost_card_needs_a_loss_report(ctx, member):
    legacy = make_document(ctx, member, kind=DocumentKind.LEGACY_CARD, issued_on=date(2020, 4, 1),
                           valid_until=date(2025, 12, 1))
    with pytest.raises(DomainError, match="手元"):
        record_cancellation(ctx, _app(member, received_on=date(2025, 11, 10)))
    app = record_cancellation(ctx, _app(member, received_on=date(2025, 11, 10), legacy_card_at_hand=False))
    assert app.status is CancellationStatus.RECEIVED  # incomplete until the 滅失届
    record_loss_report(ctx, LossReportInput(member_id=member.id, document_kind=DocumentKind.LEGACY_CARD,
                                            lost_on=date(2025, 11, 1), received_on=date(2025, 11, 12),
                                            circumstance=LossCircumstance.MISLAID))
    assert RegistrationCancellation.get_by_id(app.id).status is CancellationStatus.AWAITING_CERTIFICATE
    assert Document.get_by_id(legacy.id).status is DocumentStatus.LOST


def test_after_the_legacy_card_ended_nobody_is_asked(ctx, member):
    make_document(ctx, member, kind=DocumentKind.LEGACY_CARD, issued_on=date(2020, 4, 1), valid_until=date(2025, 12, 1))
    later = replace(ctx, clock=Clock(date(2025, 12, 5)))
    app = record_cancellation(later, _app(member, received_on=date(2025, 12, 2)))
    assert app.legacy_card_at_hand is None and app.status is CancellationStatus.AWAITING_CERTIFICATE


def test_withdrawal_restores_the_card_situation(ctx, member):
    app = record_cancellation(ctx, _app(member))
    withdrawn = withdraw_cancellation(ctx, app.id, expected_version=app.version)
    assert withdrawn.status is CancellationStatus.WITHDRAWN
    assert Member.get_by_id(member.id).card_status is CardStatus.USABLE
    late = replace(ctx, clock=Clock(date(2026, 1, 5)))
    again = record_cancellation(ctx, _app(member))
    with pytest.raises(DomainError, match="解除日"):
        withdraw_cancellation(late, again.id, expected_version=again.version)


def test_withdrawal_on_a_stale_copy_is_refused(ctx, member):
    app = record_cancellation(ctx, _app(member))
    with pytest.raises(DomainError, match="tester"):
        withdraw_cancellation(ctx, app.id, expected_version=app.version - 1)


def test_list_filters_by_status_and_month(ctx, member):
    record_cancellation(ctx, _app(member))
    assert len(list_cancellations(status=CancellationStatus.AWAITING_CERTIFICATE)) == 1
    assert list_cancellations(month=date(2025, 10, 1)) == []
    assert len(list_cancellations(month=date(2025, 11, 1))) == 1


def test_loss_report_marks_the_document_and_duplicates_are_refused(ctx, member):
    cert = make_document(ctx, member)
    data = LossReportInput(member_id=member.id, document_kind=DocumentKind.ELIGIBILITY_CERTIFICATE,
                           lost_on=date(2025, 11, 15), received_on=date(2025, 11, 18),
                           circumstance=LossCircumstance.MISLAID, reissue_requested=True)
    report = record_loss_report(ctx, data)
    assert Document.get_by_id(cert.id).status is DocumentStatus.LOST and report.document_id == cert.id
    with pytest.raises(DuplicateError):
        record_loss_report(ctx, data)
    # The reissue finds the 滅失届 and needs no further reason.
    plan = plan_issue(ctx, member.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.LOST, Route.TO_MEMBER)
    assert plan.loss_report_id == report.id and not plan.needs_loss_report_reason
    found = record_found(ctx, report.id, found_on=date(2025, 11, 19), returned=True, expected_version=report.version)
    assert found.found_on == date(2025, 11, 19)
    assert Document.get_by_id(cert.id).status is DocumentStatus.RETURNED


def test_theft_needs_the_police_reference(ctx, member):
    with pytest.raises(DomainError, match="警察"):
        record_loss_report(ctx, LossReportInput(member_id=member.id, document_kind=DocumentKind.ELIGIBILITY_CERTIFICATE,
                                                lost_on=date(2025, 11, 15), received_on=date(2025, 11, 18),
                                                circumstance=LossCircumstance.STOLEN))
    assert LossReport.select().count() == 0
