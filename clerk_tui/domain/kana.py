"""Japanese name text: width/kana folding, variant-kanji folding and the search keys built from
them. The rule for text that is stored (controls, length, My Number) is in domain.text."""

from __future__ import annotations

import functools
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping

import jaconv

__all__ = [
    "VariantTable",
    "VariantTableError",
    "fold_width",
    "is_kana",
    "kana_key",
    "load_variant_table",
    "name_key",
    "to_katakana",
    "variants_of",
]

# --------------------------------------------------------------------------------------------
# Invisible and control characters
# --------------------------------------------------------------------------------------------

# Listed explicitly although all are category Cf (removed below anyway), so that the promise
# "bidi overrides/isolates and zero-width characters are removed" does not hang on a category
# that a future Unicode version might change.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e"}
_INVISIBLE = frozenset(_BIDI | _ZERO_WIDTH)
# Control characters that mean "a break between words": they become a space, not nothing, so
# "山田\n太郎" does not silently turn into "山田太郎".
_CONTROL_SPACES = frozenset("\t\n\v\f\r\x85")
# Variation selectors (standard and IVS) pick a glyph, not a character: kept in the stored name,
# dropped from search keys so 葛 with an IVS still finds 葛.
_VARIATION_SELECTOR = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# NFC maps CJK compatibility ideographs (e.g. 塚 U+FA10, 祐 U+FA4F) to their unified twins, which
# would change a registered name; such characters are left out of NFC (see _nfc_keep_compat).
_COMPAT_IDEOGRAPH = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f])")


def _is_removed(ch: str) -> bool:
    # Cc: terminal controls (ESC starts escape sequences), Cf: format characters (bidi, zero
    # width, soft hyphen, tags), Cs: lone surrogates that cannot even be encoded for storage.
    return ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Cs")


@functools.lru_cache(maxsize=1024)  # one search's parse strips the same text several times
def _strip_invisible(text: str) -> str:
    """Drop controls and invisible format characters; control spaces become an ASCII space."""
    return "".join(
        " " if ch in _CONTROL_SPACES else ch
        for ch in text
        if ch in _CONTROL_SPACES or not _is_removed(ch)
    )


def _nfc_keep_compat(text: str) -> str:
    parts = _COMPAT_IDEOGRAPH.split(text)
    # split() with a capture group alternates text / compatibility ideograph / text ...
    return "".join(p if i % 2 else unicodedata.normalize("NFC", p) for i, p in enumerate(parts))


# --------------------------------------------------------------------------------------------
# Width and kana folding
# --------------------------------------------------------------------------------------------

# The spacing sound marks ゛゜ NFKC-decompose to "space + combining mark", leaving "カ゛" as
# "カ ゙"; made combining first, they compose to ガ as the clerk meant.
_SPACING_SOUND_MARKS = str.maketrans({"\u309b": "\u3099", "\u309c": "\u309a"})


def fold_width(text: str) -> str:
    """NFKC: full-width ASCII to ASCII, half-width katakana to full-width (ｶﾞ → ガ), U+3000 → ' '."""
    return unicodedata.normalize("NFKC", text.translate(_SPACING_SOUND_MARKS))


def to_katakana(text: str) -> str:
    """Width-folded text with hiragana turned into katakana."""
    return jaconv.hira2kata(fold_width(text))


def _derive_small_kana_fold() -> dict[int, str]:
    # Derived from the Unicode names ("KATAKANA LETTER SMALL TU" → "KATAKANA LETTER TU") rather
    # than typed by hand, so no small letter is forgotten (ㇰ, ヮ, ヵ, ヶ, ゕ …).
    table: dict[int, str] = {}
    for cp in (*range(0x3041, 0x3100), *range(0x31F0, 0x3200), *range(0x1B130, 0x1B170)):
        name = unicodedata.name(chr(cp), "")
        if " SMALL " not in name:
            continue
        try:
            table[cp] = unicodedata.lookup(name.replace("SMALL ", ""))
        except KeyError:
            continue
    return table


_SMALL_KANA_FOLD = _derive_small_kana_fold()

_KANA_RANGES = ((0x30A1, 0x30FA), (0x30FC, 0x30FE), (0x31F0, 0x31FF))
_MIDDLE_DOTS = "・\u00b7"  # ･ (U+FF65) is already ・ after NFKC
_KEY_DROP = re.compile(rf"[\s{_MIDDLE_DOTS}]+")


def is_kana(text: str) -> bool:
    """True if, after folding, the text is kana, ー, ・ and spaces only, with at least one kana."""
    folded = to_katakana(_strip_invisible(text))
    return _first_non_kana(folded) is None and any(_is_kana_letter(ch) for ch in folded)


_KANA_LETTERS = frozenset(chr(cp) for lo, hi in _KANA_RANGES for cp in range(lo, hi + 1))


def _is_kana_letter(ch: str) -> bool:
    return ch in _KANA_LETTERS


def _first_non_kana(folded: str) -> int | None:
    """1-based position of the first character that is not kana, ・ or a space, in folded text."""
    for position, ch in enumerate(folded, start=1):
        if not (ch.isspace() or ch in _MIDDLE_DOTS or _is_kana_letter(ch)):
            return position
    return None


