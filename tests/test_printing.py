"""From an issued record to a PDF file: the text a clerk and a member read, group-only files,
the print audit entry, the print command, the batch per employer and its resumption, and a
batch killed with SIGKILL several times."""

from __future__ import annotations

import io
import os
import random
import signal
import stat
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest

from clerk_tui.cli import main
from clerk_tui.config import Config
from clerk_tui.db.models import AuditEntry, Document, Employer, Member
from clerk_tui.domain.codes import CardStatus, DocumentKind, DocumentStatus, IssueReason, Relationship, Route
from clerk_tui.domain.errors import DomainError
from clerk_tui.scenarios import load_files
from clerk_tui.services.issuance import plan_issue
from clerk_tui.services.batch import batch_certificates, certificate_need
from clerk_tui.services.printing import issue_and_print, members_needing_certificate

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "fixtures" / "training" / "00_base.toml"


def _text(path: Path) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages)


@pytest.fixture
def pctx(ctx, tmp_path):
    load_files(ctx.db, [BASE])
    return replace(ctx, config=Config(db=Path(ctx.db.database), output_dir=tmp_path / "out",
                                     facility_secret_file=ctx.config.facility_secret_file))


def _member(pctx, **kw):
    from tests.factories import make_member
    from clerk_tui.db.models import Employer

    return make_member(pctx, Employer.get(Employer.code == "E001"), **kw)


def _issued_and_printed(done):
    assert done.print_error is None, done.print_error
    return done.issued, done.printed


def test_issue_and_print_writes_a_group_only_pdf_and_audits_it(pctx):
    m = _member(pctx, family_name="髙橋", given_name="一郎", family_name_kana="タカハシ",
                given_name_kana="イチロウ", birth_date=date(1980, 4, 2))
    plan = plan_issue(pctx, m.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.VIA_EMPLOYER)
    issued, printed = _issued_and_printed(issue_and_print(pctx, plan))
    assert printed.path.parent == pctx.config.output_dir
    assert stat.S_IMODE(printed.path.stat().st_mode) & 0o007 == 0
    assert m.member_code in printed.path.name and "髙橋" not in printed.path.name  # no names in listings
    text = _text(printed.path)
    assert "髙橋" in text and "令和10年3月31日" in text
    assert "負担割合******" in text.replace("\n", "").replace(" ", "") and "*******" not in text  # R5: six on a 資格確認書
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.member_id == m.id)]
    assert actions == ["document.issue", "document.print"]


def test_notice_carries_the_signed_facility_code(pctx, tmp_path):
    m = _member(pctx)
    plan = plan_issue(pctx, m.id, DocumentKind.ELIGIBILITY_NOTICE, IssueReason.NEW, Route.VIA_EMPLOYER)
    issued, printed = _issued_and_printed(issue_and_print(pctx, plan, out=tmp_path / "notice.pdf"))
    assert printed.path == tmp_path / "notice.pdf"
    assert issued.facility_code in _text(printed.path).replace("\n", "")


def test_print_command_is_run_with_the_file(pctx, tmp_path):
    log = tmp_path / "printed.txt"
    cfg = replace(pctx.config, print_command=["sh", "-c", f'echo "$1" > {log}', "sh", "{file}"])
    m = _member(pctx)
    plan = plan_issue(pctx, m.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.COUNTER)
    _, printed = _issued_and_printed(issue_and_print(replace(pctx, config=cfg), plan))
    assert printed.print_message == "印刷を依頼しました。"
    assert log.read_text().strip() == str(printed.path)



@pytest.mark.parametrize("setting", ["print_command", "output_dir"])
def test_a_bad_print_command_or_output_folder_refuses_before_the_document_is_issued(pctx, tmp_path, setting):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    bad = {"print_command": ["no-such-printer-command-xyz"], "output_dir": blocker / "out"}[setting]
    ctx = replace(pctx, config=replace(pctx.config, **{setting: bad}))
    m = _member(pctx)
    plan = plan_issue(ctx, m.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.COUNTER)
    audit_before = AuditEntry.select().count()
    with pytest.raises(DomainError, match="何も交付していません"):
        issue_and_print(ctx, plan)
    assert Document.select().where(Document.member == m.id).count() == 0
    assert AuditEntry.select().count() == audit_before


