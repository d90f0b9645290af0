"""The dated rules of docs/rules.md (R3–R13) as pure functions: every date comes in as an argument,
nothing reads the clock, the database or the disk."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Protocol

import holidays

from clerk_tui.domain.codes import CardStatus, DocumentKind, DocumentStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.wareki import format_wareki

__all__ = [
    "LEGACY_CARD_LAST_VALID",
    "LEGACY_ISSUE_STOPPED",
    "CERTIFICATE_MASKED_RATIO",
    "MASKED_RATIO",
    "ACTIVE_INCOME_REMUNERATION",
    "CollectionDecision",
    "Copay",
    "DocumentLike",
    "Eligibility",
    "Expiry",
    "add_business_days",
    "age_on",
    "attains_age_on",
    "cancellation_effective_on",
    "certificate_eligibility",
    "certificate_valid_until",
    "claim_days_left",
    "claim_deadline",
    "collection_decisions",
    "copay_ratio",
    "counted_cost",
    "first_day_of_next_month",
    "fiscal_year",
    "insurer_share",
    "is_business_day",
    "last_day_of_month",
    "last_work_day_for",
    "legacy_card_return_required",
    "legacy_card_valid_on",
    "loss_on_reaching_75",
    "masked_ratio_for",
    "mynumber_usable_from",
    "nth_birthday",
    "qualification_lost_on",
    "ratio_in_force",
    "ratio_masked",
    "reaches_75_before",
    "school_age_starts_on",
    "seventy_ratio_starts_on",
    "system_view_ready_on",
    "turns_70_next_month",
]

ONE_DAY = timedelta(days=1)

# R6: the legacy 健康保険証 (and 高齢受給者証) work through this day and not after.
LEGACY_CARD_LAST_VALID = date(2025, 12, 1)
LEGACY_ISSUE_STOPPED = date(2024, 12, 2)

# R5: 標準報酬月額 from which a 70–74 insured person counts as 現役並み所得者 (3割).
ACTIVE_INCOME_REMUNERATION = 280_000

# R2/R5: what is printed instead of the ratio for a member under 70. The insurer's own
# documents differ by one asterisk: seven on the お知らせ (also used on screens), six on the
# 資格確認書.
MASKED_RATIO = "*******"
CERTIFICATE_MASKED_RATIO = "******"


def _ymd(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _require_date(value: Any, field: str) -> date:
    # datetime is a date subclass, but comparing one with a date raises; insist on plain dates.
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise DomainError("日付を指定してください", field=field)
    return value


def _require_amount(value: Any, field: str, label: str) -> int:
    # bool is an int subclass; True as ¥1 would be a silent bug.
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(f"{label}は整数（円）で指定してください", field=field)
    if value < 0:
        raise DomainError(f"{label}に負の値は指定できません", field=field)
    return value


# ---------------------------------------------------------------------------------------------
# Calendar helpers


def last_day_of_month(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def first_day_of_next_month(d: date) -> date:
    return last_day_of_month(d) + ONE_DAY


def fiscal_year(d: date) -> int:
    """The fiscal year (April–March) containing d, named by the year of its April."""
    return d.year if d.month >= 4 else d.year - 1


# ---------------------------------------------------------------------------------------------
# Ages (年齢計算ニ関スル法律 / 民法143条: an age is attained on the day before the birthday)


def nth_birthday(birth: date, n: int) -> date:
    """The nth birthday; a 29 February birth has its birthday on 1 March in common years."""
    _require_date(birth, "birth_date")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise DomainError("年齢は0以上の整数で指定してください", field="age")
    year = birth.year + n
    if year > date.max.year:
        raise DomainError("日付が範囲外です", field="birth_date")
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return birth.replace(year=year)


def attains_age_on(birth: date, n: int) -> date:
    """The day the person attains age n: the day before the nth birthday.

    For a 29 February birth this is 28 February in every year, as 民法143条 gives."""
    return nth_birthday(birth, n) - ONE_DAY


def age_on(birth: date, on: date) -> int:
    """Age in law on `on` (it increases on the day before each birthday)."""
    _require_date(birth, "birth_date")
    _require_date(on, "on")
    if on < birth:
        raise DomainError("基準日が生年月日より前です", field="birth_date")
    n = on.year - birth.year
    if attains_age_on(birth, n) > on:
        return n - 1
    # A 1 January birthday is attained on 31 December of the year before.
    if on.year < date.max.year and attains_age_on(birth, n + 1) <= on:
        return n + 1
    return n


def school_age_starts_on(birth: date) -> date:
    """The first day of primary-school age: 1 April after the first 31 March on or after the day
    the child attains 6. Until the day before, the child pays 2割 (R5)."""
    attained = attains_age_on(birth, 6)
    march_31 = date(attained.year, 3, 31)
    if march_31 < attained:
        march_31 = date(attained.year + 1, 3, 31)
    return march_31 + ONE_DAY


def seventy_ratio_starts_on(birth: date) -> date:
    """The day the 70–74 ratio takes effect: the 1st of the month after the month in which the
    person attains 70. For a birthday on the 1st, 70 is attained on the last day of the month
    before, so this is the birthday itself."""
    return first_day_of_next_month(attains_age_on(birth, 70))


def loss_on_reaching_75(birth: date) -> date:
    """Qualification is lost on the 75th birthday itself (move to 後期高齢者医療制度)."""
    return nth_birthday(birth, 75)


def turns_70_next_month(birth: date, today: date) -> bool:
    """True when the 70–74 ratio takes effect on the 1st of next month (which is also the case
    for a 70th birthday falling on the 1st of next month)."""
    return seventy_ratio_starts_on(birth) == first_day_of_next_month(today)


def reaches_75_before(birth: date, d: date) -> bool:
    """True when the person attains 75 before d, i.e. the 75th birthday (the loss date) is on or
    before d: on d the person is no longer covered by the society."""
    return loss_on_reaching_75(birth) <= d


# ---------------------------------------------------------------------------------------------
# R4: expiry of a 資格確認書


@dataclass(frozen=True)
class Expiry:
    valid_until: date
    capped_at_75: bool


def certificate_valid_until(issued_on: date, birth_date: date) -> Expiry:
    """31 March of the third fiscal year, counting the fiscal year of issue as the first; the day
    before the 75th birthday when that comes first (qualification ends on the birthday)."""
    _require_date(issued_on, "issued_on")
    _require_date(birth_date, "birth_date")
    if issued_on < birth_date:
        raise DomainError("交付日が生年月日より前です", field="issued_on")
    loss = loss_on_reaching_75(birth_date)
    if issued_on >= loss:
        raise DomainError(
            f"{_ymd(loss)}に75歳到達により資格喪失しているため交付できません", field="issued_on"
        )
    # FY of issue is year 1, so year 3 ends on 31 March of (FY + 3).
    uncapped = date(fiscal_year(issued_on) + 3, 3, 31)
    if loss <= uncapped:
        return Expiry(valid_until=loss - ONE_DAY, capped_at_75=True)
    return Expiry(valid_until=uncapped, capped_at_75=False)


# ---------------------------------------------------------------------------------------------
# R5: 負担割合


@dataclass(frozen=True)
class Copay:
    ratio: int  # 2 or 3 (割)
    printed: bool  # False: documents show asterisks
    effective_from: date | None  # 70–74 only: the 発効期日 of the printed ratio
    reason: str


def masked_ratio_for(kind: DocumentKind | None) -> str:
    """The asterisks a document of this kind prints for a member under 70."""
    return CERTIFICATE_MASKED_RATIO if kind is DocumentKind.ELIGIBILITY_CERTIFICATE else MASKED_RATIO


def ratio_masked(copay: Copay, kind: DocumentKind | None = None) -> str:
    """What a form (of `kind`; the お知らせ and screens by default) prints in the 負担割合 box."""
    return f"{copay.ratio}割" if copay.printed else masked_ratio_for(kind)


def ratio_in_force(copay: Copay, on: date) -> int:
    """The ratio actually paid on `on`: before the 発効期日 of a printed 70–74 ratio, the person
    still pays the working-age 3割 (what 立替払 refunds are computed with)."""
    if copay.effective_from is not None and on < copay.effective_from:
        return 3
    return copay.ratio


def _seventy_ratio_in_force(birth: date, on: date) -> bool:
    return seventy_ratio_starts_on(birth) <= on < loss_on_reaching_75(birth)


def copay_ratio(
    birth_date: date,
    on: date,
    *,
    is_insured: bool,
    remuneration: int | None,
    insured_birth_date: date | None = None,
    insured_remuneration: int | None = None,
    income_reduction: bool = False,
    insured_income_reduction: bool = False,
    acquired_on: date | None = None,
) -> Copay:
    """The ratio a document issued on `on` shows for this member (R5).

    `remuneration` is the member's own 標準報酬月額 (used for an insured person);
    `insured_*` describe the insured person when the member is a dependent."""
    _require_date(birth_date, "birth_date")
    _require_date(on, "on")
    if on < birth_date:
        raise DomainError("基準日が生年月日より前です", field="birth_date")
    if remuneration is not None:
        _require_amount(remuneration, "remuneration", "標準報酬月額")
    if insured_remuneration is not None:
        _require_amount(insured_remuneration, "insured_remuneration", "被保険者の標準報酬月額")
    if acquired_on is not None:
        _require_date(acquired_on, "acquired_on")

    loss = loss_on_reaching_75(birth_date)
    if on >= loss:
        raise DomainError(
            f"{_ymd(loss)}に75歳到達により後期高齢者医療制度へ移行済のため、負担割合はありません",
            field="birth_date",
        )
    if not is_insured and insured_birth_date is not None:
        _require_date(insured_birth_date, "insured_birth_date")
        insured_loss = loss_on_reaching_75(insured_birth_date)
        if on >= insured_loss:
            # The dependents' coverage ends with the insured person's (R5, R9).
            raise DomainError(
                f"被保険者が{_ymd(insured_loss)}に75歳到達により資格喪失したため、"
                "被扶養者も同日に資格喪失しています",
                field="insured_birth_date",
            )

    if on < school_age_starts_on(birth_date):
        return Copay(2, False, None, "義務教育就学前（6歳到達後最初の3月31日まで）のため2割")
    if age_on(birth_date, on) < 70:
        return Copay(3, False, None, "70歳未満のため3割（書類には印字しない）")

    # 70–74. Printed from the day 70 is attained, with the date the ratio takes effect.
    effective = seventy_ratio_starts_on(birth_date)
    if acquired_on is not None and acquired_on > effective:
        effective = acquired_on

    if is_insured:
        if remuneration is None:
            raise DomainError("70〜74歳の被保険者は標準報酬月額が必要です", field="remuneration")
        if income_reduction:
            ratio, reason = 2, "70〜74歳・基準収入額適用申請の承認済のため2割"
        elif remuneration >= ACTIVE_INCOME_REMUNERATION:
            ratio, reason = 3, "70〜74歳・標準報酬月額28万円以上のため3割"
        else:
            ratio, reason = 2, "70〜74歳・標準報酬月額28万円未満のため2割"
    else:
        if insured_birth_date is None:
            raise DomainError(
                "70〜74歳の被扶養者は被保険者の生年月日が必要です", field="insured_birth_date"
            )
        # The insured person counts as 70–74 for a dependent's 3割 only from the month their own
        # 70–74 ratio applies (the law's 「70歳に達する日の属する月の翌月以後」), not from the
        # day they attain 70: the ratio is decided month by month.
        if age_on(insured_birth_date, on) < 70:
            ratio, reason = 2, "70〜74歳の被扶養者で、被保険者が70歳未満のため2割"
        elif not _seventy_ratio_in_force(insured_birth_date, on):
            starts = seventy_ratio_starts_on(insured_birth_date)
            ratio, reason = 2, f"70〜74歳の被扶養者で、被保険者の70〜74歳の区分が{_ymd(starts)}からのため2割"
        elif insured_remuneration is None:
            raise DomainError(
                "被保険者が70〜74歳のため、被保険者の標準報酬月額が必要です",
                field="insured_remuneration",
            )
        elif income_reduction or insured_income_reduction:
            ratio, reason = 2, "70〜74歳の被扶養者・基準収入額適用申請の承認済のため2割"
        elif insured_remuneration >= ACTIVE_INCOME_REMUNERATION:
            ratio, reason = 3, "70〜74歳の被扶養者・被保険者が70〜74歳で標準報酬月額28万円以上のため3割"
            # Until the insured person's own 70–74 month the dependent paid 2割: this 3割 takes
            # effect for the dependent only from then, when that is later than the dependent's date.
            effective = max(effective, seventy_ratio_starts_on(insured_birth_date))
        else:
            ratio, reason = 2, "70〜74歳の被扶養者・被保険者の標準報酬月額28万円未満のため2割"

    if on < effective:
        reason += f"（発効期日{_ymd(effective)}、それまでは3割）"
    return Copay(ratio, True, effective, reason)


# ---------------------------------------------------------------------------------------------
# R3: who gets a 資格確認書


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    case: str | None  # 'a'–'d' (R3), 'assist' (要配慮者) or None
    reason: str


_R3_CASES: dict[CardStatus, tuple[str, str]] = {
    CardStatus.NO_CARD: ("a", "マイナンバーカードを取得していないため交付対象"),
    CardStatus.NOT_REGISTERED: ("b", "マイナンバーカードの健康保険証利用登録をしていないため交付対象"),
    CardStatus.CARD_LOST: ("c", "マイナンバーカード紛失中でマイナ保険証で受診できないため交付対象"),
    CardStatus.CARD_RENEWING: ("c", "マイナンバーカード更新中でマイナ保険証で受診できないため交付対象"),
    CardStatus.CERT_EXPIRED: (
        "c",
        "電子証明書の有効期限切れでマイナ保険証で受診できないため交付対象",
    ),
    CardStatus.CARD_RETURNED: ("d", "マイナンバーカードを返納したため交付対象"),
    CardStatus.REGISTRATION_CANCELLED: (
        "d",
        "健康保険証利用登録の解除を申請したため交付対象（申請不要で事業所経由で交付）",
    ),
}


def certificate_eligibility(card_status: CardStatus, needs_assistance: bool = False) -> Eligibility:
    try:
        status = CardStatus(card_status)
    except ValueError:
        raise DomainError("マイナンバーカードの状況が不正です", field="card_status") from None
    if status in _R3_CASES:
        case, reason = _R3_CASES[status]
        return Eligibility(True, case, reason)
    # USABLE: R3 says no certificate in principle; 要配慮者 may still get one on request (R7 law).
    if needs_assistance:
        return Eligibility(
            True, "assist", "マイナ保険証で受診できるが、要配慮者として申請があったため交付対象"
        )
    return Eligibility(False, None, "マイナ保険証で受診できるため原則交付しない")


# ---------------------------------------------------------------------------------------------
# R6/R7/R10: legacy cards and cancelling the registration


def legacy_card_valid_on(d: date) -> bool:
    return d <= LEGACY_CARD_LAST_VALID


def legacy_card_return_required(event_on: date) -> bool:
    """R10: a loss of qualification or a name change on or before 2025-12-01 needs the legacy
    card back; after that date the card is dead and the member keeps or destroys it."""
    return legacy_card_valid_on(event_on)


# R7: only an existing insurance-use registration can be cancelled. A person without a My Number
# card (R3 a), with a card never registered (R3 b), or who handed the card back (R3 d: the
# registration went with the card) has nothing to cancel; recording the paper would overwrite a
# true card situation with a false one. Such a person already gets a 資格確認書 without applying,
# so the application is refused with that explanation. If the register is out of date (the member
# has since obtained or registered a card), the clerk corrects the card situation first.
# Lost, renewing or certificate-expired cards (R3 c) keep their registration: cancelling it is
# meaningful. A register that already says "cancelled" is accepted too: only the member can
# register again, so an applicant has registered again since (the insurer is not told).
_NOTHING_TO_CANCEL: dict[CardStatus, str] = {
    CardStatus.NO_CARD: "マイナンバーカードを取得していない方",
    CardStatus.NOT_REGISTERED: "マイナンバーカードの健康保険証利用登録をしていない方",
    CardStatus.CARD_RETURNED: "マイナンバーカードを返納した方",
}


def cancellation_refusal(card_status: CardStatus) -> str | None:
    """R7: why a 利用登録解除申請 cannot be accepted for this card situation, or None when it can."""
    try:
        status = CardStatus(card_status)
    except ValueError:
        raise DomainError("マイナンバーカードの状況が不正です", field="card_status") from None
    who = _NOTHING_TO_CANCEL.get(status)
    if who is None:
        return None
    return (f"この方は{who}として登録されています（マイナ保険証: {status.label}）。"
            "解除する健康保険証利用登録がないため、利用登録解除申請は受け付けられません。"
            "資格確認書は申請がなくても交付対象です。"
            "その後カードを取得・利用登録していた場合は、先に登録内容（マイナンバーカードの状況）を訂正してください。")


def cancellation_effective_on(received_on: date) -> date:
    """R7: the last day of the month after the month the insurer received the application."""
    _require_date(received_on, "received_on")
    return last_day_of_month(first_day_of_next_month(received_on))


# ---------------------------------------------------------------------------------------------
# R11: business days


def _in_year_end_break(d: date) -> bool:
    return (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)


@lru_cache(maxsize=None)
def _national_holidays(year: int) -> frozenset[date]:
    # The package knows Japanese holidays only for its own range; outside it, it returns nothing
    # silently, which would make every weekday a business day. Refuse instead.
    if not holidays.Japan.start_year <= year <= holidays.Japan.end_year:
        raise DomainError(f"{year}年の祝日は判定できません", field="date")
    return frozenset(holidays.Japan(years=year).keys())


def is_business_day(d: date) -> bool:
    """Not a Saturday/Sunday, not a national holiday (振替休日・国民の休日 included), not 12/29–1/3."""
    _require_date(d, "date")
    if d.weekday() >= 5 or _in_year_end_break(d):
        return False
    return d not in _national_holidays(d.year)


def add_business_days(d: date, n: int) -> date:
    """The nth business day after d (before d when n < 0); d itself is never counted, whether or
    not it is a business day. n == 0 returns d unchanged."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise DomainError("営業日数は整数で指定してください", field="days")
    _require_date(d, "date")
    step = ONE_DAY if n > 0 else -ONE_DAY
    remaining = abs(n)
    while remaining:
        d += step
        if is_business_day(d):
            remaining -= 1
    return d


