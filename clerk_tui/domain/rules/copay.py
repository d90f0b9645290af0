"""R5: the 負担割合 a document shows, and what is printed instead for a member under 70."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clerk_tui.domain.codes import DocumentKind
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules._checks import _date_text, _require_amount, _require_date
from clerk_tui.domain.rules.dates import age_on, loss_on_reaching_75, school_age_starts_on, seventy_ratio_starts_on

# R5: 標準報酬月額 from which a 70–74 insured person counts as 現役並み所得者 (3割).
ACTIVE_INCOME_REMUNERATION = 280_000

# R2/R5: what is printed instead of the ratio for a member under 70. The insurer's own
# documents differ by one asterisk: seven on the お知らせ (also used on screens), six on the
# 資格確認書.
MASKED_RATIO = "*******"
CERTIFICATE_MASKED_RATIO = "******"


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
            f"{_date_text(loss)}に75歳到達により後期高齢者医療制度へ移行済のため、負担割合はありません",
            field="birth_date",
        )
    if not is_insured and insured_birth_date is not None:
        _require_date(insured_birth_date, "insured_birth_date")
        insured_loss = loss_on_reaching_75(insured_birth_date)
        if on >= insured_loss:
            # The dependents' coverage ends with the insured person's (R5, R9).
            raise DomainError(
                f"被保険者が{_date_text(insured_loss)}に75歳到達により資格喪失したため、"
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
            ratio, reason = 2, f"70〜74歳の被扶養者で、被保険者の70〜74歳の区分が{_date_text(starts)}からのため2割"
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
        reason += f"（発効期日{_date_text(effective)}、それまでは3割）"
    return Copay(ratio, True, effective, reason)
