"""Database text made safe for the screen: never markup, control characters shown as visible
escapes, and cut to a column's width in terminal cells with an ASCII marker."""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

# "…" is East-Asian ambiguous: a terminal set to draw ambiguous characters wide would shift the
# rest of the row, so truncation is marked with plain ASCII.
CUT_MARK = "~"

_ESCAPE_STYLE = Style(dim=True)
# Bidi controls are category Cf; they reorder the rest of the line on some terminals.
_REVEALED = ("Cc", "Cf", "Cs", "Zl", "Zp")


def _revealed(ch: str) -> bool:
    return unicodedata.category(ch) in _REVEALED


def data_text(value: object, style: str | Style = "") -> Text:
    """A value from the database as literal text: `[bold]` stays `[bold]`; ESC, bidi overrides
    and other invisible controls become `\\x1b`, `\\u202e` … so the clerk sees that they are there."""
    raw = "" if value is None else str(value)
    text = Text(style=style, no_wrap=True, overflow="crop")
    run = []
    for ch in raw:
        if _revealed(ch):
            if run:
                text.append("".join(run))
                run = []
            code = ord(ch)
            text.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}", style=_ESCAPE_STYLE)
        else:
            run.append(ch)
    if run:
        text.append("".join(run))
    return text


def fit(text: Text | str, width: int) -> Text:
    """Cut `text` to `width` cells, ending in CUT_MARK when something was left out. A wide
    character that would straddle the edge is left out whole (the row stays aligned)."""
    if not isinstance(text, Text):
        text = data_text(text)
    if width <= 0:
        return Text()
    if cell_len(text.plain) <= width:
        return text
    keep = width - len(CUT_MARK)
    used = 0
    end = 0
    for i, ch in enumerate(text.plain):
        w = cell_len(ch)
        if used + w > keep:
            break
        used += w
        end = i + 1
    cut = text[:end]
    cut.append(CUT_MARK, style="dim")
    return cut


# 行頭禁則: characters a line must not start with; 行末禁則: characters it must not end with.
_NO_LINE_START = set("、。，．,.)）」』】〕〉》］｝!！?？:：;；・ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〜")
_NO_LINE_END = set("(（「『【〔〈《［｛")


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isprintable() and not ch.isspace()


def _break_before(plain: str, start: int, i: int) -> int:
    """Where to end the line that would overflow at `i` (a break falls before the returned index)."""
    cut = i
    # An ASCII word (1234-567, S55.4.2, E00012) moves down whole unless it fills the line.
    if _is_word(plain[cut]) and _is_word(plain[cut - 1]):
        j = cut
        while j > start and _is_word(plain[j - 1]):
            j -= 1
        if j > start:
            cut = j
    # Pull characters down until the break is allowed (at most a few, never the whole line).
    moved = cut
    while moved - start > 1 and (plain[moved] in _NO_LINE_START or plain[moved - 1] in _NO_LINE_END):
        moved -= 1
        if cut - moved > 3:
            return cut
    return moved


def wrap_ja(text: Text, width: int) -> Text:
    """Break `text` into lines of at most `width` cells anywhere between characters, as Japanese
    is written, but never start a line with 、。）」 etc. nor end one with （「 (simple 禁則)."""
    if width <= 2:
        return text
    out_lines: list[Text] = []
    for line in text.split("\n", allow_blank=True):
        plain = line.plain
        breaks: list[int] = []
        start = 0
        used = 0
        i = 0
        while i < len(plain):
            w = cell_len(plain[i])
            if used + w > width and i > start:
                cut = _break_before(plain, start, i)
                breaks.append(cut)
                start = cut
                used = cell_len(plain[start:i])
            used += w
            i += 1
        pieces = list(line.divide(breaks)) if breaks else [line]
        for n, piece in enumerate(pieces):
            if n:  # a space the break fell on does not indent the next line
                piece = piece[len(piece.plain) - len(piece.plain.lstrip(" ")):]
            if n < len(pieces) - 1:
                piece.rstrip()
            out_lines.append(piece)
    return Text("\n").join(out_lines)