def mynumber_usable_from(received_on: date) -> date:
    """R11: マイナ保険証 expected usable on the 5th business day after the 届出 reached the insurer.

    The day of receipt is day 0 and not counted (初日不算入, as for legal periods): a 届出 received
    on Friday 2025-12-26 is usable from Friday 2026-01-09. The seed says 「5営業日前後」, so this is
    the date a clerk quotes, not a promise."""
    return add_business_days(received_on, 5)


# ---------------------------------------------------------------------------------------------
# R9/R10: loss of qualification and what must come back


def qualification_lost_on(last_work_day: date) -> date:
    """Qualification is lost on the day after the last day of employment."""
    return _require_date(last_work_day, "last_work_day") + ONE_DAY


def last_work_day_for(lost_on: date) -> date:
    return _require_date(lost_on, "lost_on") - ONE_DAY


class DocumentLike(Protocol):
    kind: DocumentKind
    status: DocumentStatus
    issued_on: date
    valid_until: date | None


@dataclass(frozen=True)
class CollectionDecision:
    document: Any
    collect: bool
    reason: str


def _decide(lost_on: date, doc: DocumentLike) -> tuple[bool, str]:
    try:
        kind = DocumentKind(doc.kind)
        status = DocumentStatus(doc.status)
    except ValueError:
        raise DomainError("書類の種類または状態が不正です", field="documents") from None
    if kind is DocumentKind.ELIGIBILITY_NOTICE:
        return False, "資格情報のお知らせは回収しない（本人が破棄）"
    if kind in (DocumentKind.CEILING_CERTIFICATE, DocumentKind.SPECIFIED_DISEASE_CERTIFICATE):
        return False, f"{kind.label}の回収は本プログラムでは扱わない（担当部署の手続きによる）"
    if status is not DocumentStatus.VALID:
        reason = f"{status.label}のため回収対象外"
        if status is DocumentStatus.LOST:
            # R9: a lost document that turns up after a reissue must still come back.
            reason += "（見つかった場合は返却が必要）"
        return False, reason
    if kind is DocumentKind.ELIGIBILITY_CERTIFICATE:
        if doc.valid_until is None:
            # No expiry on record: assume still valid rather than let a live certificate go.
            return True, "有効期限の記録がないため、有効な資格確認書として回収する"
        if doc.valid_until >= lost_on:
            return True, f"資格喪失日（{format_wareki(lost_on)}）に有効な資格確認書のため事業所経由で回収"
        return False, f"有効期限（{format_wareki(doc.valid_until)}）経過後のため回収不要（本人が破棄）"
    # LEGACY_CARD / ELDERLY_CARD (R10)
    if lost_on > LEGACY_CARD_LAST_VALID:
        return False, f"{kind.label}は{format_wareki(LEGACY_CARD_LAST_VALID)}を経過しているため返却不要"
    if doc.valid_until is not None and doc.valid_until < lost_on:
        return False, f"有効期限（{format_wareki(doc.valid_until)}）経過後のため回収不要"
    return True, f"{format_wareki(LEGACY_CARD_LAST_VALID)}以前の資格喪失のため{kind.label}を回収"


