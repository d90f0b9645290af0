"""The one rule for text a clerk (or a scenario file) gives the program to store: `clean_text`.

Every service that records typed text, and the fixture loader, call it. It refuses, with a
Japanese message naming the field, what must not be stored: control and invisible format
characters (ESC would reach a terminal or a PDF), text over the field's length, and a My Number
in any shape. What it accepts it returns cleaned for its kind: names and free text as typed
(a full-width space kept), kana folded to full-width katakana, codes width-folded with any space
(full-width too) read as a separator.

`sanitize_input` is the lenient cousin for search queries only: nothing is stored, so it drops
what this module would refuse instead of asking the clerk to retype.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

from clerk_tui.domain.terminal import terminal_safe
from clerk_tui.domain import kana
from clerk_tui.domain.errors import DomainError

__all__ = ["TextKind", "clean_text", "contains_my_number", "quote_input", "sanitize_input"]


class TextKind(Enum):
    NAME = "name"  # a person's or company's name, kept as typed (NFC)
    KANA = "kana"  # a reading: full-width katakana, hiragana and half-width accepted
    ADDRESS = "address"  # kept as typed, full-width spaces and digits too
    FREE = "free"  # reasons, notes, institution names: kept as typed
    CODE = "code"  # telephone, postal code, reference numbers: NFKC, any space a separator


# Control characters that mean "a break between words" (a pasted line end, a tab): they become
# one space rather than a refusal, as a space is what the clerk meant.
_CONTROL_SPACES = frozenset("\t\n\v\f\r\x85\u2028\u2029")
_BIDI = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C))


def _is_refused(ch: str) -> bool:
    # Cc: terminal controls (ESC starts an escape sequence); Cf: invisible format characters
    # (bidi overrides that reorder what is shown, zero-width spaces and joiners, BOM, tags);
    # Cs: lone surrogates that cannot even be encoded for storage. Bidi listed explicitly so
    # the promise does not hang on a category a later Unicode version might change.
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Cs")


def _first_refused(text: str) -> int | None:
    """1-based position of the first refused character (control spaces excepted), or None."""
    for position, ch in enumerate(text, start=1):
        if ch not in _CONTROL_SPACES and _is_refused(ch):
            return position
    return None


_SPACE_RUN = re.compile(r"\s+")


def _collapse_space(match: re.Match[str]) -> str:
    # Keep the kind of space the clerk typed (ASCII or full-width) between words.
    first = match.group(0)[0]
    return first if first in (" ", "\u3000") else " "


def _tidy_spaces(text: str) -> str:
    return _SPACE_RUN.sub(_collapse_space, text).strip()


# --------------------------------------------------------------------------------------------
# My Number in every shape
# --------------------------------------------------------------------------------------------

# Kanji numerals as written on paper (and 〇 drawn as a circle, or ○); 十/百 are not digits of a
# number written digit by digit, so they break a run like any letter.
_KANJI_DIGITS = str.maketrans({
    "〇": "0", "零": "0", "○": "0", "◯": "0",
    "一": "1", "壱": "1", "壹": "1", "二": "2", "弐": "2", "貳": "2", "三": "3", "参": "3", "參": "3",
    "四": "4", "五": "5", "伍": "5", "六": "6", "七": "7", "八": "8", "九": "9",
})


def _digit_form(text: str) -> str:
    """Width-folded text in which every decimal digit of any script, and every kanji numeral, is
    an ASCII digit."""
    folded = unicodedata.normalize("NFKC", text).translate(_KANJI_DIGITS)
    if folded.isascii():
        return folded
    return "".join(str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch
                   for ch in folded)


# Between the digits of one number: up to three characters that are neither letters nor digits
# (spaces, hyphens, dots, slashes, commas, brackets, 、・ ...) or the long-vowel mark an IME
# gives for "-". Letters (kanji, kana, Latin) end the number.
_SEP_CHAR = r"[^\w]|[_\u30fc\uff70]"
_DIGIT_RUN = re.compile(rf"\d+(?:(?:{_SEP_CHAR}){{1,3}}\d+)*")
_FOUR_FOUR_FOUR = re.compile(r"(?<!\d)\d{4}(\D{1,3})\d{4}\1\d{4}(?!\d)")


def contains_my_number(text: str) -> bool:
    """True if the text holds a 12-digit number: 12 digits in a row, or digits split only by
    separators (spaces, hyphens, dots, slashes...) that together make exactly 12, or three groups
    of four split the same way anywhere; full-width, other-script and kanji digits count.

    Any such number is refused, check digit or not: storing a real My Number is the harm to avoid.
    A longer digit run (a 13-digit corporate number, a date next to a telephone number) is not one.
    """
    if not text:
        return False
    plain = "".join(ch for ch in text if not _is_refused(ch))
    digits = _digit_form(plain)
    if sum(ch.isdigit() for ch in digits) < 12:
        return False
    for run in _DIGIT_RUN.finditer(digits):
        if sum(ch.isdigit() for ch in run.group(0)) == 12:
            return True
    return _FOUR_FOUR_FOUR.search(digits) is not None


# --------------------------------------------------------------------------------------------
# The rule
# --------------------------------------------------------------------------------------------


def _nfc(text: str) -> str:
    return kana._nfc_keep_compat(text)


def _fold_kana(text: str, label: str, field: str) -> str:
    # Fold word by word so a typed full-width space stays full-width (NFKC would make it ASCII).
    parts = re.split(r"([ \u3000])", text)
    folded = "".join(p if i % 2 else kana.to_katakana(p) for i, p in enumerate(parts))
    if not kana.is_kana(folded):
        # The position, not the character: messages may reach markup-parsing widgets.
        position = kana._first_non_kana(folded)
        where = f"（{position}文字目）" if position else ""
        raise DomainError(f"{label}はカタカナまたはひらがなで入力してください{where}。", field=field)
    return folded


def _fold_code(text: str) -> str:
    # NFKC makes full-width digits, letters and hyphens ASCII and U+3000 an ASCII space.
    return unicodedata.normalize("NFKC", text)


def clean_text(value: object, *, label: str, max_len: int, field: str | None = None,
               kind: TextKind = TextKind.FREE, required: bool = False) -> str:
    """The text to store for one field, or DomainError (Japanese, naming `label`, `field` set).

    Refused: a value that is not text; a control or invisible format character (its position is
    given); more than `max_len` characters once cleaned (the count is given, nothing is cut); a
    My Number in any shape (the number is not echoed); empty when `required`; for KANA, anything
    but kana. Line breaks and tabs become a space, each run of spaces one space of the kind typed
    first, ends trimmed. Empty and not required gives "".
    """
    field = field or label
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"{label}は文字で入力してください。", field=field)
    if len(value) > 2 * max_len + 1000:
        # Far too long whatever the cleaning: refused before any work on a huge value.
        raise DomainError(f"{label}は{max_len}文字以内で入力してください（いま{len(value)}文字）。", field=field)
    position = _first_refused(value)
    if position is not None:
        raise DomainError(
            f"{label}に制御文字などの見えない文字があります（{position}文字目）。"
            "その文字を消して入力し直してください。", field=field)
    text = _tidy_spaces(_nfc(value))
    if kind is TextKind.CODE:
        text = _tidy_spaces(_fold_code(text))
    if not text:
        if required:
            raise DomainError(f"{label}を入力してください。", field=field)
        return ""
    if contains_my_number(text):
        raise DomainError(
            f"{label}に12桁の数字があります。個人番号（マイナンバー）は入力・記録できません。", field=field)
    if kind is TextKind.KANA:
        text = _fold_kana(text, label, field)
    if len(text) > max_len:
        raise DomainError(f"{label}は{max_len}文字以内で入力してください（いま{len(text)}文字）。", field=field)
    return text


def sanitize_input(text: str) -> str:
    """A search query made harmless: NFC (compatibility ideographs kept), control, bidi and
    zero-width characters dropped, each whitespace run one space, trimmed. For search only:
    text to be stored goes through `clean_text`, which refuses rather than drops."""
    cleaned = _nfc(kana._strip_invisible(text))
    return _tidy_spaces(cleaned)


def quote_input(text: str, limit: int = 30) -> str:
    """What a clerk typed, fit to be repeated in a message: control characters shown as visible
    escapes (`terminal_safe`), on one line, shortened; a My Number is not repeated at all."""
    if contains_my_number(text):
        return "（12桁の数字を含むため表示しません）"
    shown = terminal_safe(" ".join(str(text).split()))
    return shown if len(shown) <= limit else shown[:limit] + "..."  # ASCII: "…" is ambiguous-width
