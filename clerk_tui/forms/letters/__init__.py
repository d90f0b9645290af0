"""Letters and lists, one module per letter: 利用登録解除申請の受付控, 被保険者証滅失届, 督促状,
立替払 不足書類のお知らせ and the 送付一覧 for the 給付グループ. Plain data in (forms.letters_data),
A4 PDF bytes out; what they share is in `common`."""

from clerk_tui.forms.letters.cancellation_receipt import render_cancellation_receipt
from clerk_tui.forms.letters.common import (LOSS_REPORT_TITLE, MISSING_PAPERS_TITLE, PAPER_LABELS, RECEIPT_TITLE,
                                            REMINDER_TITLE, TRANSMITTAL_TITLE)
from clerk_tui.forms.letters.loss_report import render_loss_report
from clerk_tui.forms.letters.missing_papers import render_missing_papers
from clerk_tui.forms.letters.reminder import render_reminder
from clerk_tui.forms.letters.transmittal import render_transmittal

__all__ = [
    "LOSS_REPORT_TITLE",
    "MISSING_PAPERS_TITLE",
    "PAPER_LABELS",
    "RECEIPT_TITLE",
    "REMINDER_TITLE",
    "TRANSMITTAL_TITLE",
    "render_cancellation_receipt",
    "render_loss_report",
    "render_missing_papers",
    "render_reminder",
    "render_transmittal",
]
