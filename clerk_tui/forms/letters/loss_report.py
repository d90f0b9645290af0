"""被保険者証滅失届 (R8)."""

from __future__ import annotations

from clerk_tui.forms.layout import (GREY, LABEL_FILL, draw_text, fit_cell as _fit_cell, fitted_text, hline,
                                    insurer_contact, new_pdf, paragraph, reference_lines, start_page, title,
                                    wareki, wrap_ja)
from clerk_tui.forms.letters.common import (BODY, LOSS_REPORT_TITLE, NOTE, NOTE_LH, W0, X0, _checks, _code,
                                            _heading, _notes, _pair, _rows, _wrapped_box)
from clerk_tui.forms.letters_data import LossReportData


def render_loss_report(data: LossReportData) -> bytes:
    """The 滅失届 filled in from the record, with the 署名欄 and date left for the member."""
    pdf = new_pdf(f"{LOSS_REPORT_TITLE} {data.reference}")
    start_page(pdf)
    reference_lines(pdf, 105, 12, 90, [("作成日", wareki(data.issued_on)), ("受付番号", data.reference)])
    _fit_cell(pdf, X0, 20, 100, 8, f"{data.insurer.name}　理事長　殿", 11.5, 8)
    fitted_text(pdf, X0, 28, 100, 5, f"保険者番号　{data.insurer.number}", 9, 6)

    y = title(pdf, 36, LOSS_REPORT_TITLE, size=20)
    y = paragraph(pdf, X0, y + 1, W0,
                  "下記のとおり、被保険者証等を滅失しましたので届け出ます。内容を確認し、誤りがあれば"
                  "二重線で訂正のうえ、署名して提出してください。", BODY)

    who = "被扶養者（家族）" if data.is_dependent else "被保険者（本人）"
    h = 7.6
    y = _heading(pdf, y + 2, "滅失した証等をお持ちの方")
    y = _pair(pdf, y, ("記号・番号・枝番", _code(data.symbol, data.number, data.branch)), ("本人・家族", who), h=h)
    y = _rows(pdf, y, [("フリガナ", data.name_kana)], size=9, h=h)
    y = _rows(pdf, y, [("氏名", data.name)], size=12, h=h + 1)
    y = _pair(pdf, y, ("生年月日", wareki(data.birth_date)), ("性別", data.sex_label), h=h)
    if data.is_dependent:
        y = _rows(pdf, y, [("被保険者氏名", data.insured_name or "")], h=h)
    address = "　".join(p for p in (f"〒{data.postal_code}" if data.postal_code else "", data.address or "") if p)
    y = _wrapped_box(pdf, X0, y, W0, "住所", address, label_w=38, min_h=h)
    y = _rows(pdf, y, [("電話番号", data.phone or "")], h=h)
    y = _wrapped_box(pdf, X0, y, W0, "事業所名", data.employer_name, label_w=38, min_h=h, max_lines=2)

    y = _heading(pdf, y + 4, "滅失した証等")
    y = _pair(pdf, y, ("証等の種類", data.document_label), ("交付番号", data.document_serial or ""), h=h)
    y = _pair(pdf, y, ("滅失年月日", wareki(data.lost_on)),
              ("交付年月日", wareki(data.document_issued_on, blank="")), h=h)
    y = _rows(pdf, y, [("滅失の事情", _checks(data.circumstance_choices, data.circumstance_label))], h=h)
    stolen = data.circumstance_label == "盗難"
    police = data.police_report_ref or ("" if stolen else "該当なし（盗難の場合のみ）")
    reissue = _checks(("希望する", "希望しない"), "希望する" if data.reissue_requested else "希望しない")
    y = _rows(pdf, y, [("警察への届出", police), ("再交付", reissue)], h=h)

    y = paragraph(pdf, X0, y + 4, W0,
                  "滅失した証等を発見したときは、再交付を受けた後であっても、直ちに当組合へ返却します。", BODY)

    notes = [
        "盗難の場合は、警察署に届け出たうえで、受理番号と警察署名を記入してください。",
        "資格確認書などの再交付を受けた後に滅失した証等が見つかったときも、必ず返却してください。",
        f"提出先：{data.insurer.name}　{insurer_contact(data.insurer)}",
    ]
    by, bh = 266.0, 20.0  # the 組合記入欄 at the foot
    # The signature block gives up its spacing (to 60 %) when long entries (a five-line address,
    # a dependent's extra row) leave less room above the 組合記入欄.
    pdf.set_font_size(NOTE)
    hang = pdf.text_width("・")
    notes_h = 5.5 + sum(len(wrap_ja(pdf, n, W0 - 2 - hang)) for n in notes) * NOTE_LH
    gaps = (5.0, 14.0, 20.0)
    k = max(0.6, min(1.0, (by - 3 - y - notes_h) / sum(gaps)))
    g_before, g_date, g_after = (g * k for g in gaps)

    # 署名欄: left empty for the insured person (the 届出者, also for a dependent's document).
    y += g_before
    draw_text(pdf, X0 + 4, y, 40, 8, "届出年月日", 10.5)
    draw_text(pdf, X0 + 44, y, 80, 8, "令和　　　年　　　月　　　日", 11)
    y += g_date
    draw_text(pdf, X0 + 4, y, 40, 9, "届出者（被保険者）", 10.5)
    draw_text(pdf, X0 + 44, y, 12, 9, "氏名", 10.5)
    hline(pdf, X0 + 56, X0 + 154, y + 8.5, 0.3)
    pdf.set_line_width(0.25)
    pdf.set_dash_pattern(dash=0.8, gap=0.8)
    pdf.ellipse(X0 + 158, y - 1.5, 12, 12)  # the seal circle
    pdf.set_dash_pattern()
    pdf.set_text_color(*GREY)
    draw_text(pdf, X0 + 158, y - 1.5, 12, 12, "印", 9, align="C")
    draw_text(pdf, X0 + 56, y + 9.5, 98, 4.5, "（署名または記名押印。自署の場合は押印不要です）", 7.5)
    pdf.set_text_color(0)
    y += g_after

    draw_text(pdf, X0, y, 60, 5, "ご注意", 9.5, bold=True)
    _notes(pdf, y + 5.5, notes)

    # 組合記入欄: what the clerk recorded.
    pdf.set_line_width(0.2)
    pdf.set_fill_color(*LABEL_FILL)
    pdf.rect(X0, by, 8, bh, style="DF")
    for i, ch in enumerate("組合記入欄"):
        draw_text(pdf, X0, by + 1 + i * 3.6, 8, 3.6, ch, 7, align="C")
    cells = [("受付日", wareki(data.received_on)), ("受付番号", data.reference), ("確認", ""), ("入力", "")]
    widths = [50.0, 50.0, 36.0, 36.0]
    x = X0 + 8
    for (label, value), w in zip(cells, widths, strict=True):
        pdf.rect(x, by, w, 5, style="DF")
        draw_text(pdf, x, by, w, 5, label, 7.5, align="C")
        pdf.rect(x, by + 5, w, bh - 5)
        fitted_text(pdf, x + 1.5, by + 5, w - 3, bh - 5, value, 9.5, 6, align="C")
        x += w
    return bytes(pdf.output())
