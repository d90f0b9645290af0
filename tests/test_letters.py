"""The letters from the records: 受付控, 滅失届, 督促状, 不足書類のお知らせ and 送付一覧 — text read
back from the PDFs, 和暦 dates, totals, group-only files without names, audit entries, the
reminder date recorded once per print, and a hand-over that changes nothing when it fails."""

from __future__ import annotations

import io
import json
import re
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest

from clerk_tui.clock import Clock
from clerk_tui.config import Config
from clerk_tui.db.models import AuditEntry, CollectionItem, Employer, ReimbursementClaim
from clerk_tui.domain.codes import (
    CardStatus,
    ClaimStatus,
    DocumentKind,
    LossCircumstance,
    Relationship,
    Sex,
    WithdrawalReason,
)
from clerk_tui.domain.errors import DomainError
from clerk_tui.scenarios import load_files
from clerk_tui.forms.data import InsurerInfo
from clerk_tui.forms.fonts import UnprintableText
from clerk_tui.forms.letters import render_reminder, render_transmittal
from clerk_tui.forms.letters_data import ReminderData, ReminderRow, TransmittalData, TransmittalRow
from clerk_tui.services.applications import (
    CancellationInput,
    LossReportInput,
    record_cancellation,
    record_loss_report,
    withdraw_cancellation,
)
from clerk_tui.services.letters import (
    forward_and_print,
    print_cancellation_receipt,
    print_loss_report,
    print_missing_papers_letter,
    print_reminder,
    print_transmittal,
)
from clerk_tui.services.reimbursement import ClaimInput, record_claim
from clerk_tui.services.withdrawal import record_withdrawal
from tests.conftest import TODAY
from tests.factories import make_document, make_member

BASE = Path(__file__).resolve().parents[1] / "fixtures" / "training" / "00_base.toml"
LONG_NAME = "寿限無寿限無五劫の擦り切れ海砂利水魚の水"  # 20 characters
INSURER = InsurerInfo(number="06139999", name="東京都情報サービス産業健康保険組合", postal_code="102-8017",
                      address="東京都千代田区富士見1-12-8 TJKプラザ", section_name="適用グループ",
                      phone="03-3239-9819", fax="03-3239-9735")


def pages(data: bytes | Path) -> list[str]:
    """Each page's text as pypdf extracts it, without whitespace (cells add spaces and breaks)."""
    raw = data.read_bytes() if isinstance(data, Path) else data
    return [re.sub(r"\s+", "", p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(raw)).pages]


def text(data: bytes | Path) -> str:
    return "".join(pages(data))


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id))


def assert_private_file(path: Path, lctx, code: str, *names: str) -> None:
    assert path.parent == lctx.config.output_dir
    assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0  # nothing for others: personal data
    assert path.name.startswith(f"{TODAY:%Y%m%d}_") and code in path.name
    for name in names:
        assert name not in path.name


@pytest.fixture
def lctx(ctx, tmp_path):
    load_files(ctx.db, [BASE])
    return replace(ctx, config=Config(db=Path(ctx.db.database), output_dir=tmp_path / "out",
                                     facility_secret_file=ctx.config.facility_secret_file))


def employer(code: str) -> Employer:
    return Employer.get(Employer.code == code)


# ---------------------------------------------------------------------------------------------
# 受付控


def test_cancellation_receipt_prints_the_application_as_recorded(lctx):
    m = make_member(lctx, employer("E001"), symbol="1001", number="204", family_name="田中", given_name="直樹",
                    birth_date=date(1988, 5, 17), card_status=CardStatus.USABLE)
    app = record_cancellation(lctx, CancellationInput(
        member_id=m.id, applicant_name="田中 直樹", applicant_birth_date=date(1988, 5, 17),
        received_on=date(2025, 11, 20), applicant_address="東京都目黒区目黒本町1-9-4",
        applicant_phone="090-0000-0104", reason="暗証番号を忘れることが多く不安なため",
        proxy_name="田中 花子", proxy_relationship="配偶者"))
    result = print_cancellation_receipt(lctx, app.id)

    assert_private_file(result.path, lctx, "1001-204-00", "田中")
    t = text(result.path)
    for expected in ("利用登録解除申請受付控", "記号1001番号204枝番00", "田中直樹", "昭和63年5月17日",
                     "東京都目黒区目黒本町1-9-4", "090-0000-0104", "暗証番号を忘れることが多く不安なため",
                     "田中花子", "配偶者",
                     "受付日令和7年11月20日",
                     "解除予定日令和7年12月31日（受付月の翌月末日）",  # R7: 受付月の翌月末日
                     "状況確認書交付待ち",
                     "完了のお知らせはお送りしません",  # R7: no completion notice
                     "資格確認書をお勤め先（事業所）を経由してお送りします",
                     f"受付番号K{app.id:06d}", "発行日令和7年11月20日", "03-3239-9819"):
        assert expected in t, expected
    assert "滅失届の提出が必要" not in t
    (entry,) = entries("cancellation.print_receipt")
    assert (entry.kind.value, entry.record_id, entry.member_id) == ("print", app.id, m.id)
    assert json.loads(entry.summary) == {"file": result.path.name}  # ids only, no names
    assert "田中" not in entry.summary