def collection_decisions(lost_on: date, documents: Any) -> list[CollectionDecision]:
    """For each document held at the loss of qualification: must it come back (R9, R10)?"""
    _require_date(lost_on, "lost_on")
    return [CollectionDecision(doc, *_decide(lost_on, doc)) for doc in documents]


# ---------------------------------------------------------------------------------------------
# R12: 立替払 (療養費) claims


def claim_deadline(paid_on: date) -> date:
    """The last day a 療養費 claim can be made for a payment made on paid_on.

    The two years run from the day after payment (民法140条 初日不算入) and end on the day before
    the corresponding day two years on (民法143条2項); where that year has no corresponding day
    (29 Feb), at the end of February. In practice: the same calendar date two years later
    (2025-03-10 → 2027-03-10, 2024-02-29 → 2026-02-28). The one exception is a payment on
    28 February when the year of the deadline is a leap year: the period then ends on 29 February
    (2022-02-28 → 2024-02-29)."""
    _require_date(paid_on, "paid_on")
    start = paid_on + ONE_DAY
    year = start.year + 2
    if start.month == 2 and start.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return start.replace(year=year) - ONE_DAY


def claim_days_left(paid_on: date, today: date) -> int:
    """Days from today to the deadline: 0 means today is the last day, negative means lapsed."""
    _require_date(today, "today")
    return (claim_deadline(paid_on) - today).days


