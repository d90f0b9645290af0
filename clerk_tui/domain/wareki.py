"""和暦 (Japanese era dates): read the many shapes clerks type, write the shapes forms show."""

from __future__ import annotations

import functools
import re
import unicodedata
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import quote_input

__all__ = [
    "ERAS",
    "Era",
    "era_of",
    "format_wareki",
    "format_wareki_month",
    "format_wareki_short",
    "looks_like_date",
    "parse_date",
    "parse_month",
]


@dataclass(frozen=True, slots=True)
class Era:
    name: str  # 令和
    letter: str  # R
    code: int  # e-Gov 元号コード, the first digit of the 7-digit form 5071201
    start: date
    end: date | None  # None: the era still in force

    def year_of(self, d: date) -> int:
        return d.year - self.start.year + 1


ERAS: tuple[Era, ...] = (
    # 明治 was proclaimed on 1868-10-23 and back-dated to 1868-01-25; nothing the clerks handle
    # needs the back-dated months, so the era starts at the proclamation.
    Era("明治", "M", 1, date(1868, 10, 23), date(1912, 7, 29)),
    Era("大正", "T", 2, date(1912, 7, 30), date(1926, 12, 24)),
    Era("昭和", "S", 3, date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", "H", 4, date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", "R", 5, date(2019, 5, 1), None),
)

_FIRST_DAY = ERAS[0].start
_BY_KEY = {
    key: era for era in ERAS for key in (era.name, era.name[0], era.letter, era.letter.lower())
}
_BY_CODE = {era.code: era for era in ERAS}

_DATE_EXAMPLES = "例: 令和7年12月1日、R7.12.1、2025-12-01"
_MONTH_EXAMPLES = "例: 令和7年12月、R7.12、2025-12"

# NFKC leaves these dash look-alikes alone; IMEs produce them when a clerk types "-" in
# Japanese input mode.
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ー", "-"))

_ERA = r"(?P<era>明治|大正|昭和|平成|令和|[明大昭平令MTSHR])\s*(?P<year>[0-9]{1,3}|元)\s*"
# One- and two-digit western years are matched only to explain why they are refused.
_WEST = r"(?P<year>[0-9]{4}|[0-9]{1,2})\s*"
_M = r"(?P<month>[0-9]{1,2})\s*"
_D = r"(?P<day>[0-9]{1,2})\s*"
_KANJI_DAY = rf"年\s*{_M}月\s*{_D}日?"
_PUNCT_DAY = rf"(?P<sep>[./-])\s*{_M}(?P=sep)\s*{_D}"
_FLAGS = re.IGNORECASE | re.ASCII

_COMPACT_DATE = re.compile(r"(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})")
_EGOV_DATE = re.compile(r"(?P<code>[0-9])(?P<year>[0-9]{2})(?P<month>[0-9]{2})(?P<day>[0-9]{2})")


# The shapes are compiled on the first date read, not on import: compiling them takes a few
# milliseconds, and the app's start path imports this module only to write dates.
@functools.cache
def _date_shapes() -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(_ERA + _KANJI_DAY, _FLAGS),
        re.compile(_ERA + _PUNCT_DAY, _FLAGS),
        re.compile(_WEST + _KANJI_DAY, _FLAGS),
        re.compile(_WEST + _PUNCT_DAY, _FLAGS),
        _COMPACT_DATE,
        _EGOV_DATE,
    )


@functools.cache
def _month_shapes() -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(_ERA + rf"年\s*{_M}月", _FLAGS),
        re.compile(_ERA + rf"[./-]\s*{_M}", _FLAGS),
        re.compile(_WEST + rf"年\s*{_M}月", _FLAGS),
        re.compile(_WEST + rf"[./-]\s*{_M}", _FLAGS),
        re.compile(r"(?P<year>[0-9]{4})(?P<month>[0-9]{2})"),
    )


# ---------------------------------------------------------------- formatting


def era_of(d: date) -> tuple[str, int]:
    """The era in force on `d` and the year within it: 1989-01-07 → ("昭和", 64)."""
    era = _era_on(d)
    return era.name, era.year_of(_as_date(d))


def format_wareki(d: date, padded: bool = False) -> str:
    """令和7年12月1日 / 令和元年5月1日.

    padded=True pads year, month and day with ASCII spaces to two terminal cells each
    (令和 7年12月 1日), so dates line up in a column of a monospaced terminal. 元 is a
    double-width character, so 令和元年 5月 1日 occupies the same cells as 令和 7年 5月 1日
    although it has one character fewer.
    """
    d = _as_date(d)
    era = _era_on(d)
    year = era.year_of(d)
    if not padded:
        return f"{era.name}{_year_text(year)}年{d.month}月{d.day}日"
    year_text = "元" if year == 1 else f"{year:>2}"
    return f"{era.name}{year_text}年{d.month:>2}月{d.day:>2}日"


def format_wareki_short(d: date) -> str:
    """R7.12.01: era letter, era year as a number (1 for 元年), two-digit month and day."""
    d = _as_date(d)
    era = _era_on(d)
    return f"{era.letter}{era.year_of(d)}.{d.month:02d}.{d.day:02d}"


def format_wareki_month(d: date) -> str:
    """令和7年12月, named by the era in force on `d`."""
    d = _as_date(d)
    era = _era_on(d)
    return f"{era.name}{_year_text(era.year_of(d))}年{d.month}月"