def test_receipt_of_a_certificate_holder_promises_no_new_certificate(lctx):
    """R7/R18: the member already holds a valid 資格確認書 (issued while the card was lost): the
    application is complete and the receipt does not announce another one."""
    m = make_member(lctx, employer("E001"), symbol="1001", number="205", card_status=CardStatus.CARD_LOST)
    make_document(lctx, m, issued_on=date(2025, 10, 1), valid_until=date(2028, 3, 31))
    app = record_cancellation(lctx, CancellationInput(
        member_id=m.id, applicant_name="山田 太郎", applicant_birth_date=m.birth_date, received_on=date(2025, 11, 20)))
    t = text(print_cancellation_receipt(lctx, app.id).path)
    assert "状況完了" in t and "資格確認書はお手元にあります" in t
    assert "経由してお送りします" not in t


def test_receipt_asks_for_the_loss_report_and_shows_a_withdrawal(lctx):
    m = make_member(lctx, employer("E003"), card_status=CardStatus.USABLE)
    make_document(lctx, m, kind=DocumentKind.LEGACY_CARD, issued_on=date(2015, 4, 8), valid_until=None)
    app = record_cancellation(lctx, CancellationInput(
        member_id=m.id, applicant_name="山田 太郎", applicant_birth_date=m.birth_date,
        received_on=date(2025, 11, 10), legacy_card_at_hand=False))
    t = text(print_cancellation_receipt(lctx, app.id).path)
    assert "健康保険証紛失（被保険者証滅失届が必要です）" in t and "状況受付" in t
    assert "被保険者証滅失届の提出が必要です" in t
    assert "住所（記載なし）" in t and "代理人なし（ご本人による申請）" in t

    withdraw_cancellation(lctx, app.id, expected_version=None)
    t = text(print_cancellation_receipt(lctx, app.id).path)  # the reprint: a second file, not overwritten
    assert "取下げ（令和7年11月20日）" in t and "取下げのため解除されません" in t
    assert "令和7年11月20日に取り下げられました" in t and "翌月末日（" not in t
    assert len(list(lctx.config.output_dir.iterdir())) == 2
    assert len(entries("cancellation.print_receipt")) == 2


def test_missing_records_are_refused(lctx):
    for fn in (print_cancellation_receipt, print_loss_report, print_missing_papers_letter, print_reminder):
        with pytest.raises(DomainError):
            fn(lctx, 999_999)
    assert not lctx.config.output_dir.exists() or not any(lctx.config.output_dir.iterdir())
    assert AuditEntry.select().where(AuditEntry.kind == "print").count() == 0


# ---------------------------------------------------------------------------------------------
# 滅失届


