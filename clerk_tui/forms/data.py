"""What the renderers print: frozen, display-ready values (dates stay `date`, printed in 和暦),
filled by the issuing services; the renderers look nothing up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from clerk_tui.domain.rules import CERTIFICATE_MASKED_RATIO, MASKED_RATIO
from clerk_tui.domain.wareki import format_wareki

__all__ = [
    "CERTIFICATE_MASKED_RATIO",
    "MASKED_RATIO",
    "CertificateData",
    "CoverEntry",
    "CoverSheetData",
    "InsurerInfo",
    "MailingAddress",
    "NoticeData",
    "code_text",
    "printed_fields",
    "ratio_text",
]

# R5: what documents print for members under 70 (rules.ratio_masked): MASKED_RATIO on the
# お知らせ, CERTIFICATE_MASKED_RATIO (one asterisk fewer) on the 資格確認書.
_COPAY = re.compile(r"[23]割|\*{6,7}")


@dataclass(frozen=True)
class InsurerInfo:
    """The insurer as printed: 保険者番号, name, address and the enrolment section's contact (R15)."""

    number: str  # 保険者番号, 8 digits
    name: str
    postal_code: str  # "102-8017"
    address: str
    section_name: str  # "適用グループ"
    phone: str
    fax: str | None = None
    short_name: str | None = None  # "TJK": names the insurer's own facilities on the お知らせ

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[0-9]{8}", self.number):
            raise ValueError(f"保険者番号は8桁の数字です: {self.number!r}")


@dataclass(frozen=True)
class MailingAddress:
    """The addressee of a copy sent to the person (本人送付), printed where the window of the
    envelope shows it."""

    postal_code: str
    address: str
    name: str

    def __post_init__(self) -> None:
        for label, value in (("郵便番号", self.postal_code), ("住所", self.address), ("宛名", self.name)):
            if not value or not value.strip():
                raise ValueError(f"本人送付の{label}がありません")


@dataclass(frozen=True, kw_only=True)
class MemberDocument:
    """What the お知らせ and the 資格確認書 both print about the member and the issue."""

    insurer: InsurerInfo
    symbol: str
    number: str
    branch: str
    name: str
    birth_date: date
    sex_label: str  # "男" / "女"
    acquired_on: date  # 資格取得年月日
    issued_on: date  # 交付年月日
    copay_text: str  # "2割" / "3割" / the asterisks (rules.ratio_masked)
    ratio_effective_from: date | None  # 発効期日 of a printed 70–74 ratio
    is_dependent: bool
    insured_name: str | None  # the insured person's name, for a dependent
    serial: str
    via_employer: bool = True  # 事業所経由: the employer's name heads the sheet
    mail_to: MailingAddress | None = None  # 本人送付: the addressee in the envelope window

    def __post_init__(self) -> None:
        for label, value, width in (("記号", self.symbol, 8), ("番号", self.number, 8)):
            if not re.fullmatch(rf"[0-9]{{1,{width}}}", value):
                raise ValueError(f"{label}は1〜{width}桁の数字です: {value!r}")
        if not re.fullmatch(r"[0-9]{2}", self.branch):
            raise ValueError(f"枝番は2桁の数字です: {self.branch!r}")
        if not _COPAY.fullmatch(self.copay_text):
            raise ValueError(f"負担割合は「2割」「3割」または「{MASKED_RATIO}」です: {self.copay_text!r}")
        if self.is_dependent and not self.insured_name:
            raise ValueError("被扶養者の書類には被保険者の氏名が必要です")
        if self.mail_to is not None and self.via_employer:
            raise ValueError("事業所経由の書類に本人送付の宛先は指定できません")


