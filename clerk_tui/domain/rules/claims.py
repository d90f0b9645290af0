"""R12: 立替払 (療養費) claims: the two-year deadline and the refund."""

from __future__ import annotations

import calendar
from datetime import date

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules._checks import ONE_DAY, _require_amount, _require_date


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