def test_loss_report_is_filled_in_with_an_empty_signature_line(lctx):
    insured = make_member(lctx, employer("E003"), symbol="1003", number="13", family_name="吉田",
                          given_name="由紀", postal_code="142-0062",
                          address="東京都品川区小山3-22-7 武蔵小山パークハウス402", phone="080-0000-0313")
    child = make_member(lctx, employer("E003"), symbol="1003", number="13", branch="01", insured=insured,
                        family_name="吉田", given_name="陽菜", family_name_kana="ヨシダ", given_name_kana="ヒナ",
                        birth_date=date(2021, 5, 5), sex=Sex.FEMALE, relationship=Relationship.CHILD)
    cert = make_document(lctx, child, issued_on=date(2025, 4, 1))
    report = record_loss_report(lctx, LossReportInput(
        member_id=child.id, document_kind=DocumentKind.ELIGIBILITY_CERTIFICATE, lost_on=date(2025, 11, 10),
        received_on=date(2025, 11, 18), circumstance=LossCircumstance.STOLEN,
        police_report_ref="品川警察署 受理番号第1234号", reissue_requested=True))
    result = print_loss_report(lctx, report.id)

    assert_private_file(result.path, lctx, "1003-13-01", "吉田")
    t = text(result.path)
    for expected in ("被保険者証滅失届", "理事長殿", "記号1003番号13枝番01", "被扶養者（家族）",
                     "ヨシダヒナ", "吉田陽菜", "生年月日令和3年5月5日性別女", "被保険者氏名吉田由紀",
                     "〒142-0062東京都品川区小山3-22-7武蔵小山パークハウス402",  # the family's address
                     "080-0000-0313", "株式会社ひかりシステムズ",
                     "証等の種類資格確認書", f"交付番号{cert.serial}", "交付年月日令和7年4月1日",
                     "滅失年月日令和7年11月10日",
                     "□紛失■盗難□き損□焼失□その他", "品川警察署受理番号第1234号", "■希望する□希望しない",
                     "届出年月日令和年月日",  # left for the member to date
                     "届出者（被保険者）氏名", "印",
                     "受付日令和7年11月18日", f"M{report.id:06d}"):
        assert expected in t, expected
    (entry,) = entries("loss_report.print")
    assert (entry.record_id, entry.member_id, json.loads(entry.summary)) == (report.id, child.id,
                                                                             {"file": result.path.name})


def test_loss_report_without_a_document_record(lctx):
    m = make_member(lctx, employer("E001"))
    report = record_loss_report(lctx, LossReportInput(
        member_id=m.id, document_kind=DocumentKind.LEGACY_CARD, lost_on=date(2025, 9, 1),
        received_on=date(2025, 11, 20), circumstance=LossCircumstance.MISLAID))
    t = text(print_loss_report(lctx, report.id).path)
    assert "証等の種類健康保険証" in t and "■紛失□盗難" in t and "■希望しない" in t
    assert "該当なし（盗難の場合のみ）" in t and "被保険者（本人）" in t and "被保険者氏名" not in t


# ---------------------------------------------------------------------------------------------
# 督促状


def _withdrawn_with_certificate(lctx, emp, number: str, lost_on: date, **kw):
    m = make_member(lctx, emp, symbol="1002", number=number, **kw)
    make_document(lctx, m, issued_on=date(2025, 4, 1), valid_until=date(2028, 3, 31))
    record_withdrawal(lctx, m.id, lost_on=lost_on, reason=WithdrawalReason.RETIREMENT)
    return m


def test_a_reminder_listing_a_certificate_due_back_after_a_name_change_says_so(lctx):
    from clerk_tui.domain.codes import RegisterChange
    from clerk_tui.services.changes import ChangeInput, apply_change, plan_change

    e2 = employer("E002")
    _withdrawn_with_certificate(lctx, e2, "58", date(2025, 10, 1), family_name="山口", given_name="剛")
    m = make_member(lctx, e2, symbol="1002", number="59", family_name="川口", given_name="緑")
    make_document(lctx, m, issued_on=date(2025, 4, 1), valid_until=date(2028, 3, 31))
    plan = plan_change(lctx, m.id, ChangeInput(m.id, RegisterChange.NAME_CHANGE, date(2025, 11, 1),
                                               {"family_name": "海野", "family_name_kana": "ウミノ"}))
    apply_change(lctx, plan, expected_version=m.version)

    t = text(print_reminder(lctx, e2.id).path)
    for expected in ("資格喪失・氏名変更による資格確認書等の返却について", "資格を喪失され、または氏名を変更されて",
                     "変更前の氏名の資格確認書です", "交付番号喪失・変更日経過日数",
                     "1002・58・00山口剛資格確認書", "1002・59・00海野緑資格確認書（氏名変更）"):
        assert expected in t, expected


def test_a_reminder_of_losses_only_speaks_of_losses(lctx):
    e2 = employer("E002")
    _withdrawn_with_certificate(lctx, e2, "58", date(2025, 10, 1))
    t = text(print_reminder(lctx, e2.id).path)
    assert "資格喪失者の資格確認書等の返却について" in t and "氏名" not in t.split("記号・番号")[0]
    assert "交付番号喪失日経過日数" in t


