"""The batch issue per employer (事業所経由): a 資格確認書 to every member who needs one and every
document waiting in the 交付待ち queue, issued in short write transactions, then the
employer's PDF with its 送付書: one file, or numbered parts (分冊) of at most `PART_SIZE` documents
when the employer is large, so that memory stays flat at any size. The parts are drawn by worker
processes (one per core) from frozen form data while this process issues the next employer.
Safe to interrupt: the next run, on whatever day, continues the interrupted batch and writes its
complete files."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import peewee

from clerk_tui.db.models import AuditEntry, Document, Employer, IssueRequest, Member
from clerk_tui.domain.codes import AuditKind, DocumentKind, DocumentStatus, IssueReason, IssueRequestStatus, Route
from clerk_tui.domain.errors import DomainError
from clerk_tui.services import audit
from clerk_tui.services.context import Context, touch
from clerk_tui.services.issuance import insurer_info, issue_document, plan_issue
from clerk_tui.services.printing import ensure_output_dir, form_data, members_needing_certificate

# Documents per file: a clerk prints, and an employer receives, parts of this size at most.
PART_SIZE = 500
# Render processes: the server has two cores (0 or 1: draw in this process).
WORKERS = min(2, os.cpu_count() or 1)
# Fewer documents than this in the whole run are drawn in this process: starting the workers
# (importing fpdf, parsing the fonts) costs about a second.
POOL_THRESHOLD = 2 * PART_SIZE
# Documents issued per write transaction, and the longest a group holds the write lock: a commit
# flushes to disk (synchronous=FULL), which under load costs more than issuing the document.
GROUP_SIZE = 50
GROUP_SECONDS = 0.05
# Why a certificate the queue asks for may go to a member who can use マイナ保険証 (R3): it
# replaces the certificate the member already holds (after a 氏名変更), it is not a new grant.
REPLACEMENT_OVERRIDE = "交付待ち: 保有中の資格確認書の差替"


@dataclass
class BatchReport:
    employers: int = 0
    issued: int = 0
    already: int = 0  # issued by an earlier, interrupted run of the same batch
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (member code, reason)
    files: list[Path] = field(default_factory=list)
    requests: int = 0  # documents of the 交付待ち queue among `issued`


def batch_key(ctx: Context, employer: Employer) -> str:
    return f"B{ctx.clock.today():%Y%m%d}-{employer.code}"


_BATCH_KEY = re.compile(r"B(\d+)-(.+)")


@dataclass
class _Ledger:
    """What earlier runs left, read once per run (each read scans every batch document and
    every print entry, which for each of hundreds of employers would cost more than issuing):
    the documents each batch has issued (any status) and the most its files were made with, by
    employer. A run keeps it up to date for its own documents."""

    issued: dict[str, dict[str, int]]  # employer code -> batch key -> documents
    printed: dict[int, dict[str, int]]  # employer id -> batch key -> documents in its files

    @classmethod
    def read(cls, employer: Employer | None = None) -> _Ledger:
        issued: dict[str, dict[str, int]] = {}
        rows = (Document.select(Document.batch_key, peewee.fn.COUNT(Document.id))
                .where(Document.batch_key.is_null(False)).group_by(Document.batch_key).tuples())
        for key, n in rows:
            match = _BATCH_KEY.fullmatch(key)
            if match and (employer is None or match.group(2) == employer.code):
                issued.setdefault(match.group(2), {})[key] = n
        printed: dict[int, dict[str, int]] = {}
        prints = (AuditEntry.select(AuditEntry.record_id, AuditEntry.summary)
                  .where(AuditEntry.action == "batch.print", AuditEntry.table_name == "employer"))
        if employer is not None:
            prints = prints.where(AuditEntry.record_id == employer.id)
        for record_id, summary in prints.tuples():
            try:
                data = json.loads(summary)
                per_batch = data.get("batches") or {data.get("batch"): data.get("documents", 0)}
                done = printed.setdefault(record_id, {})
                for k, n in per_batch.items():
                    done[k] = max(done.get(k, 0), int(n))
            except (ValueError, TypeError, AttributeError):
                continue
        return cls(issued, printed)

    def counts(self, employer: Employer) -> dict[str, int]:
        """How many documents each of the employer's batches has issued, by key."""
        return self.issued.get(employer.code, {})

    def unprinted(self, employer: Employer) -> list[str]:
        """The employer's batches with documents issued after their files were last made (a run
        was interrupted before its PDF), oldest first."""
        printed = self.printed.get(employer.id, {})
        return sorted(k for k, n in self.counts(employer).items() if n > printed.get(k, 0))

    def add(self, employer: Employer, key: str, issued: int) -> None:
        counts = self.issued.setdefault(employer.code, {})
        counts[key] = counts.get(key, 0) + issued


