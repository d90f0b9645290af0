"""記号・番号・枝番 (symbol, number, branch): parsing what clerks type and formatting it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.text import quote_input

SYMBOL_MAX = 8
NUMBER_MAX = 8

# Separators clerks use between the parts, after NFKC: hyphens and dashes of every kind, the
# middle dot, slash, comma, spaces, and the words 記号/番号/枝番 themselves.
_SEP = r"[\s\-‐‑‒–—―−ー・/,.]+"
_WORDS = re.compile(r"(記号|番号|枝番|No\.?|no\.?)")
_SHAPE = re.compile(rf"^(\d{{1,{SYMBOL_MAX}}}){_SEP}(\d{{1,{NUMBER_MAX}}})(?:{_SEP}(\d{{1,2}}))?$")


@dataclass(frozen=True)
class MemberCode:
    symbol: str
    number: str
    branch: str | None = None  # None: the whole family

    def __str__(self) -> str:
        return format_code(self.symbol, self.number, self.branch)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    return _WORDS.sub(" ", text).strip()


def looks_like_member_code(text: str) -> bool:
    return bool(_SHAPE.match(_normalise(text)))


def parse_member_code(text: str) -> MemberCode:
    """Accepts `1234-567`, `1234 567 01`, `1234－５６７`, `記号1234 番号567 枝番01`."""
    norm = _normalise(text)
    m = _SHAPE.match(norm)
    if not m:
        raise DomainError(
            f"記号・番号の形が読み取れません: 「{quote_input(text)}」（例: 1234-567、1234-567-01）",
            field="member_code",
        )
    symbol, number, branch = m.groups()
    if branch is not None:
        branch = branch.zfill(2)
    return MemberCode(symbol=symbol, number=number, branch=branch)


def format_code(symbol: str, number: str, branch: str | None = None) -> str:
    return f"{symbol}-{number}" + (f"-{branch}" if branch is not None else "")
