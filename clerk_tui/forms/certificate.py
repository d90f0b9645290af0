"""資格確認書 (R3–R5, R9): the card-size certificate on the A4 sheet it is printed on, with crop
marks to cut it out and the notes the member needs outside the card."""

from __future__ import annotations

from fpdf import FPDF

from clerk_tui.forms.data import CERTIFICATE_MASKED_RATIO, CertificateData, code_text, ratio_text
from clerk_tui.forms.layout import (
    crop_marks,
    document_header,
    draw_text,
    fitted_text,
    hline,
    insurer_contact,
    new_pdf,
    paragraph,
    start_page,
    title,
    wareki,
)

__all__ = ["CARD_H", "CARD_W", "CARD_X", "CARD_Y", "draw_certificate", "render_certificate"]

KIND_LABEL = "資格確認書"
ELDERLY_NOTE = "（高齢受給者証を兼ねる）"
CARD_W, CARD_H = 85.6, 54.0  # ISO/IEC 7810 ID-1: the size of the old 健康保険証 card
CARD_X, CARD_Y = (210 - CARD_W) / 2, 88.0
CROP_REACH = 8.0  # crop_marks: 2 mm offset + 6 mm mark
TITLE_Y = 41.0


def render_certificate(data: CertificateData) -> bytes:
    """The 資格確認書 as PDF bytes (one A4 page)."""
    pdf = new_pdf(f"{KIND_LABEL} {data.serial}")
    draw_certificate(pdf, data)
    return bytes(pdf.output())


def draw_certificate(pdf: FPDF, data: CertificateData) -> None:
    """Add the sheet as a new page of `pdf` (used by render_certificate and render_batch)."""
    start_page(pdf)

    top = document_header(pdf, data, "交付番号", employer_w=92)

    y = title(pdf, top, KIND_LABEL, sub=ELDERLY_NOTE if data.ratio_printed else None)
    y = paragraph(
        pdf, 15, y + 1, 180,
        "マイナ保険証による資格確認を受けられない方に、資格確認書を交付します。医療機関・薬局を"
        "受診するときは、この資格確認書を窓口に提示してください。四隅のトンボ（切り取りの目印）に"
        "沿って切り取り、大切にお持ちください。",
        9.5,
    )
    card_y = CARD_Y + top - TITLE_Y
    # The crop marks reach CROP_REACH above the card: the text must end before them.
    assert y <= card_y - CROP_REACH, y

    crop_marks(pdf, CARD_X, card_y, CARD_W, CARD_H)
    draw_card(pdf, data, CARD_X, card_y)

    y = card_y + CARD_H + 14
    draw_text(pdf, 15, y, 60, 5, "ご注意", 10, bold=True)
    y += 6
    notes = [f"有効期限は{wareki(data.valid_until)}です。有効期限を過ぎた資格確認書は使用できません。"
             "有効期限を過ぎたら、ご本人で破棄してください。"]
    if data.capped_at_75:
        notes.append("75歳の誕生日から後期高齢者医療制度の被保険者となるため、有効期限は75歳の誕生日"
                     "の前日までとなっています。")
    notes.append("有効期限内に退職などで資格を喪失したとき、または扶養から外れたときは、お勤め先"
                 "（事業所）を経由して返却してください。")
    if data.ratio_printed:
        effective = (f"発効期日（{wareki(data.ratio_effective_from)}）から"
                     if data.ratio_effective_from else "")
        notes.append(f"この資格確認書は高齢受給者証を兼ねています。表示の負担割合は{effective}"
                     "適用されます。")
    notes += [
        f"負担割合は、交付時点で70歳以上の方にのみ表示しています。70歳未満の方は「{CERTIFICATE_MASKED_RATIO}」"
        "と表示しています。",
        "記載内容に変更があったとき、または紛失したときは、お勤め先を通じて届け出てください。"
        "紛失した資格確認書が見つかったときは、再交付を受けた後でも返却してください。",
        "他人に貸したり譲ったりすることはできません。",
    ]
    for note in notes:
        y = paragraph(pdf, 17, y, 176, note, 9, line_height=4.8, indent="・")

    hline(pdf, 15, 195, 272, 0.2)
    draw_text(pdf, 15, 274, 40, 5, "お問い合わせ先", 8.5, bold=True)
    ins = data.insurer
    fitted_text(pdf, 45, 274, 150, 5, f"{ins.name}　{insurer_contact(ins)}", 8.5, 6)
    fitted_text(pdf, 45, 279, 150, 5, f"〒{ins.postal_code}　{ins.address}", 8.5, 6)