@dataclass(frozen=True, kw_only=True)
class NoticeData(MemberDocument):
    """資格情報のお知らせ (R1, R2, R14)."""

    name_kana: str
    employer_name: str
    mynaportal_url: str  # configuration (Config.mynaportal_url)
    facility_code: str  # opaque code for the facility QR (domain.facility_code); never 記号・番号

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.facility_code:
            raise ValueError("施設確認コードがありません")
        # 告知要求制限 (R2): the facility QR must not carry 記号・番号 in readable form.
        if re.search(rf"(?<!\d){self.symbol}\D{{0,3}}{self.number}(?!\d)", self.facility_code):
            raise ValueError("施設確認コードに記号・番号が含まれています")


@dataclass(frozen=True, kw_only=True)
class CertificateData(MemberDocument):
    """資格確認書 (R3–R5; for 70–74 it stands in for the 高齢受給者証)."""

    valid_until: date  # 有効期限 (rules.certificate_valid_until)
    capped_at_75: bool = False  # valid_until is the day before the 75th birthday (R4)
    name_kana: str | None = None
    employer_name: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.valid_until < self.issued_on:
            raise ValueError("有効期限が交付年月日より前です")

    @property
    def ratio_printed(self) -> bool:
        """70 or over at issue (R5): the card also serves as the old 高齢受給者証."""
        return "*" not in self.copay_text


@dataclass(frozen=True)
class CoverEntry:
    """One line of a 送付書: which document for whom."""

    code: str  # "1234-567-01"
    name: str
    kind_label: str  # DocumentKind.label: "資格確認書" / "資格情報のお知らせ"
    serial: str


@dataclass(frozen=True)
class CoverSheetData:
    """送付書: the cover sheet of a batch sent to one employer (事業所経由)."""

    insurer: InsurerInfo
    employer_name: str
    employer_postal_code: str | None
    employer_address: str | None
    employer_contact: str | None  # the employer's 担当者
    issued_on: date
    entries: tuple[CoverEntry, ...] = field(default_factory=tuple)
    employer_code: str | None = None
    serial: str | None = None  # the batch's own reference, printed on every page
    # A large batch is sent in parts (分冊) of a bounded size, each a file with its own 送付書:
    # which part this is, and the employer's whole batch it belongs to.
    part: int = 1
    parts: int = 1
    first_number: int = 1  # the No. of this part's first line within the whole batch
    total: int | None = None  # documents in the whole batch (None: this part's entries)


def ratio_text(data: NoticeData | CertificateData) -> str:
    """負担割合 as the document prints it: the ratio with its 発効期日 for 70–74, else the
    asterisks of the kind of document (R5)."""
    if isinstance(data, CertificateData) and not data.ratio_printed:
        return CERTIFICATE_MASKED_RATIO  # the certificate's own asterisks, whatever came in
    if "*" in data.copay_text or data.ratio_effective_from is None:
        return data.copay_text
    return f"{data.copay_text}（発効期日 {format_wareki(data.ratio_effective_from)}）"


def code_text(data: NoticeData | CertificateData) -> str:
    """記号・番号 and 枝番 as the card part of either document prints them."""
    return f"{data.symbol}・{data.number}　（枝番）{data.branch}"


def printed_fields(data: NoticeData | CertificateData) -> list[tuple[str, str]]:
    """The member's fields exactly as the document prints them, label and text: what the clerk
    reads before confirming is what the renderer draws from the same object."""
    fields = [("氏名", data.name)]
    if isinstance(data, NoticeData):
        fields.append(("フリガナ", data.name_kana))  # the 資格確認書 prints no kana
    fields += [
        ("生年月日", format_wareki(data.birth_date)),
        ("性別", data.sex_label),
        ("記号・番号", code_text(data)),
        ("保険者番号", data.insurer.number),
        ("資格取得年月日", format_wareki(data.acquired_on)),
        ("交付年月日", format_wareki(data.issued_on)),
    ]
    if isinstance(data, CertificateData):
        fields.append(("有効期限", format_wareki(data.valid_until)))
    fields.append(("負担割合", ratio_text(data)))
    if data.is_dependent:
        fields.append(("被保険者氏名", data.insured_name or ""))
    return fields