def _as_date(d: date) -> date:
    # datetime is a date subclass but refuses comparison with plain dates.
    return d.date() if isinstance(d, datetime) else d


def _era_on(d: date) -> Era:
    d = _as_date(d)
    for era in reversed(ERAS):
        if d >= era.start:
            return era
    raise DomainError(f"「{d.isoformat()}」は明治元年10月23日（1868-10-23）より前の日付で、和暦にできません")


def _year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


# ---------------------------------------------------------------- parsing


def parse_date(text: str, *, field: str | None = None) -> date:
    """Read a date in any shape a clerk types (和暦, R7.12.1, 2025-12-01, 20251201, 5071201).

    Raises DomainError (with `field`) whose message names the problem and quotes the input.
    """
    norm = _normalise(text)
    if not norm:
        raise DomainError(f"日付が入力されていません（{_DATE_EXAMPLES}）", field)
    for shape in _date_shapes():
        match = shape.fullmatch(norm)
        if match:
            return _resolve(match, _quote(text), field, with_day=True)
    raise DomainError(f"日付の形が読み取れません: 「{_quote(text)}」（{_DATE_EXAMPLES}）", field)


def parse_month(text: str, *, field: str | None = None) -> date:
    """Read a year and month (令和7年12月, R7.12, 2025-12, 202512); returns its first day."""
    norm = _normalise(text)
    if not norm:
        raise DomainError(f"年月が入力されていません（{_MONTH_EXAMPLES}）", field)
    for shape in _month_shapes():
        match = shape.fullmatch(norm)
        if match:
            return _resolve(match, _quote(text), field, with_day=False)
    raise DomainError(f"年月の形が読み取れません: 「{_quote(text)}」（{_MONTH_EXAMPLES}）", field)


def looks_like_date(text: str) -> bool:
    """True when `text` has the shape of a date parse_date reads, even an impossible one.

    Bare 7- and 8-digit numbers count only with a month 01–12 and a day 01–31 (and an era code
    1–5), because members' 記号・番号 are digit strings too.
    """
    norm = _normalise(text)
    for shape in _date_shapes():
        match = shape.fullmatch(norm)
        if match:
            if shape is _COMPACT_DATE or shape is _EGOV_DATE:
                if shape is _EGOV_DATE and int(match["code"]) not in _BY_CODE:
                    return False
                return 1 <= int(match["month"]) <= 12 and 1 <= int(match["day"]) <= 31
            return True
    return False


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_DASHES).strip()


def _quote(text: str) -> str:
    return quote_input(text)


def _resolve(match: re.Match[str], quoted: str, field: str | None, *, with_day: bool) -> date:
    what, unit = ("日付", "日") if with_day else ("年月", "月")

    def fail(reason: str) -> DomainError:
        return DomainError(f"「{quoted}」{reason}", field)

    groups = match.groupdict()
    era: Era | None = None
    era_year = 0
    if groups.get("code") is not None:
        code = int(groups["code"])
        if code not in _BY_CODE:
            raise fail(f"の元号コード「{code}」はありません（1明治・2大正・3昭和・4平成・5令和）")
        era = _BY_CODE[code]
    elif groups.get("era") is not None:
        era = _BY_KEY[groups["era"]]

    if era is None:
        if len(groups["year"]) < 4:
            example = "2025-12-01、R7.12.1" if with_day else "2025-12、R7.12"
            raise fail(
                f"の年「{groups['year']}」が西暦か和暦か決められません"
                f"（西暦は4桁で、和暦は元号を付けて入力してください。例: {example}）"
            )
        year = int(groups["year"])
        if year == 0:
            raise fail(f"は存在しない{what}です（0年はありません）")
    else:
        era_year = 1 if groups["year"] == "元" else int(groups["year"])
        if era_year == 0:
            raise fail(f"は存在しない{what}です（{era.name}0年はありません。最初の年は元年です）")
        year = era.start.year + era_year - 1

    month = int(groups["month"])
    if not 1 <= month <= 12:
        raise fail(f"は存在しない{what}です（{month}月はありません。月は1〜12です）")
    days_in_month = monthrange(year, month)[1]
    day = int(groups["day"]) if with_day else 1
    if day == 0:
        raise fail("は存在しない日付です（0日はありません）")
    if day > days_in_month:
        raise fail(f"は存在しない日付です（{month}月は{days_in_month}日まで）")

    result = date(year, month, day)
    # A month is acceptable when any of its days falls in the range.
    first, last = (result, result) if with_day else (result, result.replace(day=days_in_month))
    show = format_wareki if with_day else format_wareki_month

    if era is None:
        if last < _FIRST_DAY:
            raise fail("は明治元年10月23日（1868-10-23）より前で、和暦にできないため扱えません")
        return result

    if era.end is not None:
        end_text = format_wareki(era.end)
        if era_year > era.end.year - era.start.year + 1:
            raise fail(
                f"の{era.name}{era_year}年は存在しません"
                f"（{era.name}は{end_text[len(era.name):]}まで。{show(result)}のことですか）"
            )
        if first > era.end:
            raise fail(f"は{era.name}の終了（{end_text}）より後です（その{unit}は{show(result)}です）")
    if last < era.start:
        hint = f"（その{unit}は{show(last)}です）" if last >= _FIRST_DAY else ""
        raise fail(f"は{era.name}の開始（{format_wareki(era.start)}）より前です{hint}")
    return result