def draw_card(pdf: FPDF, data: CertificateData, x: float, y: float) -> None:
    """The card face (85.6 × 54 mm) with its top-left corner at (x, y)."""
    w, h = CARD_W, CARD_H
    pdf.set_draw_color(170)
    pdf.set_line_width(0.1)
    pdf.rect(x, y, w, h)  # a hairline edge, so a slightly off cut still looks square
    pdf.set_draw_color(0)

    ix, iw = x + 2.5, w - 5
    draw_text(pdf, ix, y + 1.5, 22, 6.5, KIND_LABEL, 11, bold=True)
    if data.ratio_printed:
        draw_text(pdf, ix + 21, y + 1.8, 30, 6.5, ELDERLY_NOTE, 6)
    kind = "被扶養者（家族）" if data.is_dependent else "被保険者（本人）"
    pdf.set_line_width(0.2)
    pdf.rect(ix + iw - 21, y + 2.5, 21, 4.5)
    draw_text(pdf, ix + iw - 21, y + 2.5, 21, 4.5, kind, 6.5, align="C")

    rows: list[tuple[str, str, str | None, str | None]] = [
        ("有効期限", wareki(data.valid_until), "交付年月日", wareki(data.issued_on)),
        ("記号・番号", code_text(data), None, None),
        ("氏名", data.name, None, None),
        ("生年月日", wareki(data.birth_date), "性別", data.sex_label),
        ("資格取得年月日", wareki(data.acquired_on), None, None),
    ]
    if data.is_dependent:
        rows.append(("被保険者氏名", data.insured_name or "", None, None))
    rows += [
        ("負担割合", ratio_text(data), None, None),
        ("保険者番号", data.insurer.number, None, None),
        ("保険者名称", data.insurer.name, None, None),
        ("所在地", f"〒{data.insurer.postal_code}　{data.insurer.address}", None, None),
    ]
    top, bottom = y + 9, y + h - 2
    rh = (bottom - top) / len(rows)
    lw = 15.5
    pdf.set_line_width(0.1)
    pdf.set_draw_color(150)
    for i, (label, value, label2, value2) in enumerate(rows):
        ry = top + i * rh
        pdf.line(ix, ry, ix + iw, ry)
        big = label in ("氏名", "有効期限")
        fitted_text(pdf, ix, ry, lw, rh, label, 5.5, 4)
        if label2 is None:
            fitted_text(pdf, ix + lw + 1, ry, iw - lw - 1, rh, value, 9 if big else 7.5, 5)
            continue
        # Two fields on one row: the first takes the space the second leaves.
        w2 = 11 if label2 == "性別" else 30
        fitted_text(pdf, ix + lw + 1, ry, iw - lw - w2 - 2, rh, value, 8.5 if big else 7.5, 5)
        lx = ix + iw - w2
        fitted_text(pdf, lx, ry, 9 if label2 != "性別" else 5, rh, label2, 5.5, 3.5)
        fitted_text(pdf, lx + (10 if label2 != "性別" else 5.5), ry, w2 - (10 if label2 != "性別" else 5.5),
                    rh, value2 or "", 7, 4.5)
    pdf.line(ix, bottom, ix + iw, bottom)
    pdf.set_draw_color(0)