def test_a_pdf_that_cannot_be_made_after_issuing_is_reported_with_the_issued_document(pctx, monkeypatch):
    """Once issued, a failed render is returned beside the document (never raised as if nothing
    was issued), with the reprint command to make the file."""
    from clerk_tui.services import printing

    def broken(ctx, doc):
        raise OSError("disk full")

    monkeypatch.setattr(printing, "render", broken)
    m = _member(pctx)
    plan = plan_issue(pctx, m.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.COUNTER)
    seen = []
    done = issue_and_print(pctx, plan, on_issued=seen.append)
    assert done.printed is None and isinstance(done.print_error, OSError)
    assert seen == [done.issued] and Document.get_by_id(done.issued.document.id).status is DocumentStatus.VALID
    assert f"clerk-tui reprint {done.issued.document.serial}" in done.print_error_message()

def _eligible_members(pctx, n):
    return [_member(pctx, symbol="3001", number=str(100 + i), card_status=CardStatus.NO_CARD) for i in range(n)]


def test_batch_issues_once_and_resumes_after_an_interruption(pctx, monkeypatch):
    from clerk_tui.services import batch

    monkeypatch.setattr(batch, "GROUP_SIZE", 2)  # committed two by two: the third is interrupted
    monkeypatch.setattr(batch, "GROUP_SECONDS", 3600.0)  # groups cut by count only, not by a slow machine
    members = _eligible_members(pctx, 5)
    _member(pctx, symbol="3001", number="900", card_status=CardStatus.USABLE)  # not eligible (R3)
    calls = []

    def stop_after_two(done, total, employer):
        calls.append(done)
        if done == 3:
            raise KeyboardInterrupt  # the clerk pressed Ctrl+C during the run

    with pytest.raises(KeyboardInterrupt):
        batch_certificates(pctx, employer_code="E001", progress=stop_after_two)
    assert Document.select().count() == 2
    report = batch_certificates(pctx, employer_code="E001")
    assert (report.issued, report.already) == (3, 2)
    certs = Document.select().where(Document.kind == DocumentKind.ELIGIBILITY_CERTIFICATE)
    assert sorted(d.member_id for d in certs) == sorted(m.id for m in members)
    text = _text(report.files[0])
    assert "送付書" in text and all(m.member_code in text for m in members)
    # Nothing left to do: a third run issues nothing and rewrites the same complete file.
    again = batch_certificates(pctx, employer_code="E001")
    assert again.issued == 0 and Document.select().count() == 5


def test_an_expired_certificate_is_no_reason_to_leave_a_member_out(pctx):
    """R18: a 資格確認書 past its valid_until does not cover the member; a current one does."""
    from tests.factories import make_document

    expired, current = _eligible_members(pctx, 2)
    make_document(pctx, expired, issued_on=date(2022, 4, 1), valid_until=date(2025, 3, 31))
    make_document(pctx, current, issued_on=date(2025, 4, 1), valid_until=date(2028, 3, 31))
    employer = Employer.get(Employer.code == "E001")
    assert [m.id for m in members_needing_certificate(pctx, employer)] == [expired.id]


def test_batch_refuses_an_unknown_employer(pctx):
    with pytest.raises(Exception, match="登録されていません"):
        batch_certificates(pctx, employer_code="NOPE")
    with pytest.raises(DomainError, match="登録されていません") as err:
        certificate_need(pctx, "NOPE")
    assert err.value.field == "employer"


def test_certificate_need_previews_the_batch_without_writing(pctx):
    _eligible_members(pctx, 3)
    _member(pctx, symbol="3001", number="901", card_status=CardStatus.USABLE)  # not eligible (R3)
    need = certificate_need(pctx, "E001")
    assert (need.employer_code, need.count, need.employers) == ("E001", 3, 1) and need.employer_name
    everyone = certificate_need(pctx, None)
    assert everyone.employer_code is None and everyone.count == 3 and everyone.employers >= 1
    assert Document.select().count() == 0
    assert batch_certificates(pctx, employer_code="E001").issued == need.count


