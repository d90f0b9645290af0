"""Checking scenario entries without the database: each value against the specification, then
each entry's own rules (dates in order, what a dependent may hold). Problems carry their place."""

from __future__ import annotations

import glob
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from clerk_tui.db.models import member_search_keys
from clerk_tui.domain import rules, wareki
from clerk_tui.domain.codes import (
    CancellationStatus,
    CardStatus,
    ClaimStatus,
    CollectionStatus,
    DependentRemovalReason,
    DocumentKind,
    DocumentStatus,
    IssueCause,
    IssueRequestStatus,
    Relationship,
    WithdrawalReason,
)
from clerk_tui.scenarios.loader.reading import read_toml
from clerk_tui.scenarios.loader.records import _Batch, _Person, place_of, report_repeat
from clerk_tui.scenarios.loader.report import FixtureError
from clerk_tui.scenarios.loader.spec import FIELDS, LIST_SECTIONS, REQUIRED, SINGLE_SECTIONS, SPEC
from clerk_tui.scenarios.loader.values import (
    _MISSING,
    _SPECIAL,
    Converter,
    _allowed,
    _checked,
    _code_table,
    _Entry,
    _joined_key,
    _kana_key,
    _name_key,
    _Problem,
    _unknown_key,
    _ymd,
    converter,
)
from clerk_tui.services.issue_queue import issue_reason

_SERIAL_PREFIX = {
    DocumentKind.LEGACY_CARD: "LC",
    DocumentKind.ELDERLY_CARD: "EL",
    DocumentKind.ELIGIBILITY_CERTIFICATE: "EC",
    DocumentKind.ELIGIBILITY_NOTICE: "EN",
    DocumentKind.CEILING_CERTIFICATE: "CC",
    DocumentKind.SPECIFIED_DISEASE_CERTIFICATE: "SD",
}

# Every section's checks, by key in the specification's order.
SPECS: dict[str, dict[str, Converter]] = {
    section: {f.key: converter(f) for f in fields} for section, fields in SPEC.items()
}
# Keys whose value is stored as written when it has this type (a TOML date, a boolean).
_PLAIN: dict[str, dict[str, type]] = {
    section: {f.key: {"date": date, "bool": bool}[f.kind] for f in fields if f.kind in ("date", "bool")}
    for section, fields in SPEC.items()
}

_KNOWN: dict[str, frozenset[str]] = {section: frozenset(keys) for section, keys in FIELDS.items()}


class _Probe:
    """Stands in for an entry while one distinct value is converted: keeps its problems."""

    __slots__ = ("sink", "problems")

    def __init__(self) -> None:
        self.sink: list[Any] = []
        self.problems: list[tuple[str | None, str]] = []

    def problem(self, field: str | None, detail: str) -> None:
        self.problems.append((field, detail))
        self.sink.append(None)


def _convert_all(entries: list[_Entry], section: str) -> list[dict[str, Any]]:
    """Every entry's values converted, a field at a time: each distinct value of a field once
    (this runs for every value of a large file, and values repeat), its problems then reported
    on every entry holding it. A missing or wrong value becomes None; a missing required field
    is reported too."""
    if not entries:
        return []
    spec, known, required, plain = SPECS[section], _KNOWN[section], REQUIRED[section], _PLAIN[section]
    datas = [e.data for e in entries]
    for e, data in zip(entries, datas):
        if unknown := data.keys() - known:
            for key in sorted(unknown, key=list(data).index):
                e.problem(key, _unknown_key(key, FIELDS[section], "項目"))
    columns = []
    for key, convert in spec.items():
        raw = [d.get(key, _MISSING) for d in datas]
        if key in required:
            for i in [i for i, v in enumerate(raw) if v is _MISSING]:
                entries[i].problem(key, "必須の項目がありません。")
        kinds = set(map(type, raw))
        kinds.discard(object)  # _MISSING
        if convert is _SPECIAL or kinds <= {plain.get(key)}:
            columns.append([None if v is _MISSING else v for v in raw])
            continue
        if len(kinds) > 1 or not all(k.__hash__ for k in kinds):
            # True == 1 hash alike, and arrays and tables cannot be keys: value by value.
            columns.append(_convert_each(entries, raw, key, convert, key in required))
            continue
        results: dict[Any, Any] = {_MISSING: None}
        bad: dict[Any, list[tuple[str | None, str]]] = {}
        for value in set(raw):
            if value is _MISSING:
                continue
            probe = _Probe()
            results[value] = result = convert(probe, key, value)
            if probe.problems:
                bad[value] = probe.problems
            elif result is None and key in required:
                bad[value] = [(key, "空欄です。値を書いてください。")]
        if bad:
            for e, value in zip(entries, raw):
                for field_name, detail in bad.get(value, ()):
                    e.problem(field_name, detail)
        columns.append([results[v] for v in raw])
    keys = tuple(spec)
    return [dict(zip(keys, row)) for row in zip(*columns)]


