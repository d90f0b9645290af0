"""What the letters print (受付控, 滅失届, 督促状, 不足書類のお知らせ, 送付一覧): frozen, display-ready
values filled by services.letters; dates stay `date` and are printed in 和暦."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from clerk_tui.domain.person import CancellationApplicant
from clerk_tui.forms.data import InsurerInfo

__all__ = [
    "CancellationReceiptData",
    "LossReportData",
    "MissingPapersData",
    "ReminderData",
    "ReminderRow",
    "TransmittalData",
    "TransmittalRow",
]

_CODE = re.compile(r"[0-9]{1,8}-[0-9]{1,8}-[0-9]{2}")


def _check_code(symbol: str, number: str, branch: str) -> None:
    if not _CODE.fullmatch(f"{symbol}-{number}-{branch}"):
        raise ValueError(f"記号・番号・枝番が不正です: {symbol!r} {number!r} {branch!r}")


def _check_member_code(code: str) -> None:
    if not _CODE.fullmatch(code):
        raise ValueError(f"記号・番号・枝番が不正です: {code!r}")


@dataclass(frozen=True)
class CancellationReceiptData(CancellationApplicant):
    """受付控 of a 利用登録解除申請 (R7): the application as recorded."""

    insurer: InsurerInfo
    reference: str  # 受付番号
    issued_on: date  # 発行日
    symbol: str
    number: str
    branch: str
    received_on: date
    effective_on: date  # 解除予定日 (rules.cancellation_effective_on)
    status_label: str  # CancellationStatus.label
    legacy_card_at_hand: bool | None = None  # asked only when a valid legacy card was held (R7)
    needs_loss_report: bool = False  # the legacy card is missing and no 滅失届 has come in (R8)
    certificate_in_hand: bool = False  # completed: the member holds the 資格確認書 (R7, R18)
    withdrawn_on: date | None = None

    def __post_init__(self) -> None:
        _check_code(self.symbol, self.number, self.branch)
        if self.effective_on <= self.received_on:
            raise ValueError("解除予定日が受付日以前です")
        if self.proxy_name and not self.proxy_relationship:
            raise ValueError("代理人の申請には本人との関係が必要です")


@dataclass(frozen=True)
class LossReportData:
    """被保険者証滅失届 (R8), filled in for the insured person's signature."""

    insurer: InsurerInfo
    reference: str  # 受付番号
    issued_on: date  # 作成日
    symbol: str
    number: str
    branch: str
    name: str  # the person whose document was lost
    name_kana: str
    birth_date: date
    sex_label: str
    is_dependent: bool
    insured_name: str | None  # who signs: the insured person
    postal_code: str | None
    address: str | None
    phone: str | None
    employer_name: str
    document_label: str  # DocumentKind.label
    document_serial: str | None  # the lost document, when the records know which one
    document_issued_on: date | None
    lost_on: date
    circumstance_label: str  # LossCircumstance.label
    circumstance_choices: tuple[str, ...]  # every LossCircumstance label, in order, for the boxes
    police_report_ref: str | None
    reissue_requested: bool
    received_on: date

    def __post_init__(self) -> None:
        _check_code(self.symbol, self.number, self.branch)
        if self.circumstance_label not in self.circumstance_choices:
            raise ValueError(f"滅失の事情が選択肢にありません: {self.circumstance_label!r}")
        if self.is_dependent and not self.insured_name:
            raise ValueError("被扶養者の滅失届には被保険者の氏名が必要です")
        if self.lost_on > self.received_on:
            raise ValueError("滅失日が受付日より後です")


@dataclass(frozen=True)
class ReminderRow:
    """One outstanding document in a 督促状."""

    code: str  # "1234-567-01"
    name: str
    document_label: str
    serial: str  # 交付番号
    lost_on: date  # 資格喪失日 (for a 氏名変更: the day the change took effect)
    days: int  # 経過日数 since the loss
    last_reminded_on: date | None  # 前回督促日, before this letter
    name_change: bool = False  # a certificate with the old name, due back after a 氏名変更

    def __post_init__(self) -> None:
        _check_member_code(self.code)


@dataclass(frozen=True)
class ReminderData:
    """督促状 to one employer listing its outstanding documents (R9)."""

    insurer: InsurerInfo
    employer_code: str
    employer_name: str
    employer_postal_code: str | None
    employer_address: str | None
    employer_contact: str | None  # the employer's 担当者
    issued_on: date
    reference: str  # 文書番号, printed on every page
    rows: tuple[ReminderRow, ...] = field(default_factory=tuple)
    return_within_days: int = 5  # the 資格喪失届 goes in with the documents within 5 days (R9)

    def __post_init__(self) -> None:
        if not self.rows:
            raise ValueError("督促する書類がありません")

    @property
    def name_changes(self) -> bool:
        """Does the letter list certificates due back after a 氏名変更 (not only after losses)?"""
        return any(r.name_change for r in self.rows)


@dataclass(frozen=True)
class MissingPapersData:
    """立替払 不足書類のお知らせ (R12) to the insured person: which of the three papers are missing."""

    insurer: InsurerInfo
    reference: str  # 受付番号 of the claim
    issued_on: date
    addressee_name: str  # the insured person: the 療養費 is claimed and paid to them
    addressee_postal_code: str | None
    addressee_address: str | None
    symbol: str
    number: str
    branch: str  # the patient's
    patient_name: str
    institution_name: str
    is_pharmacy: bool
    treatment_month: date  # first day of the month
    paid_on: date
    amount_paid: int  # yen, 10割
    received_on: date
    receipt_received: bool
    medical_statement_received: bool
    claim_form_received: bool
    deadline: date  # rules.claim_deadline(paid_on)
    benefits_section_name: str  # 給付グループ (R15)
    benefits_phone: str

    def __post_init__(self) -> None:
        _check_code(self.symbol, self.number, self.branch)
        if self.receipt_received and self.medical_statement_received and self.claim_form_received:
            raise ValueError("不足している書類がありません")
        if self.amount_paid <= 0:
            raise ValueError("支払額が不正です")

    @property
    def papers(self) -> tuple[tuple[str, bool], ...]:
        """(key, received) for the three papers, in the order the letter lists them."""
        return (("receipt", self.receipt_received), ("medical_statement", self.medical_statement_received),
                ("claim_form", self.claim_form_received))


@dataclass(frozen=True)
class TransmittalRow:
    """One claim handed to the 給付グループ."""

    reference: str  # the claim's 受付番号
    code: str  # the patient's 記号・番号・枝番
    name: str
    institution_name: str
    is_pharmacy: bool
    treatment_month: date
    amount_paid: int
    estimated_refund: int

    def __post_init__(self) -> None:
        _check_member_code(self.code)


@dataclass(frozen=True)
class TransmittalData:
    """送付一覧: complete 立替払 claims forwarded to the 給付グループ on one day (R12)."""

    insurer: InsurerInfo
    benefits_section_name: str
    forwarded_on: date  # 回付日
    reference: str  # 送付番号, printed on every page
    rows: tuple[TransmittalRow, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.rows:
            raise ValueError("回付する請求がありません")

    @property
    def total_paid(self) -> int:
        return sum(r.amount_paid for r in self.rows)

    @property
    def total_refund(self) -> int:
        return sum(r.estimated_refund for r in self.rows)