def test_print_and_batch_commands(pctx, db_path, tmp_path, capsys):
    m = _member(pctx, symbol="4001", number="7")
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'output_dir = "{tmp_path / "cli-out"}"\n', encoding="utf-8")
    out = tmp_path / "pdf" / "cert.pdf"  # not beside the database
    out.parent.mkdir()
    assert main(["print", "certificate", "--member", "4001-7-00", "--out", str(out), "--db", str(db_path),
                 "--today", "2025-12-10", "--config", str(cfg)]) == 0
    assert "資格確認書" in capsys.readouterr().out and "令和10年3月31日" in _text(out)
    _eligible_members(pctx, 2)
    assert main(["batch", "certificates", "--employer", "E001", "--db", str(db_path), "--today", "2025-12-10",
                 "--config", str(cfg)]) == 0
    assert "交付 2 件" in capsys.readouterr().out
    assert main(["print", "notice", "--member", "9999-1-00", "--db", str(db_path)]) == 2


@pytest.mark.slow
def test_batch_killed_with_sigkill_resumes_without_duplicates(tmp_path):
    """kill -9 at random points, several times; db check passes and a rerun completes the batch
    with each document issued exactly once."""
    from clerk_tui.db.database import open_database
    from clerk_tui.db.schema import init_schema
    from clerk_tui.scenarios.generator import generate_into

    db_path = tmp_path / "crash.db"
    db = open_database(db_path)
    init_schema(db)
    load_files(db, [BASE])
    generate_into(db, members=1500, seed=3)
    db.close()
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'output_dir = "{tmp_path / "out"}"\n', encoding="utf-8")
    cmd = [sys.executable, "-m", "clerk_tui", "batch", "certificates", "--db", str(db_path),
           "--today", "2026-10-01", "--config", str(cfg)]
    rng = random.Random(5)
    for _ in range(4):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(rng.uniform(1.0, 3.0))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert subprocess.run([sys.executable, "-m", "clerk_tui", "db", "check", "--db", str(db_path)],
                              cwd=ROOT, capture_output=True).returncode == 0
    assert not list((tmp_path / "out").glob(".*")) or all(not p.name.endswith(".pdf") for p in (tmp_path / "out").glob(".*"))
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    db = open_database(db_path)
    from clerk_tui.services.context import Context
    from clerk_tui.clock import Clock

    ctx = Context(db=db, clock=Clock(date(2026, 10, 1)), config=Config(output_dir=tmp_path / "out"))
    dup = db.execute_sql("select member_id from document where kind = ? and status = ? group by member_id "
                         "having count(*) > 1", (DocumentKind.ELIGIBILITY_CERTIFICATE.value,
                                                 DocumentStatus.VALID.value)).fetchall()
    assert dup == []
    from clerk_tui.db.models import Employer

    assert all(members_needing_certificate(ctx, e) == [] for e in Employer.select())
    batch_docs = Document.select().where(Document.batch_key.is_null(False)).count()
    issue_entries = AuditEntry.select().where(AuditEntry.action == "document.issue").count()
    assert batch_docs == issue_entries > 0  # every batch document has exactly its audit entry
    for pdf in (tmp_path / "out").glob("*.pdf"):
        assert pypdf.PdfReader(pdf).pages  # no half-written file under a final name
    db.close()


def test_only_documents_sent_via_the_employer_name_it(pctx, tmp_path):
    m = _member(pctx, postal_code="176-0001", address="東京都練馬区練馬1-17-3")
    plan = plan_issue(pctx, m.id, DocumentKind.ELIGIBILITY_NOTICE, IssueReason.NEW, Route.TO_MEMBER)
    _, printed = _issued_and_printed(issue_and_print(pctx, plan, out=tmp_path / "to_member.pdf"))
    assert "経由" not in _text(printed.path).split("様")[0]
    plan = plan_issue(pctx, m.id, DocumentKind.ELIGIBILITY_NOTICE, IssueReason.OTHER, Route.VIA_EMPLOYER)
    _, printed = _issued_and_printed(issue_and_print(pctx, plan, out=tmp_path / "via.pdf", reason_note="再送"))
    assert "経由" in _text(printed.path).split("様")[0]