def test_reminder_lists_the_outstanding_items_and_records_the_date_once(lctx):
    e2 = employer("E002")
    a = _withdrawn_with_certificate(lctx, e2, "58", date(2025, 10, 1), family_name="山口", given_name="剛")
    earlier = replace(lctx, clock=Clock(date(2025, 11, 5)))
    print_reminder(earlier, e2.id)  # an earlier reminder, for a's item only
    b = _withdrawn_with_certificate(lctx, e2, "77", date(2025, 11, 1), family_name="佐藤", given_name="花子")
    other = _withdrawn_with_certificate(lctx, employer("E001"), "90", date(2025, 11, 1))
    before = len(entries("collection.reminder"))

    result = print_reminder(lctx, e2.id)

    assert_private_file(result.path, lctx, "E002", "千代田", "山口", "佐藤")
    t = text(result.path)
    for expected in ("〒101-0052", "東京都千代田区神田小川町2-4-6", "千代田商事株式会社御中", "管理部渋谷様",
                     "督促状", "至急当組合へご返却くださいますようお願いいたします",
                     "資格喪失届は、資格喪失日から5日以内に",  # R9
                     "発行日令和7年11月20日", "文書番号D20251120-E002", "未返却の書類：2件",
                     "記号・番号・枝番氏名書類交付番号喪失日経過日数前回督促日",
                     # a: lost 10/1, 50 days ago, reminded on 11/5; b: never reminded
                     "1002・58・00山口剛資格確認書", "令和7年10月1日50日令和7年11月5日",
                     "1002・77・00佐藤花子資格確認書", "令和7年11月1日19日なし", "以上"):
        assert expected in t, expected
    assert "1002・90・00" not in t  # another employer's item

    items = {i.member_id: i for i in CollectionItem.select()}
    assert items[a.id].reminder_sent_on == items[b.id].reminder_sent_on == TODAY
    assert items[other.id].reminder_sent_on is None
    new = entries("collection.reminder")[before:]
    assert len(new) == 1  # one print, one record of the reminder
    assert (new[0].kind.value, new[0].table_name, new[0].record_id) == ("print", "employer", e2.id)
    summary = json.loads(new[0].summary)
    assert sorted(summary["items"]) == sorted(result.record_ids) == sorted([items[a.id].id, items[b.id].id])
    assert summary["file"] == result.path.name

    # A second letter the same day is a second print: its own file, its own entry, and it shows
    # the first one as the previous reminder.
    again = print_reminder(lctx, e2.id)
    assert again.path != result.path
    assert text(again.path).count("令和7年11月20日") >= 3  # 発行日 and both 前回督促日
    assert len(entries("collection.reminder")) == before + 2


def test_reminder_for_an_employer_with_nothing_outstanding(lctx):
    with pytest.raises(DomainError, match="未回収の書類はありません"):
        print_reminder(lctx, employer("E004").id)
    assert entries("collection.reminder") == []


def test_long_reminder_runs_over_pages_with_the_header_repeated():
    rows = tuple(ReminderRow(code=f"1002-{100 + i}-00", name=LONG_NAME if i == 7 else f"山口　剛{i}",
                             document_label="資格確認書", serial=f"C2025-{i:07d}", lost_on=date(2025, 10, 1),
                             days=50, last_reminded_on=None) for i in range(70))
    data = ReminderData(insurer=INSURER, employer_code="E002", employer_name="千代田商事株式会社",
                        employer_postal_code="101-0052", employer_address="東京都千代田区神田小川町2-4-6",
                        employer_contact=None, issued_on=TODAY, reference="D20251120-E002", rows=rows)
    ps = pages(render_reminder(data))
    assert len(ps) == 3
    for n, page in enumerate(ps, 1):
        assert "記号・番号・枝番氏名書類交付番号喪失日経過日数前回督促日" in page
        assert "D20251120-E002" in page and f"{n}/3" in page
    assert all("督促状（続き）" in p for p in ps[1:])
    assert ("以上" in ps[-1]) and not any("以上" in p for p in ps[:-1])
    joined = "".join(ps)
    assert all(joined.count(f"1002・{100 + i}・00") == 1 for i in range(70))  # every row once
    assert LONG_NAME in joined  # shrunk to its cell, still text


# ---------------------------------------------------------------------------------------------
# 立替払: 不足書類のお知らせ and 送付一覧


