"""Checks across entries and against the database (reads it, writes nothing): references to
employers, members and documents, and the rules that need both ends (R5, R7, R9, R12)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import peewee

from clerk_tui.domain import rules
from clerk_tui.domain.codes import CardStatus, DocumentKind, IssueRequestStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.scenarios.loader.records import _Batch, _DocInfo, _Person
from clerk_tui.scenarios.loader.report import FixtureError
from clerk_tui.scenarios.loader.spec import FIELDS, SPEC
from clerk_tui.scenarios.loader.values import _Entry, _Problem, _ymd

# Document kinds that must come back after loss of qualification (R9, R10).
_COLLECTABLE = {DocumentKind.LEGACY_CARD, DocumentKind.ELDERLY_CARD, DocumentKind.ELIGIBILITY_CERTIFICATE}


# Phase 2: references and rules across entries (reads the database, writes nothing)


def _chunks(items: Sequence[Any], size: int = 300) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class _Resolver:
    """Finds what entries refer to: in the part being loaded first, then in the database (which
    holds the parts loaded before it, and after a reset nothing else)."""

    def __init__(self, db: peewee.Database, batch: _Batch, reset: bool) -> None:
        self.db = db
        self.batch = batch
        self.reset = reset
        self.db_employers: set[str] = set()
        self.db_members: dict[str, _Person] = {}
        self.db_documents: dict[str, _DocInfo] = {}
        # (member key, document kind) → queued_on of each request pending in the database.
        self.db_pending: dict[tuple[str, DocumentKind], list[date]] = {}
        # Serial → natural key (member key, kind, queued_on) of the request in the database that
        # issued it (a document is linked to one request at most).
        self.db_issued_by: dict[str, tuple[str, DocumentKind, date]] = {}

    def load(self) -> None:
        b = self.batch
        loose = {(kind, ref) for _, _, kind, ref in b.loose_refs}
        codes = {p.employer_code for p in b.members.values() if p.employer_code} - b.employers.keys()
        codes |= {ref for kind, ref in loose if kind == "employer"} - b.employers.keys()
        for chunk in _chunks(sorted(codes)):
            sql = f"SELECT code FROM employer WHERE code IN ({','.join('?' * len(chunk))})"
            self.db_employers.update(r[0] for r in self.db.execute_sql(sql, list(chunk)).fetchall())

        serials = {row["_supersedes"] for _, row in b.documents.values() if row["_supersedes"]}
        serials |= {row["_document"] for _, row in b.loss_reports if row["_document"]}
        serials |= {row["_document"] for _, row in b.collection_items}
        serials |= {row["_document"] for _, row in b.issue_requests if row["_document"]}
        serials |= {ref for kind, ref in loose if kind == "document"}
        serials -= b.documents.keys()
        for chunk in _chunks(sorted(serials)):
            sql = ("SELECT d.id, d.serial, d.kind, m.symbol, m.number, m.branch FROM document d "
                   f"JOIN member m ON m.id = d.member_id WHERE d.serial IN ({','.join('?' * len(chunk))})")
            for doc_id, serial, kind, s, n, br in self.db.execute_sql(sql, list(chunk)).fetchall():
                self.db_documents[serial] = _DocInfo(serial, f"{s}-{n}-{br}", DocumentKind(kind), doc_id)

        keys = {p.insured_key for p in b.members.values() if p.insured_key}
        keys |= {row["_member"] for _, row in b.documents.values()}
        keys |= {row["_member"] for _, row in (*b.cancellations, *b.loss_reports, *b.claims, *b.former_names,
                                                *b.issue_requests)}
        keys |= {d.member_key for d in self.db_documents.values()}
        keys |= {ref for kind, ref in loose if kind == "member"}
        self._fetch_members(keys - b.members.keys())
        # A dependent's insured person decides the dependent's ratio (R5).
        self._fetch_members({p.insured_key for p in self.db_members.values() if p.insured_key}
                            - b.members.keys() - self.db_members.keys())
        self._fetch_pending(sorted({row["_member"] for _, row in b.issue_requests}))
        linked = sorted({row["_document"] for _, row in b.issue_requests if row["_document"]})
        for chunk in _chunks(linked):
            sql = ("SELECT d.serial, m.symbol, m.number, m.branch, r.kind, r.queued_on FROM issue_request r "
                   "JOIN document d ON d.id = r.document_id JOIN member m ON m.id = r.member_id "
                   f"WHERE d.serial IN ({','.join('?' * len(chunk))})")
            for serial, s, n, br, kind, queued in self.db.execute_sql(sql, list(chunk)).fetchall():
                self.db_issued_by[serial] = (f"{s}-{n}-{br}", DocumentKind(kind), _as_date(queued))

    def _fetch_pending(self, keys: list[str]) -> None:
        """The requests already pending in the database for these members (交付待ち)."""
        for chunk in _chunks([tuple(k.split("-")) for k in keys]):
            sql = ("SELECT m.symbol, m.number, m.branch, r.kind, r.queued_on FROM issue_request r "
                   "JOIN member m ON m.id = r.member_id WHERE r.status = ? AND (m.symbol, m.number, m.branch) "
                   f"IN (VALUES {','.join(['(?,?,?)'] * len(chunk))})")
            params = [IssueRequestStatus.PENDING.value, *(v for key in chunk for v in key)]
            for s, n, br, kind, queued in self.db.execute_sql(sql, params).fetchall():
                self.db_pending.setdefault((f"{s}-{n}-{br}", DocumentKind(kind)), []).append(_as_date(queued))

    def _fetch_members(self, keys: set[str]) -> None:
        wanted = sorted(tuple(k.split("-")) for k in keys)
        for chunk in _chunks(wanted):
            sql = (
                "SELECT m.id, m.symbol, m.number, m.branch, i.symbol, i.number, i.branch, m.birth_date, "
                "m.acquired_on, m.lost_on, e.code, m.standard_monthly_remuneration, m.income_reduction, "
                "m.card_status, m.family_name, m.given_name FROM member m "
                "JOIN employer e ON e.id = m.employer_id LEFT JOIN member i ON i.id = m.insured_id "
                f"WHERE (m.symbol, m.number, m.branch) IN (VALUES {','.join(['(?,?,?)'] * len(chunk))})"
            )
            params = [v for key in chunk for v in key]
            for (mid, s, n, br, i_s, i_n, i_br, birth, acquired, lost, emp, rem, reduction, card,
                 family, given) in self.db.execute_sql(sql, params).fetchall():
                key = f"{s}-{n}-{br}"
                self.db_members[key] = _Person(
                    key=key,
                    insured_key=f"{i_s}-{i_n}-{i_br}" if i_s is not None else None,
                    birth_date=_as_date(birth), acquired_on=_as_date(acquired), lost_on=_as_date(lost),
                    employer_code=emp, remuneration=rem, income_reduction=bool(reduction),
                    card_status=CardStatus(card), family_name=family, given_name=given, db_id=mid,
                )

    def employer_known(self, code: str) -> bool:
        return code in self.batch.employers or code in self.db_employers

    def person(self, key: str | None) -> _Person | None:
        if key is None:
            return None
        return self.batch.members.get(key) or self.db_members.get(key)

    def document(self, serial: str) -> _DocInfo | None:
        found = self.batch.documents.get(serial)
        if found is not None:
            e, row = found
            return _DocInfo(serial, row["_member"], row["kind"])
        return self.db_documents.get(serial)


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _where_found(reset: bool) -> str:
    if reset:
        return "読み込むファイルにありません（--reset では既存のデータは使えません）"
    return "読み込むファイルにもデータベースにもありません"


def _copay(r: _Resolver, p: _Person, on: date) -> rules.Copay:
    insured = None if p.is_insured else r.person(p.insured_key)
    return rules.copay_ratio(
        p.birth_date, on, is_insured=p.is_insured,
        remuneration=p.remuneration if p.is_insured else None,
        insured_birth_date=insured.birth_date if insured else None,
        insured_remuneration=insured.remuneration if insured else None,
        income_reduction=p.income_reduction,
        insured_income_reduction=insured.income_reduction if insured else False,
        acquired_on=p.acquired_on,
    )


def _check_references(r: _Resolver, today: date | None, clerk_today: date | None = None) -> None:
    """`today` is the scenario's fixed day (None: the 75 check is skipped), `clerk_today` the
    day the app will run on (the fixed day, else the real one)."""
    b = r.batch
    clerk_today = clerk_today or today or date.today()
    missing = _where_found(r.reset)
    if b.parts:
        missing += "（部品ファイルから参照できるのは、指定したファイル・同じか前の部品ファイル・データベースにあるものです）"

    def absent(e: _Entry, field: str, what: str, kind: str, ref: str) -> None:
        if (kind, ref) in b.invalid or b.unwritten:
            # The target's own problem is already listed, or it may be in a part that was not
            # written because of its problems.
            e.bad = True
        else:
            e.problem(field, f"{what}「{ref}」は{missing}。")

    def member_of(e: _Entry, row: dict[str, Any]) -> _Person | None:
        """The member the entry is about, or None after reporting it missing."""
        p = r.person(row["_member"])
        if p is None:
            absent(e, "member", "加入員", "member", row["_member"])
        return p

    def own_document(e: _Entry, field_name: str, serial: str, member_key: str) -> _DocInfo | None:
        """The document the entry names, when it exists and is the same member's (else reported)."""
        doc = r.document(serial)
        if doc is None:
            absent(e, field_name, "書類", "document", serial)
        elif doc.member_key != member_key:
            e.problem(field_name, f"書類「{serial}」は別の加入員（{doc.member_key}）の書類です。")
        else:
            return doc
        return None

    for p in b.members.values():
        e = p.entry
        if p.is_insured:
            if p.employer_code and not r.employer_known(p.employer_code):
                absent(e, "employer", "事業所コード", "employer", p.employer_code)
        else:
            ins = r.person(p.insured_key)
            if ins is None:
                absent(e, "insured", "被保険者", "member", p.insured_key)
            elif not ins.is_insured:
                e.problem("insured", f"「{p.insured_key}」は被扶養者です。被保険者本人を書いてください。")
            else:
                if p.employer_code and p.employer_code != ins.employer_code:
                    e.problem("employer", f"被扶養者の事業所は被保険者と同じ「{ins.employer_code}」です"
                                          "（employer は省略できます）。")
                p.employer_code = ins.employer_code
                if p.acquired_on < ins.acquired_on:
                    e.problem("acquired_on", f"被保険者の資格取得日 {_ymd(ins.acquired_on)} より前です。")
                if ins.lost_on is not None and (p.lost_on is None or p.lost_on > ins.lost_on):
                    e.problem("lost_on", f"被保険者が {_ymd(ins.lost_on)} に資格を喪失しているため、"
                                         "被扶養者も同日までに資格を喪失します（lost_on を書いてください）。")
        if today is not None:
            loss75 = rules.loss_on_reaching_75(p.birth_date)
            if loss75 <= today and (p.lost_on is None or p.lost_on > loss75):
                e.problem("lost_on", f"75歳の誕生日 {_ymd(loss75)} に資格を喪失しています（R5）。"
                                     f"lost_on = {loss75.isoformat()} と loss_reason = \"age_75\" を書いてください。")

    for serial, (e, row) in b.documents.items():
        p = member_of(e, row)
        if p is None:
            continue
        kind, issued = row["kind"], row["issued_on"]
        if issued < p.birth_date:
            e.problem("issued_on", f"交付日が生年月日 {_ymd(p.birth_date)} より前です。")
            continue
        if row["valid_until"] is None:
            if kind is DocumentKind.ELIGIBILITY_CERTIFICATE:
                try:
                    row["valid_until"] = rules.certificate_valid_until(issued, p.birth_date).valid_until
                except DomainError as exc:
                    e.problem("issued_on", exc.message)
            elif kind in (DocumentKind.LEGACY_CARD, DocumentKind.ELDERLY_CARD):
                row["valid_until"] = rules.LEGACY_CARD_LAST_VALID
        if row["copay_ratio"] is not None:
            try:
                copay = _copay(r, p, issued)
            except DomainError as exc:
                e.problem("copay_ratio", exc.message)
            else:
                if not copay.printed:
                    e.problem("copay_ratio", "交付日に70歳未満のため負担割合は印字しません（*******, R5）。"
                                             "copay_ratio を消してください。")
                elif copay.ratio != row["copay_ratio"]:
                    e.problem("copay_ratio", f"R5 では{copay.ratio}割です（{copay.reason}）。")
                elif row["ratio_effective_from"] is None:
                    row["ratio_effective_from"] = copay.effective_from
        sup = row["_supersedes"]
        if sup:
            if own_document(e, "supersedes", sup, row["_member"]) is not None and sup == serial:
                e.problem("supersedes", "自分自身を差し替えることはできません。")

    for e, row in b.cancellations:
        p = member_of(e, row)
        if p is None:
            continue
        if row["received_on"] < p.acquired_on:
            e.problem("received_on", f"受付日が資格取得日 {_ymd(p.acquired_on)} より前です。")
        if row["previous_card_status"] is None and rules.cancellation_refusal(p.card_status) is not None:
            e.problem("member", f"加入員の card_status が {p.card_status.value}（{p.card_status.label}）です。"
                                "利用登録解除を申請できるのは保険証利用登録をした人だけです（R7）。"
                                "加入員の card_status を申請前の状況（例: usable）にしてください。")

    for e, row in b.loss_reports:
        p = member_of(e, row)
        if p is None:
            continue
        serial = row["_document"]
        if serial:
            doc = own_document(e, "document", serial, row["_member"])
            if doc is not None and doc.kind is not row["document_kind"]:
                e.problem("document_kind", f"書類「{serial}」は{doc.kind.label}（{doc.kind.value}）です。")

    for e, row in b.collection_items:
        doc = r.document(row["_document"])
        if doc is None:
            absent(e, "document", "書類", "document", row["_document"])
            continue
        e.code = f"{row['_document']} / {doc.member_key}"
        if doc.kind not in _COLLECTABLE:
            e.problem("document", f"{doc.kind.label}は回収しません（R9・R10: 回収するのは資格確認書・健康保険証・高齢受給者証）。")
            continue
        p = r.person(doc.member_key)
        if p is None:  # its own entry reports the missing member
            continue
        if row["lost_on"] is None:
            if p.lost_on is None:
                e.problem("lost_on", f"加入員 {doc.member_key} に資格喪失日がありません。"
                                     "回収対象には lost_on（資格喪失日）を書くか、加入員に lost_on を書いてください。")
            row["lost_on"] = p.lost_on
        row["_member"] = doc.member_key

    for e, row in b.claims:
        p = member_of(e, row)
        if p is None:
            continue
        month, paid = row["treatment_month"], row["paid_on"]
        # The ratio of the day of treatment; the payment day stands in for it when it falls in
        # the treatment month, and nobody is treated before joining or birth.
        on = paid if (paid.year, paid.month) == (month.year, month.month) else month
        on = max(on, p.acquired_on, p.birth_date)
        if p.lost_on is not None and on >= p.lost_on:
            e.problem("treatment_month", f"加入員は {_ymd(p.lost_on)} に資格を喪失しています。")
            continue
        try:
            copay = _copay(r, p, on)
        except DomainError as exc:
            e.problem("member", exc.message)
            continue
        ratio = rules.ratio_in_force(copay, on)  # the same figures the intake screen computes
        row["copay_ratio"] = ratio
        row["estimated_refund"] = rules.insurer_share(row["amount_paid"], ratio, row["fee_schedule_cost"])

    for e, row in b.former_names:
        p = member_of(e, row)
        if p is None:
            continue
        used_until = row["used_until"]
        if used_until < p.birth_date:
            e.problem("used_until", f"使用最終日 {_ymd(used_until)} が生年月日 {_ymd(p.birth_date)} より前です。")
        elif used_until >= clerk_today:
            e.problem("used_until", f"使用最終日 {_ymd(used_until)} が基準日 {_ymd(clerk_today)} 以後です"
                                    "（旧姓は、氏名変更の前日までに使っていた氏名です）。")

    pending: dict[tuple[str, DocumentKind], _Entry] = {}
    issued: dict[str, _Entry] = {}
    for e, row in b.issue_requests:
        p = member_of(e, row)
        if p is None:
            continue
        queued, status, kind = row["queued_on"], row["status"], row["kind"]
        if queued < p.acquired_on:
            e.problem("queued_on", f"交付待ちになった日 {_ymd(queued)} が資格取得日 {_ymd(p.acquired_on)} より前です。")
        elif queued > clerk_today:
            e.problem("queued_on", f"交付待ちになった日 {_ymd(queued)} が基準日 {_ymd(clerk_today)} より後です。")
        if status is IssueRequestStatus.PENDING and p.lost_on is not None:
            e.problem("status", f"加入員は {_ymd(p.lost_on)} に資格を喪失しています。資格を喪失した人の書類は交付しません"
                                "（交付待ちは資格喪失の登録で取り消されます）。status = \"cancelled\" にするか、"
                                "この交付待ちを消してください。")
        if row["_document"]:
            if (other := issued.setdefault(row["_document"], e)) is not e:
                e.problem("document", f"書類「{row['_document']}」は {other.file}: {other.where} の交付待ちで"
                                      "交付した書類です（1枚の書類は1件の交付待ちにだけ結び付きます）。")
            elif (by := r.db_issued_by.get(row["_document"])) not in (None, (row["_member"], kind, queued)):
                e.problem("document", f"書類「{row['_document']}」はデータベースにある別の交付待ち（{by[0]}、"
                                      f"{_ymd(by[2])} から）で交付した書類です（1枚の書類は1件の交付待ちにだけ結び付きます）。")
            doc = own_document(e, "document", row["_document"], row["_member"])
            if doc is not None and doc.kind is not kind:
                e.problem("document", f"書類「{row['_document']}」は{doc.kind.label}（{doc.kind.value}）です"
                                      f"（kind は {kind.value}）。")
        if status is not IssueRequestStatus.PENDING or e.bad:
            continue
        # One document of a kind per member waits at a time (a later event replaces the request).
        first = pending.setdefault((row["_member"], kind), e)
        if first is not e:
            e.problem("kind", f"同じ加入員の{kind.label}の交付待ち（pending）が {first.file}: {first.where} にもあります。"
                              "同じ種類の交付待ちは1人に1件です（古い方は status = \"cancelled\" にしてください）。")
            continue
        others = [d for d in r.db_pending.get((row["_member"], kind), ()) if d != queued]
        if others:
            e.problem("kind", f"この加入員には{kind.label}の交付待ち（{_ymd(others[0])} から）がデータベースに"
                              "もう1件あります。同じ種類の交付待ちは1人に1件です。")

    found = {"employer": r.employer_known, "member": lambda ref: r.person(ref) is not None,
             "document": lambda ref: r.document(ref) is not None}
    labels = {"employer": "事業所コード", "member": "加入員", "document": "書類"}
    for e, field_name, kind, ref in b.loose_refs:
        if not found[kind](ref):
            absent(e, field_name, labels[kind] if field_name != "insured" else "被保険者", kind, ref)

    # Natural-key duplicates that need the members resolved.
    for section, key, what in ROW_KEYS:
        _duplicates(getattr(b, section), key, what)