def test_reprint_makes_the_same_document_again_without_issuing(pctx, db_path, tmp_path, capsys):
    m = _member(pctx, symbol="4002", number="8")
    plan = plan_issue(pctx, m.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.VIA_EMPLOYER)
    issued, _ = _issued_and_printed(issue_and_print(pctx, plan))
    out = tmp_path / "pdf" / "again.pdf"  # not beside the database
    out.parent.mkdir()
    assert main(["reprint", issued.document.serial, "--out", str(out), "--db", str(db_path)]) == 0
    assert issued.document.serial in _text(out)
    assert Document.select().count() == 1
    assert AuditEntry.select().where(AuditEntry.action == "document.print").count() == 2
    assert main(["reprint", "C1999-0000000", "--db", str(db_path)]) == 2


@pytest.mark.parametrize("kind", [DocumentKind.ELIGIBILITY_CERTIFICATE, DocumentKind.ELIGIBILITY_NOTICE])
def test_a_dependents_three_wari_prints_the_date_it_took_effect_for_the_dependent(pctx, tmp_path, kind):
    # The spouse has been 70–74 since 2022-05-01 (2割 while the insured was under 70); the insured
    # attained 70 on 2025-03-14 with 30万円, so the spouse's 3割 applies from 2025-04-01 (R5).
    insured = _member(pctx, symbol="4003", number="9", birth_date=date(1955, 3, 15), remuneration=300_000)
    spouse = _member(pctx, symbol="4003", number="9", branch="01", insured=insured, given_name="花子",
                     birth_date=date(1952, 4, 10), relationship=Relationship.SPOUSE)
    plan = plan_issue(pctx, spouse.id, kind, IssueReason.DETAILS_CHANGED, Route.VIA_EMPLOYER)
    issued, printed = _issued_and_printed(issue_and_print(pctx, plan, out=tmp_path / "spouse.pdf"))
    assert (issued.document.copay_ratio, issued.document.ratio_effective_from) == (3, date(2025, 4, 1))
    text = _text(printed.path)
    assert "3割（発効期日 令和7年4月1日）" in text
    assert "令和4年5月1日" not in text  # the spouse's own 70–74 date, when the ratio was still 2割


def test_a_certificate_sent_to_the_person_is_addressed_to_the_family_home(pctx, tmp_path):
    insured = _member(pctx, symbol="4004", number="10", postal_code="176-0001", address="東京都練馬区練馬1-17-3",
                      acquired_on=date(2015, 4, 1))
    child = _member(pctx, symbol="4004", number="10", branch="01", insured=insured, given_name="花子",
                    birth_date=date(2010, 5, 5), acquired_on=date(2018, 7, 1))  # no address of her own
    plan = plan_issue(pctx, child.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.TO_MEMBER)
    _, printed = _issued_and_printed(issue_and_print(pctx, plan, out=tmp_path / "child.pdf"))
    text = _text(printed.path).replace("\n", "").replace(" ", "")
    head = text.split("資格確認書")[0]
    assert head.replace("\u3000", "").startswith("〒176-0001東京都練馬区練馬1-17-3山田花子様"), head
    assert "経由" not in head
    assert "資格取得年月日平成30年7月1日" in text
    # Via the employer: no postal address on the sheet.
    plan = plan_issue(pctx, insured.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.VIA_EMPLOYER)
    _, printed = _issued_and_printed(issue_and_print(pctx, plan, out=tmp_path / "insured.pdf"))
    assert "〒176-0001" not in _text(printed.path)