def _claim(lctx, member, **kw) -> ReimbursementClaim:
    base = dict(member_id=member.id, institution_name="松原こどもクリニック", treatment_month=date(2025, 10, 1),
                paid_on=date(2025, 10, 15), amount_paid="10,000")
    base.update(kw)
    return record_claim(lctx, ClaimInput(**base))


@pytest.fixture
def family(lctx):
    insured = make_member(lctx, employer("E005"), symbol="1005", number="22", family_name="𠮷田",
                          given_name="裕子", birth_date=date(1990, 2, 2), postal_code="156-0043",
                          address="東京都世田谷区松原1-38-19")
    child = make_member(lctx, employer("E005"), symbol="1005", number="22", branch="01", insured=insured,
                        family_name="𠮷田", given_name="陽菜", birth_date=date(2021, 5, 5))
    return insured, child


def test_missing_papers_letter_goes_to_the_insured_and_names_the_missing_papers(lctx, family):
    insured, child = family
    claim = _claim(lctx, child, receipt_received=True)
    result = print_missing_papers_letter(lctx, claim.id)

    assert_private_file(result.path, lctx, "1005-22-01", "𠮷田", "吉田")
    t = text(result.path)
    for expected in ("〒156-0043", "東京都世田谷区松原1-38-19", "𠮷田裕子様",  # the insured person
                     "療養費（立替払）請求書類の不足について", "受診者氏名𠮷田陽菜", "1005・22・01",
                     "医療機関松原こどもクリニック", "診療月令和7年10月", "支払日令和7年10月15日",
                     "支払額（10割）10,000円", "令和7年11月20日にお受けした",
                     "受領済領収書（原本）", "■不足レセプト（診療報酬明細書）", "■不足立替払請求書",
                     "「診療明細書」では請求できません",
                     "請求期限令和9年10月15日",  # rules.claim_deadline: two years from the day after
                     "給付グループTEL03-3239-9817", f"受付番号R{claim.id:06d}"):
        assert expected in t, expected
    assert t.count("■不足") == 2
    (entry,) = entries("claim.print_missing_papers")
    assert (entry.record_id, entry.member_id) == (claim.id, child.id)
    assert json.loads(entry.summary) == {"missing": ["medical_statement_received", "claim_form_received"],
                                         "file": result.path.name}


def test_no_missing_papers_letter_for_a_complete_claim(lctx, family):
    claim = _claim(lctx, family[0], receipt_received=True, medical_statement_received=True,
                   claim_form_received=True)
    with pytest.raises(DomainError, match="そろっています"):
        print_missing_papers_letter(lctx, claim.id)
    assert entries("claim.print_missing_papers") == []


def _complete(lctx, member, **kw) -> ReimbursementClaim:
    return _claim(lctx, member, receipt_received=True, medical_statement_received=True,
                  claim_form_received=True, **kw)


def test_forward_and_print_marks_the_claims_and_lists_them_with_totals(lctx, family):
    insured, child = family
    c1 = _complete(lctx, insured, amount_paid="10,000")  # 3割 → 7,000
    c2 = _complete(lctx, child, amount_paid="12,340", institution_name="さくら薬局", is_pharmacy=True)  # 2割
    c3 = _complete(lctx, insured, amount_paid="4,500", institution_name="千代田クリニック",
                   treatment_month=date(2025, 11, 1), paid_on=date(2025, 11, 5))
    left = _claim(lctx, insured, institution_name="別の医院")  # incomplete: not part of the list
    before = {c.id: c.estimated_refund for c in (c1, c2, c3)}
    assert before == {c1.id: 7_000, c2.id: 9_872, c3.id: 3_150}

    result = forward_and_print(lctx, [c3.id, c1.id, c2.id])

    assert_private_file(result.path, lctx, "3件", "𠮷田", "吉田")
    claims = {c.id: c for c in ReimbursementClaim.select()}
    assert all(claims[i].status is ClaimStatus.FORWARDED and claims[i].forwarded_on == TODAY
               for i in (c1.id, c2.id, c3.id))
    assert claims[left.id].status is ClaimStatus.INCOMPLETE and claims[left.id].forwarded_on is None
    t = text(result.path)
    for expected in ("給付グループ御中", "療養費（立替払）請求送付一覧", "回付日令和7年11月20日",
                     f"送付番号S20251120-{c1.id}",
                     "記号・番号・枝番氏名医療機関診療月支払額給付見込額",
                     "1005・22・00𠮷田裕子松原こどもクリニック令和7年10月10,000円7,000円",
                     "1005・22・00𠮷田裕子千代田クリニック令和7年11月4,500円3,150円",
                     "1005・22・01𠮷田陽菜さくら薬局令和7年10月12,340円9,872円",
                     "合計（3件）26,840円20,022円",
                     "件数3件支払額合計26,840円給付見込額合計20,022円", "受領日"):
        assert expected in t, expected
    assert "別の医院" not in t
    assert sorted(result.record_ids) == sorted([c1.id, c2.id, c3.id])
    (forward,) = entries("claim.forward")
    (printed,) = entries("claim.print_transmittal")
    assert forward.id < printed.id and printed.kind.value == "print"
    assert json.loads(printed.summary) == {"claims": list(result.record_ids), "file": result.path.name}

    with pytest.raises(DomainError, match="回付済"):  # forwarded once only
        forward_and_print(lctx, [c1.id])
    reprint = print_transmittal(lctx, [c1.id, c2.id, c3.id])
    assert text(reprint.path) == t  # the same list, from the records


