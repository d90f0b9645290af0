"""The batch per employer: large batches in parts (分冊) with their own 送付書, drawn by worker
processes with the same bytes as in one process, resumed after an interruption, and the
交付待ち queue's requests issued, linked and listed."""

from __future__ import annotations

import io
import json
import stat
from datetime import date

import pypdf
import pytest

from clerk_tui.db.models import AuditEntry, Document, Employer, IssueRequest
from clerk_tui.domain.codes import CardStatus, DocumentKind, DocumentStatus, IssueCause, IssueRequestStatus
from clerk_tui.services.batch import BatchItem, batch_certificates, certificate_need, issue_item
from clerk_tui.services.issue_queue import queue_issue
from tests.test_printing import _member, _text, pctx  # noqa: F401 - pctx is a fixture

E001 = "E001"


def _flat(path) -> str:
    return _text(path).replace("\n", "").replace(" ", "")


def _eligible(pctx, n, symbol="3101"):  # noqa: F811
    return [_member(pctx, symbol=symbol, number=str(10 + i), card_status=CardStatus.NO_CARD) for i in range(n)]


def _pages(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def test_a_large_batch_comes_in_parts_each_with_the_cover_sheet_of_its_documents(pctx):  # noqa: F811
    members = _eligible(pctx, 7)
    report = batch_certificates(pctx, employer_code=E001, part_size=3)
    assert report.issued == 7 and report.employers == 1
    names = [p.name for p in report.files]
    assert len(names) == 3 and [n.split("_")[-1] for n in names] == ["01of03.pdf", "02of03.pdf", "03of03.pdf"]
    seen = []
    for number, path in enumerate(report.files, 1):
        assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0  # group-only, like every output file
        text = _flat(path)
        assert "送付書" in text and f"分冊{number}/3" in text and "計7件" in text
        codes = [m.member_code for m in members if m.member_code in text]
        assert len(codes) == (3 if number < 3 else 1)
        seen += codes
        assert _pages(path.read_bytes()) == 1 + len(codes)  # the cover, then one sheet each
    assert sorted(seen) == sorted(m.member_code for m in members)  # each member in exactly one part
    assert "No.記号・番号・枝番" in _flat(report.files[1]) and "4" + members[3].member_code in _flat(report.files[1])
    (entry,) = AuditEntry.select().where(AuditEntry.action == "batch.print")
    summary = json.loads(entry.summary)
    assert summary["parts"] == 3 and summary["files"] == names and summary["documents"] == 7


def test_a_small_batch_stays_one_file_under_its_usual_name(pctx):  # noqa: F811
    _eligible(pctx, 2)
    report = batch_certificates(pctx, employer_code=E001)
    (path,) = report.files
    assert path.name.endswith("_B20251120-E001.pdf") and "分冊" not in _flat(path)


@pytest.mark.slow
def test_two_drawing_processes_write_the_same_files_as_one(pctx):  # noqa: F811
    """The same batch drawn by two worker processes and then again in this process: the same
    bytes, pages and text."""
    _eligible(pctx, 5)
    two = batch_certificates(pctx, employer_code=E001, part_size=2, workers=2)
    by_two = [p.read_bytes() for p in two.files]
    again = batch_certificates(pctx, employer_code=E001, part_size=2, workers=1)  # rewrites the same batch
    assert (again.issued, again.already) == (0, 5) and again.files == two.files
    by_one = [p.read_bytes() for p in again.files]
    assert [_pages(b) for b in by_two] == [_pages(b) for b in by_one] == [3, 3, 2]
    assert [_text(p) for p in two.files] and by_two == by_one


def test_an_interrupted_batch_in_parts_is_completed_by_the_next_run(pctx, monkeypatch):  # noqa: F811
    from clerk_tui.services import batch

    monkeypatch.setattr(batch, "GROUP_SIZE", 4)  # one write transaction for four documents
    monkeypatch.setattr(batch, "GROUP_SECONDS", 3600.0)  # groups cut by count only, not by a slow machine
    members = _eligible(pctx, 7)

    def stop(done, total, employer):
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch_certificates(pctx, employer_code=E001, part_size=3, progress=stop)
    assert Document.select().count() == 4 and not list(pctx.config.output_dir.glob("*.pdf"))
    report = batch_certificates(pctx, employer_code=E001, part_size=3)
    assert (report.issued, report.already, len(report.files)) == (3, 4, 3)
    text = "".join(_flat(p) for p in report.files)
    assert all(m.member_code in text for m in members)
    assert Document.select().count() == 7


def _request(pctx, member, kind, cause, **kw):  # noqa: F811
    return pctx.write(lambda: queue_issue(member, kind, cause, date(2025, 11, 18), **kw))


def test_the_batch_issues_the_queue_links_each_request_and_lists_it_on_the_cover_sheet(pctx):  # noqa: F811
    new = _member(pctx, symbol="3201", number="1", card_status=CardStatus.NO_CARD)
    usable = _member(pctx, symbol="3201", number="2", card_status=CardStatus.USABLE)
    gone = _member(pctx, symbol="3201", number="3", card_status=CardStatus.USABLE)
    notice = _request(pctx, new, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT)
    cert = _request(pctx, new, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueCause.ENROLMENT)
    renamed = _request(pctx, usable, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.NAME_CHANGE)
    cancelled = _request(pctx, gone, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT)
    pctx.write(lambda: IssueRequest.update(status=IssueRequestStatus.CANCELLED).where(
        IssueRequest.id == cancelled.id).execute())
    need = certificate_need(pctx, E001)
    assert (need.count, need.requests) == (3, 3)  # the queued certificate is not counted twice

    report = batch_certificates(pctx, employer_code=E001)
    assert (report.issued, report.requests) == (3, 3)
    for req in (notice, cert, renamed):
        req = IssueRequest.get_by_id(req.id)
        assert req.status is IssueRequestStatus.ISSUED and req.document.kind is req.kind
        assert req.document.batch_key == "B20251120-E001" and req.document.member_id == req.member_id
    assert IssueRequest.get_by_id(cancelled.id).document is None
    assert not Document.select().where(Document.member == gone.id).exists()
    (path,) = report.files
    assert "_資格情報のお知らせ-資格確認書_送付_" in path.name
    text = _flat(path)
    assert "資格情報のお知らせ2件、資格確認書1件" in text
    assert all(code in text for code in (new.member_code, usable.member_code)) and gone.member_code not in text
    links = AuditEntry.select().where(AuditEntry.action == "issue_request.issue")
    assert sorted(e.record_id for e in links) == sorted(r.id for r in (notice, cert, renamed))
    # Nothing issued twice: a second run finds no request pending and nobody in need.
    assert batch_certificates(pctx, employer_code=E001).issued == 0
    assert Document.select().count() == 3


def test_a_ratio_change_prints_the_day_the_new_ratio_applies(pctx):  # noqa: F811
    elder = _member(pctx, symbol="3301", number="1", birth_date=date(1953, 6, 10),
                    card_status=CardStatus.USABLE, remuneration=300_000)
    _request(pctx, elder, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.RATIO_CHANGE,
             ratio_effective_from=date(2025, 9, 1))
    report = batch_certificates(pctx, employer_code=E001)
    doc = Document.get(Document.member == elder.id)
    assert doc.ratio_effective_from == date(2025, 9, 1) and doc.copay_ratio == 3
    assert "3割（発効期日令和7年9月1日）" in _flat(report.files[0])


def test_a_certificate_replaced_after_a_name_change_goes_to_its_holder(pctx):  # noqa: F811
    """The holder of a valid 資格確認書 whose name changed gets the new one even when they could
    use マイナ保険証 now: it replaces the one they hold; the old one is superseded."""
    from tests.factories import make_document

    holder = _member(pctx, symbol="3401", number="1", card_status=CardStatus.USABLE)
    old = make_document(pctx, holder)
    _request(pctx, holder, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueCause.NAME_CHANGE, replaces=old)
    assert batch_certificates(pctx, employer_code=E001).issued == 1
    new = Document.get(Document.member == holder.id, Document.status == DocumentStatus.VALID)
    assert new.supersedes_id == old.id and Document.get_by_id(old.id).status is DocumentStatus.SUPERSEDED


def test_a_request_cancelled_after_the_count_is_not_issued(pctx):  # noqa: F811
    m = _member(pctx, symbol="3501", number="1", card_status=CardStatus.USABLE)
    req = _request(pctx, m, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT)
    item = BatchItem(m.id, m.member_code, req.kind, req.reason, req.id)
    pctx.write(lambda: IssueRequest.update(status=IssueRequestStatus.CANCELLED).where(
        IssueRequest.id == req.id).execute())
    assert issue_item(pctx, item, "B20251120-E001") is None
    assert not Document.select().exists()
    assert Employer.get(Employer.code == E001)  # the employer is untouched


def test_the_batch_screen_counts_documents_when_the_queue_has_some():
    from clerk_tui.services.batch import CertificateNeed
    from clerk_tui.ui.screens.batch import BatchScreen

    queued = BatchScreen._need_text(CertificateNeed("E001", "株式会社みなと精機", 5, 1, 3)).plain
    assert queued == "E001 株式会社みなと精機: 交付する書類 5件（うち交付待ち 3件）"
    plain = BatchScreen._need_text(CertificateNeed("E001", "株式会社みなと精機", 2, 1)).plain
    assert plain == "E001 株式会社みなと精機: 交付が必要な方 2人"


@pytest.mark.slow
def test_a_name_no_font_can_draw_stops_the_batch_with_its_message_from_a_drawing_process(pctx):  # noqa: F811
    from clerk_tui.domain.errors import DomainError

    _eligible(pctx, 2)
    _member(pctx, symbol="3101", number="99", family_name="山\U0001F600", card_status=CardStatus.NO_CARD)
    with pytest.raises(DomainError, match="印字できない文字"):
        batch_certificates(pctx, employer_code=E001, workers=2)
    assert Document.select().count() == 3  # issued; the next run makes the file once the name is fixed


def _children(pid: int) -> set[int]:
    from pathlib import Path

    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


@pytest.mark.slow
def test_drawing_processes_end_with_a_batch_killed_with_sigkill_and_the_rerun_completes(tmp_path):
    """kill -9 of the batch process while its two workers draw: the workers end too (no process
    left waiting forever), and the next run finishes the batch without duplicates."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from clerk_tui.db.database import open_database
    from clerk_tui.db.schema import init_schema
    from clerk_tui.scenarios import load_files
    from clerk_tui.scenarios.generator import generate_into
    from tests.test_printing import BASE, ROOT

    db_path = tmp_path / "kill.db"
    db = open_database(db_path)
    init_schema(db)
    load_files(db, [BASE])
    generate_into(db, members=1500, seed=3)
    db.execute_sql("UPDATE member SET card_status = 'no_card'")
    db.close()
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'output_dir = "{tmp_path / "out"}"\n', encoding="utf-8")
    cmd = [sys.executable, "-m", "clerk_tui", "batch", "certificates", "--workers", "2", "--db", str(db_path),
           "--today", "2026-10-01", "--config", str(cfg)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    workers: set[int] = set()
    for _ in range(200):  # until the pool has started (or the run has ended)
        time.sleep(0.1)
        workers = _children(proc.pid)
        if len(workers) >= 2 or proc.poll() is not None:
            break
    time.sleep(1.0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert workers
    for _ in range(100):
        alive = {p for p in workers if os.path.exists(f"/proc/{p}") and "Z" not in
                 open(f"/proc/{p}/stat").read().split(")")[-1].split()[:1]}
        if not alive:
            break
        time.sleep(0.1)
    assert not alive
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    db = open_database(db_path)
    dup = db.execute_sql("SELECT member_id FROM document WHERE kind = 'eligibility_certificate' AND status = 'valid' "
                         "GROUP BY member_id HAVING COUNT(*) > 1").fetchall()
    assert dup == []
    per_batch = dict(db.execute_sql("SELECT batch_key, COUNT(*) FROM document WHERE batch_key IS NOT NULL "
                                    "GROUP BY batch_key").fetchall())
    printed: dict[str, int] = {}  # the most documents each batch's files were made with
    for (summary,) in db.execute_sql("SELECT summary FROM audit_entry WHERE action = 'batch.print'").fetchall():
        data = json.loads(summary)
        printed[data["batch"]] = max(printed.get(data["batch"], 0), data["documents"])
    db.close()
    # Every employer's files made with all its documents (an employer finished before the kill is
    # written again, with the same documents, by the rerun of the same day).
    issued = sum(per_batch.values())
    assert issued > 0 and printed == per_batch
    files = list((tmp_path / "out").glob("*.pdf"))
    assert sum(len(pypdf.PdfReader(p).pages) for p in files) > issued + len(files) - 1


def test_the_parts_read_in_bulk_print_what_each_document_read_alone_prints(pctx):  # noqa: F811
    """The batch reads a part's documents with only the columns the forms print, in one query:
    the form data of each document (insured and dependent, お知らせ and 資格確認書, an elder
    whose ratio is printed) is the same as from the document read whole."""
    from clerk_tui.services.batch import _part_documents
    from clerk_tui.services.issuance import insurer_info
    from clerk_tui.services.printing import form_data

    insured = _member(pctx, symbol="3601", number="1", card_status=CardStatus.NO_CARD, postal_code="100-0001",
                      address="東京都千代田区千代田1-1")
    _member(pctx, symbol="3601", number="1", branch="01", insured=insured, family_name="山田",
            given_name="花子", card_status=CardStatus.NO_CARD)
    _member(pctx, symbol="3601", number="2", birth_date=date(1953, 6, 10), card_status=CardStatus.NO_CARD)
    _request(pctx, insured, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT)
    assert batch_certificates(pctx, employer_code=E001).issued == 4
    ids = [d.id for d in Document.select(Document.id).order_by(Document.id)]
    insurer = insurer_info(pctx)
    bulk = [form_data(pctx, d, insurer) for d in _part_documents(ids)]
    alone = [form_data(pctx, Document.get_by_id(i), insurer) for i in ids]
    assert bulk == alone
    assert {type(d).__name__ for d in bulk} == {"NoticeData", "CertificateData"}
    assert any(d.is_dependent and d.insured_name == insured.full_name for d in bulk)
    assert any(d.ratio_effective_from is not None or "割" in d.copay_text for d in bulk)


def test_an_issue_in_the_callers_transaction_refuses_outside_one_and_is_audited_inside(pctx):  # noqa: F811
    """issue_document(same_transaction=True) reuses the plan's reads only inside the transaction
    the plan was made in; inside it, the issue is recorded with its audit entry as always, and a
    refused issue leaves nothing."""
    from clerk_tui.domain.codes import IssueReason, Route
    from clerk_tui.domain.errors import DomainError
    from clerk_tui.services.issuance import issue_document, plan_issue

    m = _member(pctx, symbol="3701", number="1", card_status=CardStatus.NO_CARD)
    plan = plan_issue(pctx, m.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.VIA_EMPLOYER,
                      preview=False)
    with pytest.raises(RuntimeError):
        issue_document(pctx, plan, same_transaction=True)
    assert not Document.select().exists()

    def issue():
        p = plan_issue(pctx, m.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW, Route.VIA_EMPLOYER,
                       preview=False)
        return issue_document(pctx, p, same_transaction=True, batch_key="B20251120-E001")

    doc = pctx.write(issue).document
    (entry,) = AuditEntry.select().where(AuditEntry.action == "document.issue")
    assert entry.record_id == doc.id and entry.clerk == pctx.clerk

    usable = _member(pctx, symbol="3701", number="2", card_status=CardStatus.USABLE)

    def refused():
        p = plan_issue(pctx, usable.id, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW,
                       Route.VIA_EMPLOYER, preview=False)
        return issue_document(pctx, p, same_transaction=True)

    with pytest.raises(DomainError):
        pctx.write(refused)
    assert not Document.select().where(Document.member == usable.id).exists()
