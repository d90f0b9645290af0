"""Calendar helpers, ages in law, business days (R11) and the system-view delay (R13)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.rules._checks import ONE_DAY, _require_date


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
# R11: business days


def _in_year_end_break(d: date) -> bool:
    return (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)


@lru_cache(maxsize=None)
def _national_holidays(year: int) -> frozenset[date]:
    # Imported on first use, not at start-up: the package loads every country's calendars
    # (tens of milliseconds) and the first screen needs no business day.
    import holidays

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
# R13


def system_view_ready_on(registered_on: date) -> date:
    """R13: a new member appears in the 資格情報確認システム about two weeks after the 届出."""
    return _require_date(registered_on, "registered_on") + timedelta(days=14)