def _in_file_order(batch: _Batch) -> list[FixtureError]:
    """Problems by file, then section and entry as written, then field: the order a trainer reads."""
    files = {str(p): i for i, p in enumerate(batch.files)}
    sections = {s: i for i, s in enumerate(SPEC)}

    def place(p: _Problem) -> tuple:
        e = p.entry
        if not isinstance(e, _Entry):
            return (files.get(p.file, 0), -1, 0, 0)
        fields = FIELDS[e.section]
        return (files.get(p.file, 0), sections[e.section], e.index or 0,
                fields.index(p.field) if p.field in fields else len(fields))

    return [p.error() for p in sorted(batch.problems, key=place)]


# The sections whose natural key is known once the members are resolved: its function and the
# words of the message about a second entry with the same key.
ROW_KEYS: tuple[tuple[str, Callable[[dict[str, Any]], Any], str], ...] = (
    ("cancellations", lambda row: (row["_member"], row["received_on"]), "同じ加入員・同じ受付日の利用登録解除申請"),
    ("loss_reports", lambda row: (row["_member"], row["document_kind"], row["lost_on"]),
     "同じ加入員・同じ書類の種類・同じ紛失日の滅失届"),
    ("collection_items", lambda row: row["_document"], "同じ書類の回収対象"),
    ("claims", lambda row: (row["_member"], row["treatment_month"], row["institution_key"]),
     "同じ患者・同じ診療月・同じ医療機関の立替払請求（R12: 1人・1か月・1医療機関に1件）"),
    ("former_names", lambda row: (row["_member"], row["used_until"]), "同じ加入員・同じ使用最終日の旧姓"),
    ("issue_requests", lambda row: (row["_member"], row["kind"], row["queued_on"]),
     "同じ加入員・同じ書類・同じ日の交付待ち"),
)


def _duplicates(entries: list[tuple[_Entry, dict[str, Any]]], key, what: str) -> None:
    first: dict[Any, _Entry] = {}
    for e, row in entries:
        if e.bad:
            continue
        k = key(row)
        if k in first:
            e.problem(None, f"{what}が {first[k].file}: {first[k].where} にもあります。")
        else:
            first[k] = e