def counted_cost(amount_paid: int, fee_schedule_cost: int | None = None) -> int:
    """The cost a 療養費 refund is computed on (健康保険法87条): the fee-schedule cost, but never
    more than the member actually paid; the amount paid when no fee-schedule cost is known."""
    _require_amount(amount_paid, "amount_paid", "支払額")
    if fee_schedule_cost is None:
        return amount_paid
    return min(_require_amount(fee_schedule_cost, "fee_schedule_cost", "診療報酬額"), amount_paid)


def insurer_share(amount_paid: int, ratio: int, fee_schedule_cost: int | None = None) -> int:
    """The refund of a 立替払 claim (R12): the insurer's share (1 − 負担割合) of the cost counted
    (counted_cost), floored to the yen. Cost 10,000 paid 8,000 at 3割 → 5,600."""
    base = counted_cost(amount_paid, fee_schedule_cost)
    if isinstance(ratio, bool) or not isinstance(ratio, int) or ratio not in (2, 3):
        raise DomainError("負担割合は2割または3割で指定してください", field="ratio")
    return base * (10 - ratio) // 10


# ---------------------------------------------------------------------------------------------
# R13


def system_view_ready_on(registered_on: date) -> date:
    """R13: a new member appears in the 資格情報確認システム about two weeks after the 届出."""
    return _require_date(registered_on, "registered_on") + timedelta(days=14)
