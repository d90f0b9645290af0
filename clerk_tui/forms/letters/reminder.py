"""督促状 per employer (R9)."""

from __future__ import annotations

from fpdf import FPDF

from clerk_tui.forms.layout import addressee as _addressee, draw_text, new_pdf, paragraph, start_page, title, wareki
from clerk_tui.forms.letters.common import (BODY, REMINDER_TITLE, ROW_H, W0, X0, Column, _notes, _paged_table,
                                            _sender, _short_code)
from clerk_tui.forms.letters_data import ReminderData, ReminderRow


_LOSS_DATE = "喪失日"
_LOSS_OR_CHANGE_DATE = "喪失・変更日"  # when the letter also lists certificates due back after a 氏名変更
_REMINDER_COLUMNS: tuple[Column, ...] = (
    ("No.", 8, "R"),
    ("記号・番号・枝番", 25, "L"),
    ("氏名", 28, "L"),
    ("書類", 32, "L"),
    ("交付番号", 24, "L"),
    (_LOSS_DATE, 24, "L"),
    ("経過日数", 14, "R"),
    ("前回督促日", 25, "L"),
)


def _reminder_row(r: ReminderRow) -> tuple[str, ...]:
    return (_short_code(r.code), r.name, r.document_label, r.serial, wareki(r.lost_on), f"{r.days}日",
            wareki(r.last_reminded_on, blank="なし"))


def render_reminder(data: ReminderData) -> bytes:
    """The 督促状: the request, then every outstanding document in a table over as many pages
    as it needs."""
    pdf = new_pdf(f"{REMINDER_TITLE} {data.employer_code} {data.reference}")
    start_page(pdf)
    top = _addressee(pdf, data.employer_postal_code, data.employer_address, data.employer_name, "御中",
                     contact=data.employer_contact)
    refs = [("発行日", wareki(data.issued_on)), ("文書番号", data.reference)]
    _sender(pdf, data.insurer, refs)

    if data.name_changes:
        sub = "（資格喪失・氏名変更による資格確認書等の返却について）"
        why = "資格を喪失され、または氏名を変更されて資格確認書等の返却が必要ですが"
    else:
        sub = "（資格喪失者の資格確認書等の返却について）"
        why = "資格を喪失されていますが"
    y = title(pdf, max(48, top + 3), REMINDER_TITLE, size=20, sub=sub)
    y = paragraph(
        pdf, X0, y + 1, W0,
        f"平素より当組合の事業運営にご協力いただき、厚く御礼申し上げます。さて、下記の方々は{why}、"
        "本日現在、資格確認書等の返却が確認できておりません。お手数をおかけしますが、"
        "ご本人から回収のうえ、至急当組合へご返却くださいますようお願いいたします。", BODY)
    y += 1
    notes = [
        f"資格喪失届は、資格喪失日から{data.return_within_days}日以内に、回収した資格確認書等を添えて"
        "ご提出いただくことになっています。",
        "紛失などで回収できない場合は、被保険者証滅失届または回収不能届をご提出ください。",
        "本状と行き違いでご返却いただいている場合は、ご容赦ください。",
    ]
    if data.name_changes:
        notes.insert(1, "「（氏名変更）」の書類は変更前の氏名の資格確認書です（新しい資格確認書は別途お送りします）。"
                        "その行の日付は氏名変更日です。")
    y = _notes(pdf, y, notes, bullet="※")
    draw_text(pdf, X0, y + 1, W0, 6, f"未返却の書類：{len(data.rows)}件", 10, bold=True)
    y += 8

    def tail(pdf: FPDF, y: float) -> None:
        draw_text(pdf, X0, y + 1.5, W0, 6, "以上", 10, align="R")

    columns = tuple((_LOSS_OR_CHANGE_DATE, *c[1:]) if c[0] == _LOSS_DATE and data.name_changes else c
                    for c in _REMINDER_COLUMNS)
    _paged_table(pdf, y, columns, [_reminder_row(r) for r in data.rows], tail_h=ROW_H,
                 refs=refs, continued=f"{data.employer_name}　御中　督促状（続き）", tail=tail)
    return bytes(pdf.output())
