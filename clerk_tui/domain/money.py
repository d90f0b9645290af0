"""Amounts in yen as clerks type them: full-width digits, commas, ¥ and 円 are accepted."""

from __future__ import annotations

import re
import unicodedata

from clerk_tui.domain.errors import DomainError

MAX_YEN = 100_000_000  # no single 立替払 comes near this; larger is a typing error


def parse_yen(text: str | int, *, label: str = "金額", allow_zero: bool = False) -> int:
    if isinstance(text, bool):
        raise DomainError(f"{label}が不正です。", field=label)
    if isinstance(text, int):
        value = text
    else:
        norm = unicodedata.normalize("NFKC", text).strip()
        norm = re.sub(r"[,\s円¥\\]", "", norm.replace("，", ","))
        if not norm:
            raise DomainError(f"{label}を入力してください。", field=label)
        if norm.startswith("-"):
            raise DomainError(f"{label}にマイナスは入力できません。", field=label)
        if not norm.isascii() or not norm.isdigit():
            raise DomainError(f"{label}は数字で入力してください（例: 12,340）。", field=label)
        value = int(norm)
    if value < 0:
        raise DomainError(f"{label}にマイナスは入力できません。", field=label)
    if value == 0 and not allow_zero:
        raise DomainError(f"{label}は1円以上で入力してください。", field=label)
    if value > MAX_YEN:
        raise DomainError(f"{label}が大きすぎます（{value:,}円）。桁を確認してください。", field=label)
    return value


def format_yen(value: int) -> str:
    return f"{value:,}円"
