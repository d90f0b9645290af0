"""送付一覧 of 立替払 claims for the 給付グループ (R12)."""

from __future__ import annotations

from fpdf import FPDF

from clerk_tui.domain.money import format_yen
from clerk_tui.domain.wareki import format_wareki_month
from clerk_tui.forms.layout import (LABEL_FILL, draw_text, fit_cell as _fit_cell, fitted_text, hline, new_pdf,
                                    paragraph, start_page, title, wareki)
from clerk_tui.forms.letters.common import (BODY, ROW_H, TRANSMITTAL_TITLE, W0, X0, Column, _institution,
                                            _notes, _paged_table, _sender, _short_code)
from clerk_tui.forms.letters_data import TransmittalData, TransmittalRow


_TRANSMITTAL_COLUMNS: tuple[Column, ...] = (
    ("No.", 8, "R"),
    ("記号・番号・枝番", 26, "L"),
    ("氏名", 30, "L"),
    ("医療機関", 46, "L"),
    ("診療月", 22, "L"),
    ("支払額", 24, "R"),
    ("給付見込額", 24, "R"),
)
_RECEIVED_BOX_H = 22.0


def _transmittal_row(r: TransmittalRow) -> tuple[str, ...]:
    return (_short_code(r.code), r.name, _institution(r.institution_name, r.is_pharmacy),
            format_wareki_month(r.treatment_month), format_yen(r.amount_paid), format_yen(r.estimated_refund))


def render_transmittal(data: TransmittalData) -> bytes:
    """The 送付一覧: every claim with its amounts, the totals and a 受領欄 for the 給付グループ."""
    pdf = new_pdf(f"送付一覧 {data.reference}")
    start_page(pdf)
    _fit_cell(pdf, X0, 14, 90, 8, f"{data.benefits_section_name}　御中", 13, 8)
    refs = [("回付日", wareki(data.forwarded_on)), ("送付番号", data.reference)]
    _sender(pdf, data.insurer, refs)

    y = title(pdf, 44, TRANSMITTAL_TITLE, size=18)
    y = paragraph(pdf, X0, y + 1, W0,
                  "下記の療養費（立替払）の請求は、必要書類がそろいましたので、書類を添えて回付します。", BODY)
    y = _notes(pdf, y, ["添付書類（各請求）：領収書（原本）、レセプト（診療報酬明細書）、立替払 請求書"],
               bullet="※")
    n = len(data.rows)
    draw_text(pdf, X0, y + 1, W0, 6,
              f"件数 {n}件　支払額合計 {format_yen(data.total_paid)}　給付見込額合計 "
              f"{format_yen(data.total_refund)}", 10, bold=True)
    y += 9

    def tail(pdf: FPDF, y: float) -> None:
        # The totals row, then the 受領欄 the 給付グループ signs when it takes the papers over.
        label_w = sum(w for _, w, _ in _TRANSMITTAL_COLUMNS[:5])
        pdf.set_fill_color(*LABEL_FILL)
        pdf.set_line_width(0.2)
        pdf.rect(X0, y, label_w, ROW_H, style="DF")
        draw_text(pdf, X0, y, label_w - 3, ROW_H, f"合計（{n}件）", 9.5, align="R", bold=True)
        x = X0 + label_w
        for (_, w, _), value in zip(_TRANSMITTAL_COLUMNS[5:], (data.total_paid, data.total_refund), strict=True):
            pdf.rect(x, y, w, ROW_H, style="DF")
            fitted_text(pdf, x + 1.3, y, w - 2.6, ROW_H, format_yen(value), 9.5, 5.5, align="R", bold=True)
            x += w
        hline(pdf, X0, X0 + W0, y + ROW_H + 0.6, 0.2)  # the double rule under a total
        by = y + ROW_H + 5
        bx, bw = X0 + W0 - 124, 124.0
        pdf.set_line_width(0.2)
        pdf.rect(bx, by, bw, _RECEIVED_BOX_H - 5)
        draw_text(pdf, bx + 2, by + 1, bw - 4, 5, "上記の書類を受領しました。", 8.5)
        draw_text(pdf, bx + 2, by + 7, 58, 7, "受領日　令和　　　年　　　月　　　日", 9)
        draw_text(pdf, bx + 68, by + 7, 12, 7, "受領者", 9)
        hline(pdf, bx + 80, bx + bw - 9, by + 13, 0.2)
        draw_text(pdf, bx + bw - 8, by + 7, 6, 7, "印", 9)

    _paged_table(pdf, y, _TRANSMITTAL_COLUMNS, [_transmittal_row(r) for r in data.rows],
                 tail_h=ROW_H + _RECEIVED_BOX_H, refs=refs,
                 continued=f"{data.benefits_section_name}　御中　送付一覧（続き）", tail=tail)
    return bytes(pdf.output())
