"""Amounts in yen as clerks type them: full-width digits, commas, ¥ and 円 are accepted, and so is
the 万 notation of remuneration tables (30万, 9.8万円, 1万2,340)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from clerk_tui.domain.errors import DomainError

MAX_YEN = 100_000_000  # no single 立替払 comes near this; larger is a typing error
# 30万 / 9.8万 / 1万2340: ten-thousands with a decimal of at most 4 places, or whole ten-thousands
# followed by up to 4 more digits.
_MAN = re.compile(r"(\d+)(?:\.(\d{1,4})万|万(\d{0,4}))", re.ASCII)


def parse_yen(text: str | int, *, label: str = "金額", allow_zero: bool = False,
              field: str | None = None) -> int:
    """The amount in yen; a DomainError naming `field` (default: the label) when it is not one."""
    field = field or label
    if isinstance(text, bool):
        raise DomainError(f"{label}が不正です。", field=field)
    if isinstance(text, int):
        value = text
    else:
        norm = unicodedata.normalize("NFKC", text).strip()
        norm = re.sub(r"[,\s円¥\\]", "", norm.replace("，", ","))
        if not norm:
            raise DomainError(f"{label}を入力してください。", field=field)
        if norm.startswith("-"):
            raise DomainError(f"{label}にマイナスは入力できません。", field=field)
        man = _MAN.fullmatch(norm) if "万" in norm else None
        if man is not None:
            value = int(Decimal(f"{man[1]}.{man[2] or 0}") * 10_000) + int(man[3] or 0)
        elif not norm.isascii() or not norm.isdigit():
            raise DomainError(f"{label}は数字で入力してください（例: 12,340 または 30万）。", field=field)
        else:
            value = int(norm)
    if value < 0:
        raise DomainError(f"{label}にマイナスは入力できません。", field=field)
    if value == 0 and not allow_zero:
        raise DomainError(f"{label}は1円以上で入力してください。", field=field)
    if value > MAX_YEN:
        raise DomainError(f"{label}が大きすぎます（{value:,}円）。桁を確認してください。", field=field)
    return value


def format_yen(value: int) -> str:
    return f"{value:,}円"
