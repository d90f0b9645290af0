"""Checking one value of a scenario file against its field of the specification, and the
place (file, entry, field) a problem is reported at."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from clerk_tui.domain import kana, wareki
from clerk_tui.domain.codes import Labelled
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.ids import parse_member_code
from clerk_tui.domain.text import TextKind, clean_text, quote_input
from clerk_tui.scenarios.loader.report import FixtureError
from clerk_tui.scenarios.loader.spec import Field

# --------------------------------------------------------------------------------------------
# Text: the same rule as for what clerks type (domain.text.clean_text), worked out once per
# distinct text (names, towns and codes repeat across a large file, and the rule is pure).

_CACHE_SIZE = 1 << 15


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _checked(value: str, label: str, max_len: int, field: str, kind: TextKind,
             required: bool = False) -> tuple[str | None, str | None]:
    """(the cleaned text, None), or (None, what is wrong): a control character, too long, a My
    Number, or for kana anything but kana."""
    try:
        return clean_text(value, label=label, max_len=max_len, field=field, kind=kind, required=required), None
    except DomainError as exc:
        return None, exc.message


_name_key = functools.lru_cache(maxsize=_CACHE_SIZE)(kana.name_key)
_kana_key = functools.lru_cache(maxsize=_CACHE_SIZE)(kana.kana_key)

# Letters that are never the second half of a Unicode composition: kana letters (full and half
# width), CJK ideographs and ASCII letters.
_STARTER = re.compile("[\u3041-\u3096\u30a1-\u30fa\uff66-\uff9d\u3400-\u4dbf\u4e00-\u9fff"
                      "\U00020000-\U000323afA-Za-z]")


def _joined_key(key, family: str, given: str) -> str:
    """key(family + given). The keys are built a character at a time except where normalisation
    joins characters; when the given name starts with a letter nothing joins to, the two cached
    halves give the same key (full names are mostly distinct, their halves repeat)."""
    if _STARTER.match(given):
        return key(family) + key(given)
    return key(family + given)


def _quote(text: str) -> str:
    # Echoed in a message printed to a terminal: no control sequence, no My Number.
    return quote_input(text)


def _ymd(d: date) -> str:
    return f"{wareki.format_wareki(d)}（{d.isoformat()}）"


# --------------------------------------------------------------------------------------------
# Entries and the problems found in them


class _Entry:
    """One table of a file ([insurer], one [[members]] …). Problems keep a reference to it, so
    their place shows the member code even when it is read after the problem is found."""

    __slots__ = ("sink", "file", "section", "index", "data", "code", "bad")

    def __init__(self, sink: list[_Problem], file: str, section: str, index: int | None,
                 data: dict[str, Any]) -> None:
        self.sink = sink
        self.file = file
        self.section = section
        self.index = index
        self.data = data
        self.code: str | None = None
        self.bad = False

    @property
    def where(self) -> str:
        base = self.section if self.index is None else f"{self.section}[{self.index}]"
        return f"{base} ({self.code})" if self.code else base

    def problem(self, field: str | None, detail: str) -> None:
        self.sink.append(_Problem(self.file, self, field, detail))
        self.bad = True


@dataclass
class _Problem:
    file: str
    entry: _Entry | str | None
    field: str | None
    detail: str

    def error(self) -> FixtureError:
        entry = self.entry.where if isinstance(self.entry, _Entry) else self.entry
        return FixtureError(self.file, entry, self.field, self.detail)


def _unknown_key(key: str, known: Iterable[str], what: str) -> str:
    known = list(known)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"「{close[0]}」の誤りではありませんか。" if close else f"使える{what}: {', '.join(known)}"
    return f"「{key}」という{what}はありません。{hint}"


def _type_name(value: Any) -> str:
    for kind, name in ((bool, "真偽値"), (int, "整数"), (float, "小数"), (str, "文字列"),
                       (datetime, "日時"), (date, "日付"), (time, "時刻"), (list, "配列"), (dict, "表")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


# --------------------------------------------------------------------------------------------
# Converters: (entry, key, value) → the value to store, or None after reporting a problem.

Converter = Callable[[_Entry, str, Any], Any]


_NO_DIGITS = str.maketrans("", "", "0123456789")


def _plain_ascii(value: str) -> bool:
    """Printable ASCII with single inner spaces and fewer than 12 digits: text clean_text
    leaves as it is and that cannot hold a My Number (most codes, serials and numbers)."""
    return (value.isascii() and value.isprintable() and value[:1] != " " and value[-1:] != " "
            and "  " not in value and len(value) - len(value.translate(_NO_DIGITS)) < 12)


def _text(max_len: int) -> Converter:
    def convert(e: _Entry, key: str, value: Any) -> str | None:
        if value.__class__ is str and _plain_ascii(value):
            if len(value) <= max_len:
                return value or None
        elif not isinstance(value, str):
            e.problem(key, f"文字列で書いてください（\"...\" で囲む。いまは{_type_name(value)}）。")
            return None
        # The text is not echoed in a problem: it may hold a real My Number or a control sequence.
        cleaned, error = _checked(value, "この項目", max_len, key, TextKind.FREE)
        if error is not None:
            e.problem(key, error)
            return None
        return cleaned or None

    return convert


def _name(label: str, max_len: int, *, is_kana: bool) -> Converter:
    def convert(e: _Entry, key: str, value: Any) -> str | None:
        if not isinstance(value, str):
            e.problem(key, f"文字列で書いてください（いまは{_type_name(value)}）。")
            return None
        result, error = _checked(value, label, max_len, key, TextKind.KANA if is_kana else TextKind.NAME, True)
        if error is not None:
            e.problem(key, error)
        return result

    return convert


def _calendar(what: str, example: str, more: str, on_date: Callable[[date], date],
              parse: Callable[[str, str], date]) -> Converter:
    """A date (or a month): a TOML date as it is, or a string in any 和暦/西暦 shape."""

    def convert(e: _Entry, key: str, value: Any) -> date | None:
        if type(value) is date:
            return on_date(value)
        if isinstance(value, datetime):
            e.problem(key, f"時刻を付けず{what}だけを書いてください（例: {example}）。")
            return None
        if isinstance(value, str):
            try:
                return parse(value, key)
            except DomainError as exc:
                e.problem(key, exc.message)
                return None
        e.problem(key, f"{what}を書いてください（例: {example}、{more}。いまは{_type_name(value)}）。")
        return None

    return convert


def _parse_month(value: str, key: str) -> date:
    try:
        return wareki.parse_month(value, field=key)
    except DomainError:
        try:  # a whole date names its month too
            return wareki.parse_date(value, field=key).replace(day=1)
        except DomainError:
            pass
        raise


_date = _calendar("日付", "2025-12-01", "\"R7.12.1\"", lambda d: d, lambda value, key: wareki.parse_date(value, field=key))
_month = _calendar("年月", "\"2025-10\"", "\"R7.10\"", lambda d: d.replace(day=1), _parse_month)


def _bool(e: _Entry, key: str, value: Any) -> bool | None:
    if not isinstance(value, bool):
        e.problem(key, f"true か false で書いてください（引用符なし。いまは{_type_name(value)}）。")
        return None
    return value


def _int(minimum: int, maximum: int, unit: str = "円") -> Converter:
    def convert(e: _Entry, key: str, value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            hint = "（桁区切りのカンマや「円」は付けません）" if isinstance(value, str) else ""
            e.problem(key, f"整数で書いてください{hint}（例: 300000。いまは{_type_name(value)}）。")
            return None
        if not minimum <= value <= maximum:
            e.problem(key, f"{minimum:,}{unit}以上{maximum:,}{unit}以下で書いてください（いま{value:,}{unit}）。")
            return None
        return value

    return convert


@functools.cache
def _code_table(enum: type[Labelled] | tuple[Labelled, ...]) -> dict[str, Labelled]:
    return {m.value: m for m in enum} | {m.label: m for m in enum}


def _allowed(enum: type[Labelled] | tuple[Labelled, ...]) -> str:
    return "、".join(f"{m.value}（{m.label}）" for m in enum)


def _code(enum: type[Labelled] | tuple[Labelled, ...]) -> Converter:
    """A stored code or its Japanese label (no_card / マイナンバーカード未取得); `enum` may be
    the few members of an enum a field takes."""

    def convert(e: _Entry, key: str, value: Any) -> Labelled | None:
        if isinstance(value, str):
            table = _code_table(enum)
            found = table.get(unicodedata.normalize("NFKC", value).strip()) or table.get(value.strip())
            if found is not None:
                return found
            e.problem(key, f"「{_quote(value)}」は使えません。使える値: {_allowed(enum)}")
        else:
            e.problem(key, f"文字列で書いてください。使える値: {_allowed(enum)}")
        return None

    return convert


_CANONICAL_CODE = re.compile(r"[0-9]{1,8}-[0-9]{1,8}-[0-9]{2}")


def _member_code(e: _Entry, key: str, value: Any) -> str | None:
    if value.__class__ is str and _CANONICAL_CODE.fullmatch(value):
        return value  # already what parse_member_code would give
    if not isinstance(value, str):
        e.problem(key, "記号-番号-枝番を文字列で書いてください（例: \"1001-23-00\"）。")
        return None
    try:
        code = parse_member_code(value)
    except DomainError as exc:
        e.problem(key, exc.message)
        return None
    if code.branch is None:
        e.problem(key, f"枝番まで書いてください（例: \"{code}-00\"）。")
        return None
    return str(code)


def _digits(min_len: int, max_len: int) -> Converter:
    size = f"{min_len}桁" if min_len == max_len else f"{min_len}〜{max_len}桁"

    def convert(e: _Entry, key: str, value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            e.problem(key, f"引用符で囲んで文字列で書いてください（例: \"{value}\"。先頭の0を守るため）。")
            return None
        if not isinstance(value, str):
            e.problem(key, f"数字の文字列で書いてください（いまは{_type_name(value)}）。")
            return None
        digits = unicodedata.normalize("NFKC", value).strip()
        if not (digits.isascii() and digits.isdigit() and min_len <= len(digits) <= max_len):
            e.problem(key, f"{size}の数字で書いてください（いま「{_quote(value)}」）。")
            return None
        return digits

    return convert


_POSTAL = re.compile(r"(\d{3})-?(\d{4})")
_PHONE = re.compile(r"[0-9()\-]{6,20}")


_text10, _text30 = _text(10), _text(30)


def _postal(e: _Entry, key: str, value: Any) -> str | None:
    text = _text10(e, key, value)
    if text is None:
        return None
    m = _POSTAL.fullmatch(unicodedata.normalize("NFKC", text).replace("〒", "").strip())
    if not m:
        e.problem(key, f"郵便番号は 123-4567 の形で書いてください（いま「{_quote(text)}」）。")
        return None
    return f"{m[1]}-{m[2]}"


def _phone(e: _Entry, key: str, value: Any) -> str | None:
    text = _text30(e, key, value)
    if text is None:
        return None
    norm = unicodedata.normalize("NFKC", text).replace(" ", "")
    if not _PHONE.fullmatch(norm):
        e.problem(key, f"電話番号は数字とハイフンで書いてください（例: 03-3239-9819。いま「{_quote(text)}」）。")
        return None
    return norm


_MISSING = object()  # a key the entry does not have

# Checked by the section's own rule (the meaning depends on other fields): kept as written here.
_SPECIAL: Converter = lambda e, key, value: value  # noqa: E731

_FIXED: dict[str, Converter] = {
    "date": _date, "month": _month, "bool": _bool, "member_code": _member_code, "postal": _postal,
    "phone": _phone, "special": _SPECIAL,
}


def converter(f: Field) -> Converter:
    """The check of one field of the specification: (entry, key, value) → the value to store, or
    None after reporting a problem on the entry."""
    if f.kind in _FIXED:
        return _FIXED[f.kind]
    if f.kind == "text":
        return _text(f.max_len)
    if f.kind in ("name", "kana"):
        return _name(f.label, f.max_len, is_kana=f.kind == "kana")
    if f.kind == "int":
        return _int(f.minimum, f.maximum)
    if f.kind == "code":
        return _code(f.choices or f.enum)
    if f.kind == "digits":
        return _digits(f.min_len, f.max_len)
    raise AssertionError(f.kind)

