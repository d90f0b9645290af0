"""QR codes for the forms: segno → PNG bytes with a white quiet zone, cached by content."""

from __future__ import annotations

import io
from functools import lru_cache

import segno
from fpdf import FPDF

__all__ = ["QUIET_ZONE", "draw_qr", "qr_png"]

QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 asks; scanners need it
_PIXELS_PER_MODULE = 8  # integer scaling keeps module edges sharp in every renderer


@lru_cache(maxsize=512)
def qr_png(content: str, error: str = "m") -> bytes:
    """The QR code of `content` as a black-on-white PNG (quiet zone included).

    A PNG rather than vector paths: segno's PNG decodes reliably once printed and it is cached,
    so a batch repeats the same bytes (fpdf2 then embeds them once)."""
    code = segno.make(content, error=error, micro=False)
    buf = io.BytesIO()
    code.save(buf, kind="png", scale=_PIXELS_PER_MODULE, border=QUIET_ZONE, dark="#000", light="#fff")
    return buf.getvalue()


def draw_qr(pdf: FPDF, content: str, x: float, y: float, size: float, error: str = "m") -> None:
    """Place the QR code (with its quiet zone) in the square at (x, y) of side `size` mm."""
    pdf.image(io.BytesIO(qr_png(content, error)), x=x, y=y, w=size, h=size)