def _convert_each(entries: list[_Entry], raw: list[Any], key: str, convert: Converter, required: bool) -> list[Any]:
    column = []
    for e, value in zip(entries, raw):
        if value is _MISSING:
            column.append(None)
            continue
        before = len(e.sink)
        result = convert(e, key, value)
        if result is None and required and len(e.sink) == before:
            e.problem(key, "空欄です。値を書いてください。")
        column.append(result)
    return column

def check_rows(section: str, rows: Sequence[dict[str, Any]], source: str
               ) -> tuple[list[dict[str, Any]], list[FixtureError]]:
    """Rows of one section as plain dicts (from a scenario file, or a CSV of register data) checked
    value by value against the specification: the converted values of each row (None where a
    value is missing or wrong) and every problem with its place (source, `section[n]`, field)."""
    sink: list[_Problem] = []
    entries = [_Entry(sink, source, section, i, dict(row)) for i, row in enumerate(rows, start=1)]
    values = _convert_all(entries, section)
    keys = FIELDS[section]
    sink.sort(key=lambda p: (p.entry.index, keys.index(p.field) if p.field in keys else len(keys)))
    return values, [p.error() for p in sink]


# --------------------------------------------------------------------------------------------
# Phase 1: read every file (no database)


def _pick(v: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The converted values of these keys as they are (None when absent)."""
    return {k: v.get(k) for k in keys}


def _not_before(e: _Entry, field_name: str, later: date | None, earlier: date | None, detail: str) -> None:
    """Reports `detail` on the field when both dates are there and `later` is before `earlier`."""
    if earlier and later and later < earlier:
        e.problem(field_name, detail)


def _read_files(paths: Sequence[str | Path]) -> _Batch:
    """The files named by the trainer, read and checked together (they may refer to each other
    in any order); the parts they include are only listed in `batch.parts`, for `_read_part`."""
    batch = _Batch()
    seen: set[Path] = set()
    for p in paths:
        path = Path(p)
        resolved = path.expanduser().resolve()
        if resolved in seen:  # the same file named twice (e.g. by a glob and by name)
            continue
        seen.add(resolved)
        batch.files.append(path)
        name = str(path)
        data, problem = read_toml(resolved)
        if problem is not None:
            batch.file_problem(name, None, problem)
            continue
        _read_document(batch, name, data)
    parts: dict[Path, Path] = {}
    for part in batch.parts:  # each part once, and never a file named on the command line
        parts.setdefault(part.resolve(), part)
    batch.parts = [part for resolved, part in parts.items() if resolved not in seen]
    return batch


def _read_part(batch: _Batch, path: Path) -> None:
    """Read and check one part file into the batch (emptied by `next_part` beforehand)."""
    batch.files.append(path)
    data, problem = read_toml(path)
    if problem is not None:
        batch.file_problem(str(path), None, problem)
        return
    _read_document(batch, str(path), data, part=True)


def forget_texts() -> None:
    """Empty the caches of checked texts: a long-running app need not keep a large load's texts."""
    for cached in (_checked, _name_key, _kana_key):
        cached.cache_clear()


def _read_document(batch: _Batch, name: str, data: dict[str, Any], part: bool = False) -> None:
    for section in data:
        if section not in SPECS:
            batch.file_problem(name, section, _unknown_key(section, SPECS, "表"))
    if part:
        for section in SINGLE_SECTIONS:
            if section in data:
                batch.file_problem(name, section, f"[{section}] は include で読み込む部品ファイルには書けません"
                                                  "（include を書いたファイルに書いてください）。")
    elif "scenario" not in data:
        batch.file_problem(name, "scenario", "[scenario] の表がありません（name = \"研修: ...\" を書いてください）。")
    sink = batch.problems
    for section in () if part else SINGLE_SECTIONS:
        value = data.get(section)
        if value is None:
            continue
        if not isinstance(value, dict):
            batch.file_problem(name, section, f"[{section}] は1つだけ書きます（[[{section}]] ではありません）。")
            continue
        e = _Entry(sink, name, section, None, value)
        _PARSERS[section](batch, e, _convert_all([e], section)[0])
    for section in LIST_SECTIONS:
        value = data.get(section)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            batch.file_problem(name, section, f"[[{section}]] のように二重の角括弧で1件ずつ書いてください。")
            continue
        parse = _PARSERS[section]
        entries = [_Entry(sink, name, section, i, item) for i, item in enumerate(value, start=1)]
        for e, values in zip(entries, _convert_all(entries, section)):
            parse(batch, e, values)


_PATTERN_CHARS = frozenset("*?[")


def _parse_include(batch: _Batch, e: _Entry, value: Any) -> None:
    """The part files named by `include`, relative to the including file's folder."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        e.problem("include", "ファイル名の配列で書いてください（例: include = [\"parts/*.toml\"]）。")
        return
    folder = Path(e.file).parent
    for name in value:
        if _PATTERN_CHARS & set(name):
            found = sorted(Path(p) for p in glob.glob(str(folder / name)) if Path(p).is_file())
        else:
            found = [folder / name] if (folder / name).is_file() else []
        if not found:
            e.problem("include", f"「{name}」に当たるファイルがありません（{folder} からの相対パスで書きます）。")
        batch.parts += found


def _parse_scenario(batch: _Batch, e: _Entry, v: dict[str, Any]) -> None:
    if "include" in e.data:
        _parse_include(batch, e, e.data["include"])
    today = v.get("today")
    if today is None:
        return
    if batch.today is not None and today != batch.today:
        e.problem("today", f"{batch.today_from} の today（{_ymd(batch.today)}）と違います。"
                           "一緒に読み込むファイルの today はそろえてください。")
        return
    batch.today, batch.today_from = today, e.file


def _parse_insurer(batch: _Batch, e: _Entry, v: dict[str, Any]) -> None:
    e.code = v.get("insurer_number")
    if batch.insurer is not None:
        first = batch.insurer[0]
        e.problem(None, f"[insurer] は読み込むファイル全体で1つだけです（{first.file} にもあります）。")
        return
    if e.bad:
        return
    batch.insurer = (e, {
        "insurer_number": v["insurer_number"],
        "name": v["name"],
        "postal_code": v["postal_code"],
        "address": v["address"],
        "enrolment_section_name": v.get("enrolment_section_name") or "適用グループ",
        "enrolment_phone": v["enrolment_phone"],
        "enrolment_fax": v.get("enrolment_fax"),
        "benefits_section_name": v.get("benefits_section_name") or "給付グループ",
        "benefits_phone": v["benefits_phone"],
    })


def _parse_employer(batch: _Batch, e: _Entry, v: dict[str, Any]) -> None:
    code = e.code = v.get("code")
    if (first := batch.duplicate_of("employer", code, e)) is not None:
        report_repeat(e, "employer", code, place_of(first))
        return
    if e.bad:
        if code is not None:
            batch.invalid.add(("employer", code))
        return
    batch.employers[code] = (e, {
        "code": code,
        "name": v["name"],
        **_pick(v, "name_kana", "postal_code", "address", "phone", "contact_person", "symbol"),
        "name_key": _name_key(v["name"]),
    })


def _loss_reason(e: _Entry, value: Any, is_insured: bool) -> str | None:
    """An insured person's withdrawal reason; for a dependent, a removal reason or, when the
    dependent's coverage ended with the insured's, the insured's withdrawal reason."""
    enums = (WithdrawalReason,) if is_insured else (DependentRemovalReason, WithdrawalReason)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        for enum in enums:
            found = _code_table(enum).get(text)
            if found is not None:
                return found.value
    if is_insured:
        e.problem("loss_reason", f"使える値: {_allowed(WithdrawalReason)}")
    else:
        e.problem("loss_reason", f"使える値: {_allowed(DependentRemovalReason)}"
                                 f"（被保険者の資格喪失に伴うときは {_allowed(WithdrawalReason)}）")
    return None


def _parse_member(batch: _Batch, e: _Entry, v: dict[str, Any]) -> None:
    symbol, number, branch = v.get("symbol"), v.get("number"), v.get("branch")
    key = e.code = f"{symbol}-{number}-{branch}" if symbol and number and branch else None
    insured_key = v.get("insured")
    is_insured = "insured" not in e.data
    relationship = v.get("relationship")
    if is_insured:
        if relationship not in (None, Relationship.SELF):
            e.problem("relationship", "被扶養者は insured に被保険者の記号-番号-枝番を書いてください。"
                                      "被保険者本人なら relationship = \"self\" です。")
        relationship = Relationship.SELF
        if "employer" not in e.data:
            e.problem("employer", "必須の項目がありません（被保険者の事業所コード）。")
    else:
        if "relationship" not in e.data:
            e.problem("relationship", f"被扶養者の続柄を書いてください。使える値: {_allowed(Relationship)}")
        elif relationship is Relationship.SELF:
            e.problem("relationship", "insured を書いた加入員（被扶養者）の続柄に self（本人）は使えません。")
        if key is not None and insured_key is not None:
            if insured_key == key:
                e.problem("insured", "自分自身を被保険者にはできません。")
            elif insured_key.rsplit("-", 1)[0] != f"{symbol}-{number}":
                e.problem("insured", f"被扶養者の記号・番号（{symbol}-{number}）が被保険者（{insured_key}）と違います。"
                                     "家族は同じ記号・番号で、枝番だけが違います。")

    birth, acquired, lost = v.get("birth_date"), v.get("acquired_on"), v.get("lost_on")
    remuneration = v.get("standard_monthly_remuneration")
    loss_reason = _loss_reason(e, e.data["loss_reason"], is_insured) if "loss_reason" in e.data else None
    if remuneration is not None and not is_insured:
        e.problem("standard_monthly_remuneration", "標準報酬月額は被保険者本人にだけ書きます（被扶養者には書きません）。")
    if "loss_reason" in e.data and "lost_on" not in e.data:
        e.problem("loss_reason", "loss_reason を書くときは lost_on（資格喪失日）も書いてください。")
    if birth and acquired:
        if acquired < birth:
            e.problem("acquired_on", f"資格取得日 {_ymd(acquired)} が生年月日 {_ymd(birth)} より前です。")
        elif acquired >= rules.loss_on_reaching_75(birth):
            e.problem("acquired_on", f"75歳の誕生日（{_ymd(rules.loss_on_reaching_75(birth))}）以後は加入できません"
                                     "（後期高齢者医療制度へ移行, R5）。")
    if acquired and lost and lost <= acquired:
        e.problem("lost_on", f"資格喪失日 {_ymd(lost)} が資格取得日 {_ymd(acquired)} 以前です"
                             "（lost_on は資格を失った日＝最終勤務日の翌日です）。")
    mynumber_on = v.get("mynumber_received_on")
    _not_before(e, "mynumber_received_on", mynumber_on, birth, "マイナンバー受領日が生年月日より前です。")
    if (first := batch.duplicate_of("member", key, e)) is not None:
        report_repeat(e, "member", key, place_of(first))
        return
    if batch.left_out(e, key, v, {"employer": "employer", "insured": "member"}, ("member", key)):
        return
    family, given = v["family_name"], v["given_name"]
    family_kana, given_kana = v["family_name_kana"], v["given_name_kana"]
    card_status = v.get("card_status") or CardStatus.NO_CARD
    income_reduction = bool(v.get("income_reduction"))
    row = {
        "symbol": symbol, "number": number, "branch": branch,
        "relationship": relationship,
        "family_name": family, "given_name": given,
        "family_name_kana": family_kana, "given_name_kana": given_kana,
        "birth_date": birth,
        "sex": v["sex"],
        **_pick(v, "postal_code", "address", "phone"),
        "acquired_on": acquired,
        "lost_on": lost,
        "loss_reason": loss_reason,
        "registered_on": v.get("registered_on") or acquired,
        "standard_monthly_remuneration": remuneration,
        "income_reduction": income_reduction,
        "needs_assistance": bool(v.get("needs_assistance")),
        "card_status": card_status,
        "mynumber_received_on": mynumber_on,
        "name_key": _joined_key(_name_key, family, given),
        "kana_key": _joined_key(_kana_key, family_kana, given_kana),
        "given_name_key": _name_key(given),
        "given_kana_key": _kana_key(given_kana),
    }
    batch.members[key] = _Person(
        key=key, insured_key=insured_key, birth_date=birth, acquired_on=acquired, lost_on=lost,
        employer_code=v.get("employer"), remuneration=remuneration, income_reduction=income_reduction,
        card_status=card_status, family_name=family, given_name=given, entry=e, row=row,
    )


def _parse_document(batch: _Batch, e: _Entry, v: dict[str, Any]) -> None:
    member = e.code = v.get("member")
    kind, issued = v.get("kind"), v.get("issued_on")
    ratio = v.get("copay_ratio")
    if ratio is not None and (isinstance(ratio, bool) or ratio not in (2, 3)):
        e.problem("copay_ratio", "負担割合は 2 か 3（割）で書きます。印字しない（*******）ときは書きません。")
    valid_until, returned_on = v.get("valid_until"), v.get("returned_on")
    status = v.get("status") or DocumentStatus.VALID
    if kind in (DocumentKind.LEGACY_CARD, DocumentKind.ELDERLY_CARD) and issued and issued >= rules.LEGACY_ISSUE_STOPPED:
        e.problem("issued_on", f"{kind.label}は{_ymd(rules.LEGACY_ISSUE_STOPPED)}以降は新規に交付されていません（R6）。")
    _not_before(e, "valid_until", valid_until, issued, "有効期限が交付日より前です。")
    _not_before(e, "returned_on", returned_on, issued, "返却日が交付日より前です。")
    if status is DocumentStatus.RETURNED and returned_on is None:
        e.problem("returned_on", "status が returned（返却済）のときは returned_on（返却日）を書いてください。")
    serial = v.get("serial")
    if serial is None and member and kind and issued:
        # Derived from what identifies the document, so loading the file again finds the same row.
        symbol, number, branch = member.split("-")
        serial = f"{_SERIAL_PREFIX[kind]}-{symbol}-{number}-{branch}-{issued:%Y%m%d}"
    if (first := batch.duplicate_of("document", serial, e)) is not None:
        report_repeat(e, "document", serial, place_of(first))
        return
    if batch.left_out(e, member, v, {"member": "member", "supersedes": "document"}, ("document", serial)):
        return
    batch.documents[serial] = (e, {
        "serial": serial,
        "kind": kind,
        "issued_on": issued,
        "valid_until": valid_until,
        **_pick(v, "route", "reason", "reason_note"),
        "status": status,
        "status_changed_on": v.get("status_changed_on") or returned_on,
        "returned_on": returned_on,
        "copay_ratio": ratio,
        **_pick(v, "ratio_effective_from", "override_reason"),
        "_member": member,
        "_supersedes": v.get("supersedes"),
    })


def _parse_cancellation(batch: _Batch, e: _Entry, v: dict[str, Any]) -> None:
    member = e.code = v.get("member")
    received = v.get("received_on")
    status = v.get("status") or CancellationStatus.RECEIVED
    withdrawn_on = v.get("withdrawn_on")
    if v.get("proxy_relationship") and not v.get("proxy_name"):
        e.problem("proxy_name", "代理人の続柄を書くときは proxy_name（代理人の氏名）も書いてください。")
    if withdrawn_on and status is not CancellationStatus.WITHDRAWN:
        e.problem("withdrawn_on", "withdrawn_on（取下げ日）は status = \"withdrawn\" のときだけ書きます。")
    _not_before(e, "withdrawn_on", withdrawn_on, received, "取下げ日が受付日より前です。")
    if batch.left_out(e, member, v, {"member": "member"}):
        return
    batch.cancellations.append((e, {
        "received_on": received,
        "effective_on": rules.cancellation_effective_on(received),  # R7
        **_pick(v, "applicant_name", "applicant_birth_date", "applicant_address", "applicant_phone", "reason",
                 "proxy_name", "proxy_relationship"),
        "mismatch_accepted": bool(v.get("mismatch_accepted")),
        "legacy_card_at_hand": v.get("legacy_card_at_hand"),
        "status": status,
        "previous_card_status": v.get("previous_card_status"),
        "withdrawn_on": withdrawn_on,
        "_member": member,
    }))


def _parse_loss_report(batch: _Batch, e: _Entry, v: dict[str, Any]) -> None:
    member = e.code = v.get("member")
    received, lost, found = v.get("received_on"), v.get("lost_on"), v.get("found_on")
    _not_before(e, "received_on", received, lost, "受付日が紛失日より前です。")
    _not_before(e, "found_on", found, lost, "発見日が紛失日より前です。")
    if batch.left_out(e, member, v, {"member": "member", "document": "document"}):
        return
    batch.loss_reports.append((e, {
        "document_kind": v["document_kind"],
        "received_on": received,
        "lost_on": lost,
        "circumstance": v["circumstance"],
        "police_report_ref": v.get("police_report_ref"),
        "reissue_requested": bool(v.get("reissue_requested")),
        "found_on": found,
        "_member": member,
        "_document": v.get("document"),
    }))


def _parse_collection_item(batch: _Batch, e: _Entry, v: dict[str, Any]) -> None:
    serial = e.code = v.get("document")
    status = v.get("status") or CollectionStatus.OUTSTANDING
    lost, returned = v.get("lost_on"), v.get("returned_on")
    if status is CollectionStatus.RETURNED and returned is None:
        e.problem("returned_on", "status が returned（返却済）のときは returned_on（返却日）を書いてください。")
    _not_before(e, "returned_on", returned, lost, "返却日が資格喪失日より前です。")
    if batch.left_out(e, serial, v, {"document": "document"}):
        return
    batch.collection_items.append((e, {
        "lost_on": lost,
        "status": status,
        "returned_on": returned,
        **_pick(v, "return_via", "condition", "closed_reason", "reminder_sent_on"),
        "_document": serial,
    }))


def _parse_claim(batch: _Batch, e: _Entry, v: dict[str, Any]) -> None:
    member = e.code = v.get("member")
    name, month, paid = v.get("institution_name"), v.get("treatment_month"), v.get("paid_on")
    receipt = bool(v.get("receipt_received"))
    statement = bool(v.get("medical_statement_received"))
    form = bool(v.get("claim_form_received"))
    received = v.get("received_on") or paid
    status = v.get("status") or (ClaimStatus.COMPLETE if receipt and statement and form else ClaimStatus.INCOMPLETE)
    forwarded = v.get("forwarded_on")
    if month and paid and paid < month:
        e.problem("paid_on", f"支払日 {_ymd(paid)} が診療月（{wareki.format_wareki_month(month)}）より前です。")
    _not_before(e, "received_on", received, paid, "受付日が支払日より前です。")
    if status is ClaimStatus.FORWARDED and forwarded is None:
        e.problem("forwarded_on", "status が forwarded（回付済）のときは forwarded_on（回付日）を書いてください。")
    if batch.left_out(e, member, v, {"member": "member"}):
        return
    batch.claims.append((e, {
        "institution_name": name,
        "institution_key": _name_key(name),
        "is_pharmacy": bool(v.get("is_pharmacy")),
        "treatment_month": month,
        "paid_on": paid,
        "amount_paid": v["amount_paid"],
        "fee_schedule_cost": v.get("fee_schedule_cost"),
        "receipt_received": receipt,
        "medical_statement_received": statement,
        "claim_form_received": form,
        "received_on": received,
        **_pick(v, "cause", "late_reason"),
        "status": status,
        "forwarded_on": forwarded,
        "_member": member,
    }))


def _parse_former_name(batch: _Batch, e: _Entry, v: dict[str, Any]) -> None:
    member = e.code = v.get("member")
    if batch.left_out(e, member, v, {"member": "member"}):
        return
    family, given = v["family_name"], v["given_name"]
    family_kana, given_kana = v["family_name_kana"], v["given_name_kana"]
    batch.former_names.append((e, {
        "family_name": family, "given_name": given,
        "family_name_kana": family_kana, "given_name_kana": given_kana,
        "used_until": v["used_until"],
        # Exactly the keys a clerk's 氏名変更 stores (FormerName.refresh_search_keys).
        **member_search_keys(family, given, family_kana, given_kana),
        "_member": member,
    }))


def _parse_issue_request(batch: _Batch, e: _Entry, v: dict[str, Any]) -> None:
    member = e.code = v.get("member")
    cause = v.get("cause")
    status = v.get("status") or IssueRequestStatus.PENDING
    serial = v.get("document")
    if v.get("ratio_effective_from") is not None and cause not in (None, IssueCause.RATIO_CHANGE):
        e.problem("ratio_effective_from", "ratio_effective_from（負担割合の発効期日）は cause = \"ratio_change\""
                                          "（負担割合変更）のときだけ書きます。")
    if status is IssueRequestStatus.ISSUED and serial is None:
        e.problem("document", "status が issued（交付済）のときは document（交付した書類の serial）を書いてください。")
    elif status is not IssueRequestStatus.ISSUED and serial is not None:
        e.problem("document", "document（交付した書類）は status = \"issued\" のときだけ書きます。")
    if batch.left_out(e, member, v, {"member": "member", "document": "document"}):
        return
    batch.issue_requests.append((e, {
        "kind": v["kind"],
        "reason": issue_reason(cause),
        "cause": cause,
        "queued_on": v["queued_on"],
        "ratio_effective_from": v.get("ratio_effective_from"),
        "status": status,
        "_member": member,
        "_document": serial,
    }))


_PARSERS: dict[str, Callable[[_Batch, _Entry, dict[str, Any]], None]] = {
    "scenario": _parse_scenario, "insurer": _parse_insurer, "employers": _parse_employer,
    "members": _parse_member, "documents": _parse_document, "cancellations": _parse_cancellation,
    "loss_reports": _parse_loss_report, "collection_items": _parse_collection_item, "claims": _parse_claim,
    "former_names": _parse_former_name, "issue_requests": _parse_issue_request,
}

