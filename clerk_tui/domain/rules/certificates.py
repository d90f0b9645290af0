"""Who gets a 資格確認書 (R3) and until when (R4); the legacy cards (R6, R10) and cancelling the
insurance-use registration (R7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clerk_tui.domain.codes import CardStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules._checks import ONE_DAY, _date_text, _require_date
from clerk_tui.domain.rules.dates import first_day_of_next_month, fiscal_year, last_day_of_month, loss_on_reaching_75

# R6: the legacy 健康保険証 (and 高齢受給者証) work through this day and not after.
LEGACY_CARD_LAST_VALID = date(2025, 12, 1)
LEGACY_ISSUE_STOPPED = date(2024, 12, 2)


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
            f"{_date_text(loss)}に75歳到達により資格喪失しているため交付できません", field="issued_on"
        )
    # FY of issue is year 1, so year 3 ends on 31 March of (FY + 3).
    uncapped = date(fiscal_year(issued_on) + 3, 3, 31)
    if loss <= uncapped:
        return Expiry(valid_until=loss - ONE_DAY, capped_at_75=True)
    return Expiry(valid_until=uncapped, capped_at_75=False)


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
