"""Text made safe to print on a terminal: a stored name or a fixture value may hold ESC, CSI or
OSC sequences (recolour the screen, set the clipboard, retitle the window) or bidi overrides
that reorder the line. Each such character is shown as a visible escape instead."""

from __future__ import annotations

import unicodedata

# Cc: C0 and C1 controls (ESC, CSI U+009B, BEL, DEL …); Cf: bidi overrides and isolates,
# zero-width characters; Cs: lone surrogates; Zl/Zp: line and paragraph separators.
_REVEALED_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def terminal_safe(text: object, *, keep: str = "") -> str:
    """`text` with every control, bidi-override and other invisible formatting character written
    as a visible escape (ESC → `\\x1b`, U+202E → `\\u202e`). Characters in `keep` (e.g. "\\n"
    for a message of several lines) pass unchanged. Printable text, Japanese included, is kept."""
    raw = "" if text is None else str(text)
    if raw.isprintable():  # no character of those categories (the common case, checked in C)
        return raw
    return "".join(_escape(ch) if ch not in keep and unicodedata.category(ch) in _REVEALED_CATEGORIES
                   else ch for ch in raw)
