"""Argument checks shared by the rule modules: a rule refuses a wrong type with a DomainError
naming the field instead of failing later with a TypeError."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.wareki import format_wareki

ONE_DAY = timedelta(days=1)


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


def _date_text(d: date) -> str:
    """A date in a message for the clerk: 和暦 like every other date they read (西暦 only before
    明治, which has no 和暦 here and no member)."""
    try:
        return format_wareki(d)
    except DomainError:
        return f"{d.year}年{d.month}月{d.day}日"