def test_forward_and_print_refuses_an_incomplete_claim_and_changes_nothing(lctx, family):
    good = _complete(lctx, family[0])
    bad = _claim(lctx, family[1])
    with pytest.raises(DomainError, match=f"R{bad.id:06d}（不備）"):
        forward_and_print(lctx, [good.id, bad.id])
    assert ReimbursementClaim.get_by_id(good.id).status is ClaimStatus.COMPLETE
    assert entries("claim.forward") == [] and entries("claim.print_transmittal") == []
    assert not lctx.config.output_dir.exists() or not any(lctx.config.output_dir.iterdir())
    with pytest.raises(DomainError):
        forward_and_print(lctx, [])


def test_an_unprintable_name_stops_the_hand_over_before_anything_is_marked(lctx, family):
    claim = _complete(lctx, family[0], institution_name="クリニック\U0001F600")
    with pytest.raises(UnprintableText):
        forward_and_print(lctx, [claim.id])
    assert ReimbursementClaim.get_by_id(claim.id).status is ClaimStatus.COMPLETE
    assert entries("claim.forward") == []


def test_long_transmittal_puts_the_totals_on_the_last_page():
    rows = tuple(TransmittalRow(reference=f"R{i:06d}", code=f"1005-{i + 1}-00",
                                name=LONG_NAME if i == 3 else f"𠮷田　裕子{i}",
                                institution_name="医療法人社団青葉会 松原こどもクリニック", is_pharmacy=False,
                                treatment_month=date(2025, 10, 1), amount_paid=1_000 * (i + 1),
                                estimated_refund=700 * (i + 1)) for i in range(60))
    data = TransmittalData(insurer=INSURER, benefits_section_name="給付グループ", forwarded_on=TODAY,
                           reference="S20251120-1", rows=rows)
    ps = pages(render_transmittal(data))
    assert len(ps) == 2
    assert all("記号・番号・枝番氏名医療機関診療月支払額給付見込額" in p for p in ps)
    total_paid, total_refund = sum(r.amount_paid for r in rows), sum(r.estimated_refund for r in rows)
    assert f"合計（60件）{total_paid:,}円{total_refund:,}円" in ps[-1]
    assert "合計（60件）" not in ps[0] and "受領日" in ps[-1]
    assert LONG_NAME in "".join(ps)