def unprinted_batch_keys(employer: Employer) -> list[str]:
    """The employer's batches with documents issued after their files were last made (a run was
    interrupted before its PDF), oldest first: whatever the day, the next run continues them."""
    return _Ledger.read(employer).unprinted(employer)


def batch_employers(employer_code: str | None) -> list[Employer]:
    """The employer a batch is for (by its code), or every employer by code."""
    if employer_code is not None:
        employer = Employer.get_or_none(Employer.code == employer_code.strip())
        if employer is None:
            raise DomainError(f"事業所コード「{employer_code}」は登録されていません。", field="employer")
        return [employer]
    return list(Employer.select().order_by(Employer.code))


@dataclass(frozen=True)
class BatchItem:
    """One document the batch issues: for a member who needs a 資格確認書, or for a request of
    the 交付待ち queue (its kind and reason, the 発効期日 of a ratio change, the document it replaces)."""

    member_id: int
    member_code: str
    kind: DocumentKind
    reason: IssueReason
    request_id: int | None = None
    ratio_effective_from: date | None = None
    replaces_id: int | None = None


def batch_items(ctx: Context, employer: Employer) -> list[BatchItem]:
    """What the batch issues for the employer, by 記号・番号・枝番 (the お知らせ before the 資格確認書):
    every pending request, and a 資格確認書 for each member who needs one and has none queued."""
    requests = (IssueRequest.select(IssueRequest, Member).join(Member)
                .where(Member.employer == employer, IssueRequest.status == IssueRequestStatus.PENDING))
    items = [BatchItem(r.member_id, r.member.member_code, r.kind, r.reason, r.id, r.ratio_effective_from,
                       r.replaces_id) for r in requests]
    queued = {(i.member_id, i.kind) for i in items}
    for m in members_needing_certificate(ctx, employer):
        if (m.id, DocumentKind.ELIGIBILITY_CERTIFICATE) not in queued:
            items.append(BatchItem(m.id, m.member_code, DocumentKind.ELIGIBILITY_CERTIFICATE, IssueReason.NEW))
    kinds = {DocumentKind.ELIGIBILITY_NOTICE: 0, DocumentKind.ELIGIBILITY_CERTIFICATE: 1}
    return sorted(items, key=lambda i: (_code_key(i.member_code), kinds.get(i.kind, 2), i.request_id or 0))


def _code_key(code: str) -> tuple:
    """記号・番号・枝番 sorted as numbers where they are numbers (1000-9-00 before 1000-10-00)."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("-"))


@dataclass(frozen=True)
class CertificateNeed:
    """What a batch would issue: members needing a 資格確認書 and documents waiting in the
    交付待ち queue, for one employer or for all."""

    employer_code: str | None
    employer_name: str | None
    count: int
    employers: int
    requests: int = 0  # of `count`: documents of the queue


def certificate_need(ctx: Context, employer_code: str | None) -> CertificateNeed:
    """The batch screen's preview before it starts (nothing is written)."""
    employers = batch_employers(employer_code or None)
    count = requests = 0
    for e in employers:
        items = batch_items(ctx, e)
        count += len(items)
        requests += sum(1 for i in items if i.request_id is not None)
    one = employers[0] if employer_code else None
    return CertificateNeed(one.code if one else None, one.name if one else None, count, len(employers), requests)


def issue_item(ctx: Context, item: BatchItem, key: str) -> int | None:
    """Issue one document of the batch in one transaction; for a request of the queue, the
    request is linked to the document and marked issued in the same transaction. None when the
    request was cancelled or issued meanwhile (nothing written)."""

    def write() -> int | None:
        request = IssueRequest.fetch(item.request_id) if item.request_id is not None else None
        if item.request_id is not None and (request is None or request.status is not IssueRequestStatus.PENDING):
            return None
        plan = plan_issue(ctx, item.member_id, item.kind, item.reason, Route.VIA_EMPLOYER, preview=False)
        if item.ratio_effective_from is not None and plan.copay.printed:
            # A change of 負担割合 prints the day the new ratio applies (R5, R17).
            plan = replace(plan, copay=replace(plan.copay, effective_from=item.ratio_effective_from))
        override = REPLACEMENT_OVERRIDE if plan.needs_override and item.replaces_id is not None else None
        issued = issue_document(ctx, plan, batch_key=key, override_reason=override, same_transaction=True)
        if request is not None:
            request.document = issued.document.id
            request.status = IssueRequestStatus.ISSUED
            touch(request, ctx)
            request.save()
            audit.record(ctx, AuditKind.WRITE, "issue_request.issue", table="issue_request", record_id=request.id,
                         member_id=item.member_id, summary={"document": issued.document.id, "batch": key})
        return issued.document.id

    return ctx.write(write)


