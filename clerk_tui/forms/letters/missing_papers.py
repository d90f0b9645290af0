"""立替払 不足書類のお知らせ (R12)."""

from __future__ import annotations

from clerk_tui.domain.money import format_yen
from clerk_tui.domain.wareki import format_wareki_month
from clerk_tui.forms.layout import (GREY, LABEL_FILL, addressee as _addressee, draw_text, fitted_text,
                                    new_pdf, paragraph, start_page, title, wareki, wrap_ja)
from clerk_tui.forms.letters.common import (BODY, MISSING_PAPERS_TITLE, PAPER_LABELS, _PAPER_NOTES, ROW_H, W0,
                                            X0, _contact_footer, _heading, _institution, _notes, _pair, _rows,
                                            _sender)
from clerk_tui.forms.letters_data import MissingPapersData


def render_missing_papers(data: MissingPapersData) -> bytes:
    """The letter to the insured person naming the missing papers of one claim (one A4 page)."""
    pdf = new_pdf(f"{MISSING_PAPERS_TITLE} {data.reference}")
    start_page(pdf)
    top = _addressee(pdf, data.addressee_postal_code, data.addressee_address, data.addressee_name, "様")
    _sender(pdf, data.insurer, [("発行日", wareki(data.issued_on)), ("受付番号", data.reference)])

    y = title(pdf, max(46, top + 3), MISSING_PAPERS_TITLE, size=17, sub="（お知らせ）")
    y = paragraph(
        pdf, X0, y + 1, W0,
        f"{wareki(data.received_on)}にお受けした療養費（立替払）のご請求について、下記の書類が"
        "不足しているため、お手続きを進めることができません。お手数ですが、不足している書類を"
        "そろえて、当組合の給付グループへご提出ください。", BODY)

    y = _heading(pdf, y + 2, "ご請求の内容")
    y = _pair(pdf, y, ("受診者氏名", data.patient_name),
              ("記号・番号・枝番", f"{data.symbol}・{data.number}・{data.branch}"),
              split=100, right_label_w=30, size=11)
    y = _rows(pdf, y, [("医療機関", _institution(data.institution_name, data.is_pharmacy))])
    y = _pair(pdf, y, ("診療月", format_wareki_month(data.treatment_month)),
              ("支払日", wareki(data.paid_on)), split=100, right_label_w=30)
    y = _rows(pdf, y, [("支払額（10割）", format_yen(data.amount_paid))])

    y = _heading(pdf, y + 4, "必要な書類（3点）")
    sw, nw = 20.0, 50.0  # 状況, 書類 columns; the explanation takes the rest
    ew = W0 - sw - nw
    pdf.set_fill_color(*LABEL_FILL)
    pdf.set_line_width(0.2)
    for x, w, text in ((X0, sw, "状況"), (X0 + sw, nw, "書類"), (X0 + sw + nw, ew, "説明")):
        pdf.rect(x, y, w, ROW_H, style="DF")
        draw_text(pdf, x, y, w, ROW_H, text, 8.5, align="C")
    y += ROW_H
    for key, received in data.papers:
        pdf.set_font_size(8.5)
        lines = wrap_ja(pdf, _PAPER_NOTES[key], ew - 3)
        h = max(11.0, len(lines) * 4.2 + 2.6)
        pdf.set_line_width(0.2)
        for x, w in ((X0, sw), (X0 + sw, nw), (X0 + sw + nw, ew)):
            pdf.rect(x, y, w, h)
        if received:
            pdf.set_text_color(*GREY)
            draw_text(pdf, X0, y, sw, h, "受領済", 9.5, align="C")
        else:
            draw_text(pdf, X0, y, sw, h, "■ 不足", 10.5, align="C", bold=True)
        fitted_text(pdf, X0 + sw + 1.5, y, nw - 3, h, PAPER_LABELS[key], 10.5, 7, bold=not received)
        ty = y + (h - len(lines) * 4.2) / 2
        for line in lines:
            draw_text(pdf, X0 + sw + nw + 1.5, ty, ew - 3, 4.2, line, 8.5)
            ty += 4.2
        pdf.set_text_color(0)
        y += h

    # The deadline, boxed: a lapsed claim cannot be paid at all.
    y += 5
    pdf.set_line_width(0.5)
    pdf.rect(X0, y, W0, 14)
    draw_text(pdf, X0 + 4, y + 1.5, 30, 6, "請求期限", 11, bold=True)
    draw_text(pdf, X0 + 34, y + 1.5, 80, 6, wareki(data.deadline), 12.5, bold=True)
    fitted_text(pdf, X0 + 4, y + 7.5, W0 - 8, 5,
                "支払日の翌日から2年を過ぎると、時効により請求できなくなります。お早めにご提出ください。", 8.5, 6)
    y += 19

    draw_text(pdf, X0, y, 60, 5, "ご注意", 9.5, bold=True)
    _notes(pdf, y + 5.5, [
        f"提出先：〒{data.insurer.postal_code}　{data.insurer.address}　{data.insurer.name}　"
        f"{data.benefits_section_name}",
        "ご提出の際は、このお知らせを同封してください。",
        "医療機関・薬局によっては、資格確認書などで当組合の資格を確認できれば、窓口で払い戻しを"
        "受けられる場合があります。",
    ])

    _contact_footer(pdf, "お問い合わせ先", [
        f"{data.insurer.name}　{data.benefits_section_name}　TEL {data.benefits_phone}",
    ])
    return bytes(pdf.output())