def test_sending_to_a_person_without_an_address_is_refused_before_anything_is_written(pctx):
    m = _member(pctx, symbol="4005", number="11")
    before = Document.select().count()
    with pytest.raises(DomainError) as e:
        plan_issue(pctx, m.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.TO_MEMBER)
    assert e.value.field == "route" and "住所" in e.value.message
    assert Document.select().count() == before


def test_a_notice_loaded_from_a_scenario_is_reprinted_with_its_two_qr_codes(ctx, tmp_path):
    """Scenario files record お知らせ without a facility code: the first print gives the document
    one (written and audited once), so the PDF carries both QR codes and the code verifies."""
    import pypdfium2 as pdfium
    import zxingcpp

    from clerk_tui.scenarios import demo_fixture_files
    from clerk_tui.services.issuance import verify_facility_code
    from clerk_tui.services.printing import reprint

    load_files(ctx.db, demo_fixture_files())
    pctx = replace(ctx, config=replace(ctx.config, output_dir=tmp_path / "out"))
    doc = (Document.select().where(Document.kind == DocumentKind.ELIGIBILITY_NOTICE,
                                   Document.status == DocumentStatus.VALID,
                                   Document.facility_code_nonce.is_null()).order_by(Document.id).first())
    assert doc is not None, "the demo scenario has お知らせ without a facility code"
    audit_before = AuditEntry.select().count()

    first = reprint(pctx, doc.serial)
    page = pdfium.PdfDocument(first.path.read_bytes())[0]
    codes = [c.text for c in zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil())]
    assert len(codes) == 2 and pctx.config.mynaportal_url in codes, codes
    [facility] = [c for c in codes if c != pctx.config.mynaportal_url]
    assert verify_facility_code(pctx, facility).status == "valid"

    second = reprint(pctx, doc.serial)
    assert facility in _text(second.path).replace("\n", "")  # the same code on every print
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.id > audit_before).order_by(AuditEntry.id)]
    assert actions == ["document.facility_code", "document.print", "document.print"]


@pytest.mark.parametrize("kind", [DocumentKind.ELIGIBILITY_CERTIFICATE, DocumentKind.ELIGIBILITY_NOTICE])
@pytest.mark.parametrize("who", ["dependent_70_74", "insured_under_70"])
def test_the_preview_is_what_the_pdf_prints(pctx, tmp_path, kind, who):
    """The plan's preview and the PDF come from one data object: the fields the clerk reads
    before confirming are, label and text, in the PDF made from that plan."""
    from clerk_tui.forms.data import printed_fields
    from clerk_tui.services.printing import form_data

    insured = _member(pctx, symbol="4004", number="7", birth_date=date(1955, 3, 15), remuneration=300_000)
    if who == "dependent_70_74":
        member = _member(pctx, symbol="4004", number="7", branch="01", insured=insured, given_name="花子",
                         birth_date=date(1952, 4, 10), relationship=Relationship.SPOUSE)
    else:
        member = _member(pctx, symbol="4004", number="8", birth_date=date(1980, 1, 2))
    plan = plan_issue(pctx, member.id, kind, IssueReason.NEW, Route.VIA_EMPLOYER)
    issued, printed = _issued_and_printed(issue_and_print(pctx, plan, out=tmp_path / "doc.pdf"))

    # The PDF's data is the plan's, with the document's own serial and facility code.
    data = form_data(pctx, Document.get_by_id(issued.document.id))  # the service reads the record
    assert data == replace(plan.data, serial=issued.document.serial,
                           **({"facility_code": issued.facility_code} if issued.facility_code else {}))
    assert printed_fields(data) == printed_fields(plan.data)

    def squeeze(text: str) -> str:
        return "".join(text.split())

    text = squeeze(_text(printed.path))
    fields = dict(plan.fields)
    assert fields["書類"] == kind.label and kind.label in text
    assert fields.get("被保険者氏名") == (None if member.is_insured else insured.full_name)
    for label, value in printed_fields(plan.data):
        assert label in text and squeeze(value) in text, (label, value)
        assert fields[label] == value  # the screen shows exactly these
