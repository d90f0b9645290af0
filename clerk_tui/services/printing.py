"""Turning issued documents into PDF files: the form data from the records, atomic output into the
configured folder, the optional print command, and the audit entry of every print; and who
needs a 資格確認書 (the batch per employer, in services/batch.py, issues to them)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peewee import SQL, fn

from clerk_tui.db.models import Document, Employer, Member
from clerk_tui.db.standing import in_force
from clerk_tui.domain import rules
from clerk_tui.domain.codes import AuditKind, DocumentKind, DocumentStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.facility_code import make_code, new_nonce
from clerk_tui.filecheck import PDF, check_destination, check_print_command, fill_print_command, print_command_args
from clerk_tui.services import audit
from clerk_tui.services.context import Context, touch
from clerk_tui.services.issuance import IssuePlan, Issued, document_data, facility_secret, insurer_info, issue_document
from clerk_tui.services.rows import DocumentRow, document_row


def _ratio(doc: Document) -> str:
    return f"{doc.copay_ratio}割" if doc.copay_ratio else rules.masked_ratio_for(doc.kind)


def form_data(ctx: Context, doc: Document, insurer=None):
    """The renderer's input for one issued document, from the records as they are now: the same
    builder as the preview of the plan, with the document's serial and facility code."""
    code = None
    if doc.kind is DocumentKind.ELIGIBILITY_NOTICE:
        if not doc.facility_code_nonce:
            raise DomainError(f"{doc.serial} には施設確認コードがありません。")
        code = make_code(doc.facility_code_nonce, facility_secret(ctx))
    m: Member = doc.member
    capped = (doc.kind is DocumentKind.ELIGIBILITY_CERTIFICATE
              and doc.valid_until == rules.loss_on_reaching_75(m.birth_date) - rules.ONE_DAY)
    return document_data(ctx, m, doc.kind, route=doc.route, issued_on=doc.issued_on, valid_until=doc.valid_until,
                         capped_at_75=capped, copay_text=_ratio(doc), ratio_effective_from=doc.ratio_effective_from,
                         serial=doc.serial, facility_code=code, insurer=insurer)


def render(ctx: Context, doc: Document) -> bytes:
    from clerk_tui.forms.certificate import render_certificate
    from clerk_tui.forms.notice import render_notice

    data = form_data(ctx, doc)
    return render_notice(data) if doc.kind is DocumentKind.ELIGIBILITY_NOTICE else render_certificate(data)


PRINT_REQUESTED = "印刷を依頼しました。"


def deliver(ctx: Context, pdf: bytes, filename: str, out: Path | None) -> tuple[Path, str | None]:
    """Write the PDF (atomically, group-readable only) and hand it to the print command."""
    from clerk_tui.forms.output import write_pdf_atomically

    command = print_command_args(ctx.config.print_command)  # a bad setting fails before writing
    if out is not None:
        # Never onto the database or a file that is not a PDF (the CLI also checks the folder).
        out = check_destination(out, db_path=Path(ctx.db.database), replaceable=PDF, allow_db_folder=True)
        path = write_pdf_atomically(pdf, out.parent, out.name, replace=True)
    else:
        path = write_pdf_atomically(pdf, Path(ctx.config.output_dir), filename)
    printed = None
    if command:
        # An argument list, no shell: nothing in the file name is ever run as a command.
        args = fill_print_command(command, path)
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            printed = f"印刷コマンドを実行できません: {exc}"
        else:
            printed = PRINT_REQUESTED if done.returncode == 0 else \
                f"印刷コマンドが失敗しました（終了コード {done.returncode}）: {done.stderr.strip()[:200]}"
    return path, printed


def _with_facility_code(ctx: Context, doc: Document) -> Document:
    """A お知らせ recorded without a facility code (loaded from a scenario file) gets one the first
    time it is printed, in its own write transaction with an audit entry; every later print
    shows the same code."""
    if doc.kind is not DocumentKind.ELIGIBILITY_NOTICE or doc.facility_code_nonce:
        return doc
    facility_secret(ctx)  # no key file: refused before anything is written

    def write() -> Document:
        fresh = Document.get_by_id(doc.id)
        if not fresh.facility_code_nonce:  # another clerk may have printed it meanwhile
            fresh.facility_code_nonce = new_nonce()
            touch(fresh, ctx)
            fresh.save()
            audit.record(ctx, AuditKind.WRITE, "document.facility_code", table="document", record_id=fresh.id,
                         member_id=fresh.member_id)
        return fresh

    return ctx.write(write)


@dataclass(frozen=True)
class Printed:
    document: DocumentRow
    path: Path
    print_message: str | None = None


def print_document(ctx: Context, document_id: int, *, out: Path | None = None) -> Printed:
    """Render an issued document to its file (a reprint gives the same content) and audit it."""
    from clerk_tui.forms.output import safe_filename

    doc = Document.get_or_none(Document.id == document_id)
    if doc is None:
        raise DomainError(f"書類が見つかりません（ID {document_id}）。")
    doc = _with_facility_code(ctx, doc)
    pdf = render(ctx, doc)
    path, message = deliver(ctx, pdf, safe_filename(doc.issued_on, doc.kind.label, doc.member.member_code,
                                                     doc.serial), out)
    ctx.write(lambda: audit.record(ctx, AuditKind.PRINT, "document.print", table="document", record_id=doc.id,
                                   member_id=doc.member_id, summary={"file": path.name}))
    return Printed(document_row(doc, today=ctx.clock.today(), lost_on=doc.member.lost_on), path, message)