def _issue_group(ctx: Context, items: list[BatchItem], start: int, key: str, done: int, total: int,
                 employer_name: str, progress: Callable[[int, int, str], None] | None,
                 ) -> list[tuple[BatchItem, int | DomainError | None]]:
    """Issue items from `start` on, inside the caller's write transaction, for at most
    GROUP_SECONDS or GROUP_SIZE documents: one commit (one disk flush) for the group instead of
    one per document, while other clerks wait at most that long for the lock. Each document is
    issued in its own savepoint, so a refused one is skipped alone; an interruption undoes only the
    group in progress (the next run issues it)."""
    began = time.monotonic()
    results: list[tuple[BatchItem, int | DomainError | None]] = []
    for item in items[start:start + GROUP_SIZE]:
        if results and time.monotonic() - began > GROUP_SECONDS:
            break
        if progress:
            progress(done + len(results) + 1, total, employer_name)
        try:
            results.append((item, issue_item(ctx, item, key)))
        except DomainError as exc:
            results.append((item, exc))
    return results


# ------------------------------------------------------------------------------------ rendering


def _worker_start(parent: int) -> None:
    """In each drawing process: Ctrl+C, which reaches the whole process group, is left to the
    batch process (it stops the workers itself); and a worker whose batch process died (kill -9)
    exits instead of waiting for work forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # `parent` comes from the batch process itself: a worker that starts after its death would
    # otherwise take its new parent (init) for the batch process.

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="batch-parent-watch", daemon=True).start()


class _InProcess:
    """The executor's interface, drawing in this process (small runs, or one core)."""

    def submit(self, fn, *args) -> Future:  # noqa: ANN001
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - re-raised by result()
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass


def _executor(workers: int):
    if workers <= 1:
        return _InProcess()
    import multiprocessing

    # Spawned, not forked: the batch may run in a thread of the app, and a fork copies its locks
    # and the open database connection.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_start, initargs=(os.getpid(),))


@dataclass
class _Part:
    employer: Employer
    keys: list[str]
    counts: dict[str, int]
    number: int
    parts: int
    filename: str
    future: Future
    documents: int


