"""PDF form renderers: plain data in, PDF bytes out (資格情報のお知らせ, 資格確認書, batches with a
送付書), and the atomic writer for the output folder. No database access here."""

from clerk_tui.forms.batch import render_batch
from clerk_tui.forms.certificate import render_certificate
from clerk_tui.forms.data import (
    CERTIFICATE_MASKED_RATIO,
    MASKED_RATIO,
    CertificateData,
    CoverEntry,
    CoverSheetData,
    InsurerInfo,
    MailingAddress,
    NoticeData,
)
from clerk_tui.forms.fonts import UnprintableText, unprintable_chars
from clerk_tui.forms.notice import render_notice
from clerk_tui.forms.output import batch_filename, safe_filename, write_pdf_atomically

__all__ = [
    "CERTIFICATE_MASKED_RATIO",
    "MASKED_RATIO",
    "CertificateData",
    "CoverEntry",
    "CoverSheetData",
    "InsurerInfo",
    "MailingAddress",
    "NoticeData",
    "UnprintableText",
    "batch_filename",
    "render_batch",
    "render_certificate",
    "render_notice",
    "safe_filename",
    "unprintable_chars",
    "write_pdf_atomically",
]
