"""PDF form renderers: plain data in, PDF bytes out (資格情報のお知らせ, 資格確認書, batches with a
送付書, the letters), and the atomic writer for the output folder. No database access here.

Importing this package loads nothing heavy: fpdf (and fontTools) take about half a second to
import, so each name below is loaded from its module the first time it is used, that is when
the first form is drawn. Code that draws imports the module it needs directly."""

from __future__ import annotations

import importlib
from typing import Any

# name -> the module of this package that defines it
_HOMES = {
    "render_batch": "batch",
    "render_certificate": "certificate",
    "render_notice": "notice",
    "UnprintableText": "fonts",
    "unprintable_chars": "fonts",
    "batch_filename": "output",
    "safe_filename": "output",
    "write_pdf_atomically": "output",
    **{name: "data" for name in ("CERTIFICATE_MASKED_RATIO", "MASKED_RATIO", "CertificateData", "CoverEntry",
                                 "CoverSheetData", "InsurerInfo", "MailingAddress", "NoticeData")},
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once loaded, a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