def test_the_longest_values_the_records_allow_stay_inside_the_text_column():
    """Names of 81 characters (40 + 40 and a space), 100-character employers and institutions,
    200-character addresses and reasons: every character drawn between the margins, on one page."""
    import pypdfium2 as pdfium

    from clerk_tui.forms.letters import render_cancellation_receipt, render_loss_report, render_missing_papers
    from clerk_tui.forms.letters_data import CancellationReceiptData, LossReportData, MissingPapersData

    name = "長" * 40 + "　" + "名" * 40
    address = ("東京都千代田区富士見一丁目十二番八号 TJKプラザ 南ウイング十五階 総務部 気付 " * 4)[:200]
    employer_name = ("株式会社ながいなまえ" * 10)[:100]
    institution = ("医療法人社団ながいなまえ会 クリニック" * 6)[:100]
    receipt = CancellationReceiptData(
        insurer=INSURER, reference="K000001", issued_on=TODAY, symbol="12345678", number="12345678",
        branch="01", applicant_name=name[:60], applicant_birth_date=date(1988, 5, 17), applicant_address=address,
        applicant_phone="090-0000-0000-000000", reason=("とても長い理由。" * 30)[:200], proxy_name=name[:60],
        proxy_relationship="代" * 30, received_on=TODAY, effective_on=date(2025, 12, 31), status_label="受付",
        legacy_card_at_hand=False, needs_loss_report=True)
    loss = LossReportData(
        insurer=INSURER, reference="M000001", issued_on=TODAY, symbol="12345678", number="12345678", branch="01",
        name=name, name_kana="ナ" * 81, birth_date=date(2021, 5, 5), sex_label="女", is_dependent=True,
        insured_name=name, postal_code="142-0062", address=address, phone="090-0000-0000-000000",
        employer_name=employer_name, document_label="特定疾病療養受療証", document_serial="C2025-0000000000001",
        document_issued_on=date(2025, 4, 1), lost_on=date(2025, 11, 10), circumstance_label="盗難",
        circumstance_choices=tuple(c.label for c in LossCircumstance), police_report_ref="警" * 60,
        reissue_requested=True, received_on=TODAY)
    letter = MissingPapersData(
        insurer=INSURER, reference="R000001", issued_on=TODAY, addressee_name=name, addressee_postal_code="156-0043",
        addressee_address=address, symbol="12345678", number="12345678", branch="01", patient_name=name,
        institution_name=institution, is_pharmacy=True, treatment_month=date(2025, 10, 1), paid_on=date(2025, 10, 15),
        amount_paid=99_999_999, received_on=TODAY, receipt_received=False, medical_statement_received=False,
        claim_form_received=False, deadline=date(2027, 10, 15), benefits_section_name="給付グループ",
        benefits_phone="03-3239-9817")
    reminder = ReminderData(
        insurer=INSURER, employer_code="E" * 16, employer_name=employer_name, employer_postal_code="101-0052",
        employer_address=address, employer_contact="担" * 60, issued_on=TODAY, reference="D20251120-E002",
        rows=(ReminderRow(code="12345678-12345678-01", name=name, document_label="特定疾病療養受療証",
                          serial="C2025-0000000000001", lost_on=date(2019, 4, 30), days=9999,
                          last_reminded_on=date(2025, 11, 30)),))
    transmittal = TransmittalData(
        insurer=INSURER, benefits_section_name="給付グループ", forwarded_on=TODAY, reference="S20251120-1",
        rows=(TransmittalRow(reference="R000001", code="12345678-12345678-01", name=name,
                             institution_name=institution, is_pharmacy=True, treatment_month=date(2025, 10, 1),
                             amount_paid=99_999_999, estimated_refund=79_999_999),))
    left, right = 14.5 * 72 / 25.4, 195.5 * 72 / 25.4  # the text column, 15–195 mm, with half a mm
    for pdf in (render_cancellation_receipt(receipt), render_loss_report(loss), render_missing_papers(letter),
                render_reminder(reminder), render_transmittal(transmittal)):
        doc = pdfium.PdfDocument(pdf)
        assert len(doc) == 1
        page = doc[0].get_textpage()
        boxes = [page.get_charbox(i) for i in range(page.count_chars())]
        outside = [(i, b) for i, b in enumerate(boxes) if b[2] > b[0] and (b[0] < left or b[2] > right)]
        assert outside == [], outside[:3]
        assert _overlapping(boxes) == []  # a text run out of its cell lands on its neighbour's
        assert name[:60].replace("　", "") in re.sub(r"\s+", "", page.get_text_range())


def _overlapping(boxes: list[tuple[float, float, float, float]]) -> list[tuple[int, int]]:
    """Pairs of character boxes (left, bottom, right, top) that cover each other by more than a
    quarter of the smaller one."""
    found = []
    order = sorted((b for b in boxes if b[2] > b[0] and b[3] > b[1]), key=lambda b: b[0])
    for i, a in enumerate(order):
        for b in order[i + 1:]:
            if b[0] >= a[2]:
                break
            w = min(a[2], b[2]) - b[0]
            h = min(a[3], b[3]) - max(a[1], b[1])
            smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
            if w > 0 and h > 0 and w * h > smaller / 4:
                found.append((a, b))
    return found