def _parts(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _kinds_label(kinds: set[DocumentKind]) -> str:
    order = (DocumentKind.ELIGIBILITY_NOTICE, DocumentKind.ELIGIBILITY_CERTIFICATE)
    return "・".join(k.label for k in order if k in kinds) or DocumentKind.ELIGIBILITY_CERTIFICATE.label


# What the form data and the 送付書 read of a document, its member, the member's employer and
# (for a dependent) the insured person: only these columns are read and made into model objects
# (all of the four rows' columns cost about as much as issuing the document).
_FORM_DOCUMENT = (Document.id, Document.member, Document.kind, Document.serial, Document.issued_on,
                  Document.valid_until, Document.route, Document.copay_ratio, Document.ratio_effective_from,
                  Document.facility_code_nonce)
_FORM_PERSON = ("id", "version", "symbol", "number", "branch", "insured", "employer", "family_name", "given_name",
                "family_name_kana", "given_name_kana", "birth_date", "sex", "postal_code", "address",
                "acquired_on")


def _part_documents(ids: list[int]) -> list[Document]:
    """The documents of a part with their member, the member's employer and the insured person,
    in one query, by id."""
    insured = Member.alias()
    columns = (*_FORM_DOCUMENT, *(getattr(Member, c) for c in _FORM_PERSON), Employer.id, Employer.name,
               *(getattr(insured, c) for c in _FORM_PERSON))
    return list(Document.select(*columns)
                .join(Member).join(Employer)
                .join_from(Member, insured, peewee.JOIN.LEFT_OUTER, on=(Member.insured == insured.id))
                .where(Document.id.in_(ids)).order_by(Document.id))


def _employer_parts(ctx: Context, executor, employer: Employer, keys: list[str], counts: dict[str, int],
                    insurer, part_size: int) -> tuple[int, Iterator[_Part]]:
    """How many documents the employer's batch holds, and the drawing of its parts, submitted one
    by one from frozen form data as the caller asks for them (so only a few are in memory)."""
    from clerk_tui.forms.batch import render_batch
    from clerk_tui.forms.data import CoverEntry, CoverSheetData
    from clerk_tui.forms.output import batch_filename

    in_batch = (Document.batch_key.in_(keys)) & (Document.status == DocumentStatus.VALID)
    ids = [i for (i,) in Document.select(Document.id).where(in_batch).order_by(Document.id).tuples()]
    kinds = {DocumentKind(k) for (k,) in Document.select(Document.kind).distinct().where(in_batch).tuples()}
    label = _kinds_label(kinds)
    counts = dict(counts)
    today = ctx.clock.today()
    total_parts = -(-len(ids) // part_size)

    def parts() -> Iterator[_Part]:
        for number, chunk in enumerate(_parts(ids, part_size), 1):
            docs = _part_documents(chunk)
            documents = [form_data(ctx, d, insurer) for d in docs]
            cover = CoverSheetData(
                insurer=insurer, employer_name=employer.name, employer_postal_code=employer.postal_code,
                employer_address=employer.address, employer_contact=employer.contact_person,
                issued_on=today, employer_code=employer.code, serial=keys[0],
                entries=tuple(CoverEntry(d.member.member_code, d.member.full_name, d.kind.label, d.serial)
                              for d in docs),
                part=number, parts=total_parts, first_number=(number - 1) * part_size + 1, total=len(ids))
            reference = keys[0] if total_parts == 1 else f"{keys[0]}_{number:02d}of{total_parts:02d}"
            yield _Part(employer, keys, counts, number, total_parts,
                        batch_filename(today, label, employer.code, reference),
                        executor.submit(render_batch, cover, documents), len(ids))

    return len(ids), parts()


def _write_part(ctx: Context, part: _Part, written: dict[int, list[Path]], report: BatchReport) -> None:
    """Write a drawn part (atomically, group-readable only); after the employer's last part,
    the print's audit entry, which marks the batch as complete."""
    from clerk_tui.forms.output import write_pdf_atomically

    pdf = part.future.result()
    path = write_pdf_atomically(pdf, Path(ctx.config.output_dir), part.filename, replace=True)
    report.files.append(path)
    files = written.setdefault(part.employer.id, [])
    files.append(path)
    if part.number < part.parts:
        return
    written.pop(part.employer.id)
    employer, keys, counts = part.employer, part.keys, part.counts
    summary = {"batch": keys[0], "documents": part.documents, "file": files[0].name, "parts": part.parts,
               "batches": {k: counts.get(k, 0) for k in keys}}
    if part.parts > 1:
        summary["files"] = [p.name for p in files]
    ctx.write(lambda: audit.record(ctx, AuditKind.PRINT, "batch.print", table="employer", record_id=employer.id,
                                   summary=summary))


# ------------------------------------------------------------------------------------ the run


def batch_certificates(ctx: Context, *, employer_code: str | None = None,
                       progress: Callable[[int, int, str], None] | None = None,
                       workers: int | None = None, part_size: int = PART_SIZE) -> BatchReport:
    """Issue a 資格確認書 to every member who needs one and every document of the 交付待ち queue,
    and write each employer's PDF with its 送付書 (in parts of `part_size` documents). Documents
    are issued in short transactions of a few dozen, so an interrupted run leaves nothing half
    done; running again issues only what is still missing and writes the employer's complete
    files. `workers`: drawing processes (default: one per core for a large run, else this one)."""
    ensure_output_dir(ctx.config)  # before the first document is issued
    employers = batch_employers(employer_code)
    # Counted first for the progress bar; each employer's items are listed again when its turn
    # comes, so that only one employer's list is held at a time.
    total = sum(len(batch_items(ctx, e)) for e in employers)
    if workers is None:
        workers = WORKERS if total >= POOL_THRESHOLD else 1
    report = BatchReport()
    ledger = _Ledger.read()  # this run is the only one that adds to it while it runs
    insurer = insurer_info(ctx)
    executor = _executor(workers)
    pending: deque[_Part] = deque()
    written: dict[int, list[Path]] = {}
    done = 0
    try:
        for employer in employers:
            items = batch_items(ctx, employer)
            # An interrupted batch is continued under its own key, on whatever day it is resumed,
            # so the documents it issued before the interruption go into this run's files.
            unprinted = ledger.unprinted(employer)
            key = unprinted[0] if unprinted else batch_key(ctx, employer)
            keys = unprinted or [key]
            issued_here = 0
            start = 0
            while start < len(items):
                results = ctx.write(lambda: _issue_group(ctx, items, start, key, done, total, employer.name,
                                                         progress))
                for item, outcome in results:
                    if isinstance(outcome, DomainError):
                        report.skipped.append((item.member_code, outcome.message))
                    elif outcome is not None:
                        issued_here += 1
                        report.requests += item.request_id is not None
                start += len(results)
                done += len(results)
            report.issued += issued_here
            ledger.add(employer, key, issued_here)
            count, parts = _employer_parts(ctx, executor, employer, keys, ledger.counts(employer), insurer,
                                           part_size)
            if not count:
                continue
            report.employers += 1
            report.already += count - issued_here
            for part in parts:
                pending.append(part)
                # Finished parts are written in order; at most a few wait, so memory stays flat.
                while pending and (pending[0].future.done() or len(pending) > 2 * max(workers, 1)):
                    _write_part(ctx, pending.popleft(), written, report)
        while pending:
            _write_part(ctx, pending.popleft(), written, report)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return report