def ensure_output_dir(config) -> None:
    """The configured output folder, made (group-only) if missing; refused, with a message that
    nothing was issued, when it cannot be made or written to."""
    from clerk_tui.db.database import private_umask

    folder = Path(config.output_dir).expanduser()
    try:
        with private_umask():
            folder.mkdir(mode=0o750, parents=True, exist_ok=True)
    except OSError as exc:
        raise DomainError(f"出力フォルダ {folder} を作成できません（設定 output_dir、{exc.strerror}）。"
                          "何も交付していません。", field="output_dir") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DomainError(f"出力フォルダ {folder} に書き込む権限がありません（設定 output_dir）。何も交付していません。",
                          field="output_dir")


def check_output(ctx: Context, out: Path | None = None, *, allow_db_folder: bool = True) -> Path | None:
    """Refuse, before any write, an `out` file that would overwrite something else or lead
    nowhere, a configured output folder that cannot be made, and a print command that is not
    there. Returns the checked `out`. The command line refuses an `out` in the database's folder
    unless the clerk says otherwise (--allow-db-folder); the screens never choose the file."""
    check_print_command(ctx.config.print_command)
    if out is not None:
        return check_destination(out, db_path=Path(ctx.db.database), replaceable=PDF,
                                 allow_db_folder=allow_db_folder)
    ensure_output_dir(ctx.config)
    return None


@dataclass(frozen=True)
class IssuedAndPrinted:
    """An issued document and its file. When the file could not be made, `printed` is None and
    `print_error` says why: the document is issued all the same, and must not be issued again."""

    issued: Issued
    printed: Printed | None
    print_error: BaseException | None = None

    def print_error_message(self) -> str:
        serial = self.issued.document.serial
        return (f"{serial} の交付は記録済みですが、PDF を作成できませんでした（{self.print_error}）。"
                f"`clerk-tui reprint {serial}` で作り直してください。")


def issue_and_print(ctx: Context, plan: IssuePlan, *, out: Path | None = None, allow_db_folder: bool = True,
                    on_issued: Callable[[Issued], None] | None = None, **reasons: str | None) -> IssuedAndPrinted:
    """The one way to issue a document and make its PDF, for the screen and the command line:
    the output folder (or `out`) and the print command are checked first, so that a bad setting
    refuses with nothing issued; then the document is issued (one transaction) and printed.
    `on_issued` is told as soon as the document is issued (the screen's progress message)."""
    out = check_output(ctx, out, allow_db_folder=allow_db_folder)
    issued = issue_document(ctx, plan, **reasons)
    if on_issued is not None:
        on_issued(issued)
    try:
        return IssuedAndPrinted(issued, print_document(ctx, issued.document.id, out=out))
    except Exception as exc:  # noqa: BLE001 - the caller shows it with the issued document
        return IssuedAndPrinted(issued, None, exc)


def reprint(ctx: Context, serial: str, *, out: Path | None = None, allow_db_folder: bool = True) -> Printed:
    """A new file of an issued document (no new issue), after the same checks as issuing."""
    out = check_output(ctx, out, allow_db_folder=allow_db_folder)
    doc = Document.get_or_none(Document.serial == serial.strip())
    if doc is None:
        raise DomainError(f"交付番号「{serial}」の書類はありません。", field="serial")
    return print_document(ctx, doc.id, out=out)


# ---------------------------------------------------------------------------------------------
# Who a batch per employer (services/batch.py) issues a 資格確認書 to


def members_needing_certificate(ctx: Context, employer: Employer) -> list[Member]:
    """Qualified members of the employer who are eligible (R3) and hold no valid, not expired
    資格確認書 (R18: one past its valid_until no longer covers the member). Only the columns the
    batch lists them by are read (id, 記号・番号・枝番, card status): thousands of members per
    employer, each read whole would cost more than the check itself."""
    today = ctx.clock.today()
    # Correlated (NOT EXISTS, one index lookup per member), not NOT IN: SQLite builds the whole
    # list of holders for NOT IN on every call, ≈60 ms with 300,000 documents, for each employer.
    holding = Document.select(SQL("1")).where(
        Document.member == Member.id, Document.kind == DocumentKind.ELIGIBILITY_CERTIFICATE, in_force(today))
    candidates = (Member.select(Member.id, Member.symbol, Member.number, Member.branch, Member.card_status,
                                Member.needs_assistance).where(
        Member.employer == employer, Member.acquired_on <= today,
        (Member.lost_on.is_null()) | (Member.lost_on > today), ~fn.EXISTS(holding))
        .order_by(Member.symbol, Member.number, Member.branch))
    return [m for m in candidates if rules.certificate_eligibility(m.card_status, m.needs_assistance).eligible]