def _kana_fold(text: str) -> str:
    # Small kana are made large before hiragana → katakana, so rare small hiragana end as katakana.
    return jaconv.hira2kata(fold_width(text).translate(_SMALL_KANA_FOLD))


def kana_key(text: str) -> str:
    """Search key for a kana reading: full-width katakana, no spaces or ・, small kana made large.

    Small kana are folded because the same reading is written both ways: old records and
    half-width systems hold キヨウコ for キョウコ, and clerks type ヨシダ where the card reads ヨシダ
    (or the reverse); ヴ is kept, it is not a small kana.
    """
    text = _VARIATION_SELECTOR.sub("", _strip_invisible(text))
    return _KEY_DROP.sub("", _kana_fold(text))


# --------------------------------------------------------------------------------------------
# Variant kanji (異体字)
# --------------------------------------------------------------------------------------------


class VariantTableError(ValueError):
    """The variant table file is malformed; the message says where, in Japanese."""


@dataclass(frozen=True)
class VariantTable:
    """Groups of interchangeable kanji; the first of each group is the canonical form."""

    groups: tuple[tuple[str, ...], ...]
    _canonical: Mapping[str, str]
    _group_of: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_groups(cls, groups: Iterable[Iterable[str]], *, source: str = "異体字表") -> VariantTable:
        canonical: dict[str, str] = {}
        group_of: dict[str, tuple[str, ...]] = {}
        owner: dict[str, int] = {}
        result: list[tuple[str, ...]] = []
        for number, raw in enumerate(groups, start=1):
            if isinstance(raw, str) or not isinstance(raw, (list, tuple)):
                raise VariantTableError(f"{source}: {number}番目のグループが [\"字\", \"字\"] の形ではありません。")
            group = tuple(dict.fromkeys(raw))  # a repeated character in one line is harmless
            if len(group) < 2:
                raise VariantTableError(f"{source}: {number}番目のグループには2文字以上が必要です。")
            for ch in group:
                if not isinstance(ch, str) or len(ch) != 1 or unicodedata.category(ch) != "Lo":
                    raise VariantTableError(
                        f"{source}: {number}番目のグループの {ch!r} は1文字の漢字ではありません。"
                    )
            # Keys are built from NFKC text, so the NFKC form of every member maps too (塚 U+FA10
            # arrives as 塚 U+585A); the canonical character is the NFKC form of the first.
            head = unicodedata.normalize("NFKC", group[0])
            for ch in group:
                for form in {ch, unicodedata.normalize("NFKC", ch)}:
                    if form in owner and owner[form] != number:
                        raise VariantTableError(
                            f"{source}: 「{form}」(U+{ord(form):04X}) が {owner[form]}番目と"
                            f"{number}番目の両方のグループにあります。1つのグループにまとめてください。"
                        )
                    owner[form] = number
                    canonical[form] = head
                    group_of[form] = group
            result.append(group)
        return cls(tuple(result), canonical, group_of)

    def canonical(self, char: str) -> str:
        return self._canonical.get(char, char)

    def variants_of(self, char: str) -> tuple[str, ...]:
        if len(char) != 1:
            raise ValueError(f"one character expected, got {char!r}")
        group = self._group_of.get(char) or self._group_of.get(unicodedata.normalize("NFKC", char))
        return group if group is not None else (char,)

    def fold(self, text: str) -> str:
        # Iterating a str walks code points, so astral characters such as 𠮷 (U+20BB7) are one unit.
        return "".join(self._canonical.get(ch, ch) for ch in text)


def _parse_table(data: bytes, source: str) -> VariantTable:
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise VariantTableError(f"{source}: ファイルを読めません（{exc}）。") from exc
    groups = document.get("groups")
    if not isinstance(groups, list):
        raise VariantTableError(f"{source}: groups = [ ... ] がありません。")
    return VariantTable.from_groups(groups, source=source)


@functools.cache
def _default_table() -> VariantTable:
    from importlib import resources  # on the first name key: its import is slow for a start path

    resource = resources.files("clerk_tui.data").joinpath("variants.toml")
    return _parse_table(resource.read_bytes(), "variants.toml")


def load_variant_table(path: str | os.PathLike[str] | None = None) -> VariantTable:
    """The packaged table (read once, cached), or the table in the file at `path` (read anew)."""
    if path is None:
        return _default_table()
    with open(path, "rb") as fh:
        return _parse_table(fh.read(), os.fspath(path))


def variants_of(char: str, *, table: VariantTable | None = None) -> tuple[str, ...]:
    """The group of `char`, canonical form first, as written in the table; `(char,)` if none."""
    return (table or load_variant_table()).variants_of(char)


def name_key(text: str, *, table: VariantTable | None = None) -> str:
    """Search key for a name in kanji (or kana): NFKC, no spaces or ・, every variant kanji folded to
    its canonical form, kana folded as in `kana_key` (so for pure kana the two keys are equal)."""
    text = _VARIATION_SELECTOR.sub("", _strip_invisible(text))
    return (table or load_variant_table()).fold(_KEY_DROP.sub("", _kana_fold(text)))
