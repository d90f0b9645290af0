"""Every free-text field of every clerk action goes through the one rule (domain.text.clean_text):
a My Number in any shape, a control character or an over-long text is refused with a Japanese
message naming the field, and the database is exactly as it was."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from clerk_tui.db.models import CollectionItem
from clerk_tui.domain.codes import (
    CollectionStatus,
    DocumentKind,
    IssueReason,
    LossCircumstance,
    RegisterChange,
    ReturnVia,
    Route,
    WithdrawalReason,
)
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.applications import (
    CancellationInput,
    LossReportInput,
    record_cancellation,
    record_loss_report,
)
from clerk_tui.services.issuance import issue_document, plan_issue
from clerk_tui.services.changes import ChangeInput, apply_change, plan_change
from clerk_tui.services.members import reload_member
from clerk_tui.services.reimbursement import ClaimInput, record_claim
from clerk_tui.services.withdrawal import cancel_loss, close_item, record_return, record_withdrawal
from tests.conftest import TODAY
from tests.factories import make_document, make_employer, make_member
from tests.test_text import MY_NUMBER_SHAPES

CERT = DocumentKind.ELIGIBILITY_CERTIFICATE

# The bad values: every My Number shape (alone and inside ordinary words), terminal escapes,
# bidi overrides and invisible characters.
BAD = [*MY_NUMBER_SHAPES, *(f"連絡は{shape}まで" for shape in MY_NUMBER_SHAPES[:6]),
       "\x1b[2J\x1b[31m赤", "破損\x1b]0;title\x07", "山田\u202e太郎", "見えない\u200b文字", "NUL\x00"]


def _cancellation(ctx):
    member = make_member(ctx, make_employer(ctx), card_status="usable")
    base = CancellationInput(member_id=member.id, applicant_name="山田　太郎", applicant_birth_date=member.birth_date,
                             received_on=TODAY, applicant_address="東京都千代田区富士見1-12-8",
                             applicant_phone="03-3239-9819", reason="本人の希望", proxy_name="山田　花子",
                             proxy_relationship="妻")
    return lambda field, value: record_cancellation(ctx, replace(base, **{field: value}))


def _loss_report(ctx):
    member = make_member(ctx, make_employer(ctx))
    make_document(ctx, member, kind=CERT)
    base = LossReportInput(member_id=member.id, document_kind=CERT, lost_on=date(2025, 11, 1), received_on=TODAY,
                           circumstance=LossCircumstance.STOLEN, police_report_ref="麹町署 第123号")
    return lambda field, value: record_loss_report(ctx, replace(base, **{field: value}))


def _claim(ctx):
    member = make_member(ctx, make_employer(ctx))
    base = ClaimInput(member_id=member.id, institution_name="千代田クリニック", treatment_month=date(2025, 10, 1),
                      paid_on=date(2025, 10, 15), amount_paid="10,000", late_reason="本人入院のため")
    return lambda field, value: record_claim(ctx, replace(base, **{field: value}))


def _withdrawn(ctx):
    member = make_member(ctx, make_employer(ctx))
    make_document(ctx, member, kind=CERT)
    record_withdrawal(ctx, member.id, lost_on=date(2025, 11, 1), reason=WithdrawalReason.RETIREMENT)
    return member, CollectionItem.get(CollectionItem.member == member.id)


def _cancel_loss(ctx):
    member, _ = _withdrawn(ctx)
    return lambda field, value: cancel_loss(ctx, member.id, reason=value)


def _return(ctx):
    _, item = _withdrawn(ctx)
    return lambda field, value: record_return(ctx, item.id, returned_on=TODAY, via=ReturnVia.EMPLOYER,
                                              condition=value)


def _close(ctx):
    _, item = _withdrawn(ctx)
    return lambda field, value: close_item(ctx, item.id, status=CollectionStatus.LOST, reason=value)


def _address_change(ctx):
    member = make_member(ctx, make_employer(ctx))

    def change(field, value):
        plan = plan_change(ctx, member.id, ChangeInput(member.id, RegisterChange.ADDRESS_CHANGE, TODAY,
                                                       {field: value}))
        apply_change(ctx, plan, expected_version=member.version)
        return reload_member(ctx, member.id).member

    return change


def _issue(ctx):
    member = make_member(ctx, make_employer(ctx))
    plan = plan_issue(ctx, member.id, CERT, IssueReason.NEW, Route.VIA_EMPLOYER)
    return lambda field, value: issue_document(ctx, plan, **{field: value})


# (action, field given to the service, DomainError.field expected, label in the message)
FIELDS = [
    (_cancellation, "applicant_name", "氏名", "氏名"),
    (_cancellation, "applicant_address", "住所", "住所"),
    (_cancellation, "applicant_phone", "連絡先", "連絡先"),
    (_cancellation, "reason", "理由", "理由"),
    (_cancellation, "proxy_name", "代理人氏名", "代理人氏名"),
    (_cancellation, "proxy_relationship", "代理人との関係", "代理人との関係"),
    (_loss_report, "police_report_ref", "警察への届出（受理番号など）", "警察への届出"),
    (_claim, "institution_name", "institution_name", "医療機関名"),
    (_claim, "late_reason", "late_reason", "期限後の受付理由"),
    (_cancel_loss, "reason", "reason", "取消の理由"),
    (_return, "condition", "condition", "状態"),
    (_close, "reason", "reason", "理由"),
    (_address_change, "address", "address", "住所"),
    (_address_change, "phone", "phone", "電話番号"),
    (_address_change, "postal_code", "postal_code", "郵便番号"),
    (_issue, "override_reason", "交付理由（対象外の交付）", "交付理由"),
    (_issue, "no_loss_report_reason", "滅失届がない理由", "滅失届がない理由"),
    (_issue, "reason_note", "備考", "備考"),
]
IDS = [f"{action.__name__[1:]}.{field}" for action, field, _, _ in FIELDS]


def _database_state(db) -> dict[str, list]:
    tables = [row[0] for row in db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: sorted(map(repr, db.execute_sql(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


@pytest.mark.parametrize(("action", "field", "error_field", "label"), FIELDS, ids=IDS)
def test_each_bad_shape_is_refused_in_every_free_text_field_and_writes_nothing(ctx, db, action, field,
                                                                                error_field, label):
    call = action(ctx)
    before = _database_state(db)
    for value in [*BAD, "長" * 1001]:
        with pytest.raises(DomainError) as err:
            call(field, value)
        assert err.value.field == error_field, (value, err.value.message)
        assert label in err.value.message, (value, err.value.message)
        # The refused value is never echoed: neither its digits nor its control characters.
        assert "5678" not in err.value.message and "\x1b" not in err.value.message
        assert _database_state(db) == before, value


def _saved(action, ctx, field, value):
    """The service call with `value` in `field` succeeds (the other fields are ordinary)."""
    return action(ctx)(field, value)


def test_the_same_fields_accept_ordinary_text_with_a_full_width_space(ctx):
    app = _saved(_cancellation, ctx, "applicant_address", "東京都千代田区　富士見１－１２－８　ＴＪＫプラザ")
    assert app.applicant_address == "東京都千代田区　富士見１－１２－８　ＴＪＫプラザ"
    assert app.applicant_name == "山田　太郎"
    assert app.applicant_phone == "03-3239-9819"
    claim = _saved(_claim, ctx, "institution_name", "山本　内科クリニック")
    assert claim.institution_name == "山本　内科クリニック"
    phone = _saved(_address_change, ctx, "phone", "０３　３２３９　９８１９")
    assert phone.phone == "03 3239 9819"  # a code: width-folded, the full-width space a separator


@pytest.mark.parametrize("value", ["一二三四　五六七八　九〇一二", "本人希望\x1b[2J\x1b[31m"])
def test_the_cli_refuses_the_same_text_and_issues_nothing(ctx, db_path, tmp_path, capsys, value):
    from clerk_tui.cli import main
    from clerk_tui.db.models import Document

    make_member(ctx, make_employer(ctx), symbol="4001", number="7", card_status="usable")
    out = tmp_path / "out"  # not the database's own folder, which --out refuses
    out.mkdir()
    code = main(["print", "certificate", "--member", "4001-7-00", "--out", str(out / "c.pdf"),
                 "--db", str(db_path), "--today", "2025-11-20", "--override-reason", value])
    err = capsys.readouterr().err
    assert code == 2
    assert "交付理由（対象外の交付）" in err and "\x1b" not in err and "九〇一二" not in err
    assert Document.select().count() == 0 and not (out / "c.pdf").exists()
