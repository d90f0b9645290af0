"""資格情報のお知らせ (R1, R2, R14): an A4 notice with a card-size part to cut out, a QR code to
マイナポータル in the centre and the facility QR code in a dotted box at the bottom right."""

from __future__ import annotations


from fpdf import FPDF

from clerk_tui.forms.data import MASKED_RATIO, NoticeData, code_text, ratio_text
from clerk_tui.forms.fonts import FormPDF
from clerk_tui.forms.layout import (
    GREY,
    dashed_rect,
    document_header,
    dotted_rect,
    draw_text,
    fitted_text,
    insurer_contact,
    labelled_box,
    new_pdf,
    paragraph,
    start_page,
    title,
    wareki,
    wrap_ja,
)
from clerk_tui.forms.qr import draw_qr

__all__ = ["CARD_H", "CARD_W", "CARD_X", "CARD_Y", "FACILITY_BOX", "PORTAL_QR", "draw_notice",
           "render_notice"]

KIND_LABEL = "資格情報のお知らせ"
CARD_W, CARD_H = 85.6, 54.0  # ISO/IEC 7810 ID-1, the size of the My Number card it travels with
CARD_X, CARD_Y = 15.0, 236.0
FACILITY_BOX = (118.0, 236.0, 77.0, 54.0)  # x, y, w, h of the dotted box
PORTAL_QR = (91.0, 203.0, 28.0)  # x, y, size: centred on the sheet
FACILITY_QR_SIZE = 32.0
NOTE_SIZE, NOTE_LH, NOTE_W = 8.5, 4.3, 176.0  # the notes: points, line height and width in mm


def render_notice(data: NoticeData) -> bytes:
    """The お知らせ as PDF bytes (one A4 page)."""
    pdf = new_pdf(f"{KIND_LABEL} {data.serial}")
    draw_notice(pdf, data)
    return bytes(pdf.output())


def _code_text(data: NoticeData) -> str:
    return f"記号 {data.symbol}　番号 {data.number}　枝番 {data.branch}"


def draw_notice(pdf: FormPDF, data: NoticeData) -> None:
    """Add the お知らせ as a new page of `pdf` (used by render_notice and batches)."""
    start_page(pdf)

    # Header: addressee at the left, references and the sender at the right.
    top = document_header(pdf, data, "通知番号")

    y = title(pdf, top, KIND_LABEL)
    y = paragraph(
        pdf, 15, y + 1, 180,
        f"あなたの健康保険の資格情報（{data.insurer.name}に登録されている内容）は、下記の"
        "とおりです。医療機関・薬局を受診するときは、原則としてマイナ保険証（健康保険証として"
        "利用登録したマイナンバーカード）をご利用ください。",
        9.5,
    )

    # The registered data (R2), then the notes; the rows give up height when the notes need it
    # (a long insurer name or contact), so the notes never reach the centre QR code.
    kind = "被扶養者（家族）" if data.is_dependent else "被保険者（本人）"
    rows: list[tuple[str, str]] = [("本人・家族の別", kind)]
    if data.is_dependent:
        rows.append(("被保険者氏名", data.insured_name or ""))
    rows += [
        ("記号・番号・枝番", _code_text(data)),
        ("保険者番号", data.insurer.number),
        ("保険者名称", data.insurer.name),
        ("資格取得年月日", wareki(data.acquired_on)),
        ("負担割合", ratio_text(data)),
        ("事業所名称", data.employer_name),
    ]
    notes = _notes(data)
    pdf.set_font_size(NOTE_SIZE)
    note_lines = sum(len(wrap_ja(pdf, note, NOTE_W - pdf.text_width("・"))) for note in notes)
    y += 2
    room = PORTAL_QR[1] - 2 - y - 10 - note_lines * NOTE_LH  # 10: the gap and the ご注意 heading
    h = min(7.2, room / (len(rows) + 3))
    if h < 5.5:
        raise ValueError("お知らせの記載内容が長すぎて1ページに収まりません（保険者名・連絡先を確認してください）")

    x, w, lw = 15.0, 180.0, 40.0
    for label, value in (("フリガナ", data.name_kana), ("氏名", data.name)):
        labelled_box(pdf, x, y, w, h, label, value, label_w=lw, label_size=9,
                     max_size=12 if label == "氏名" else 9, min_size=6.5)
        y += h
    half = w / 2
    labelled_box(pdf, x, y, half, h, "生年月日", wareki(data.birth_date), label_w=lw, label_size=9)
    labelled_box(pdf, x + half, y, half, h, "性別", data.sex_label, label_w=25, label_size=9)
    y += h
    for label, value in rows:
        labelled_box(pdf, x, y, w, h, label, value, label_w=lw, label_size=9, max_size=11,
                     min_size=6.5)
        y += h

    y += 4
    draw_text(pdf, 15, y, 60, 5, "ご注意", 10, bold=True)
    y += 6
    for note in notes:
        y = paragraph(pdf, 17, y, NOTE_W, note, NOTE_SIZE, line_height=NOTE_LH, indent="・")

    _portal_qr(pdf, data, y)
    _card(pdf, data)
    _facility(pdf, data)


def _notes(data: NoticeData) -> list[str]:
    """The notes, as the insurer's own explanations put them (seed: 注意事項, R2)."""
    short = data.insurer.short_name or "当組合"
    return [
        "このお知らせだけでは、医療機関等を受診することはできません。",
        "システム障害などでマイナ保険証を読み取れないときは、下の切り取り部分をマイナンバー"
        "カードと一緒に提示してください。切り取って、マイナンバーカードと一緒に携帯してください。",
        f"負担割合は、交付時点で70歳以上の方にのみ表示しています。70歳未満の方は「{MASKED_RATIO}」"
        "と表示しています。",
        f"記号・番号は、{short}への申請や、保養施設・健康診断などのお申込みに必要です。",
        "このお知らせは回収しません。不要になったときは、個人情報を含むため、ご本人で破棄してください。",
        f"記載内容に誤りがあるときは、お勤め先を通じて{data.insurer.name}（{insurer_contact(data.insurer)}）"
        "へお申し出ください。",
    ]


def _portal_qr(pdf: FPDF, data: NoticeData, notes_end: float) -> None:
    qx, qy, qs = PORTAL_QR
    assert notes_end <= qy - 1, notes_end  # guaranteed by the row height chosen in draw_notice
    draw_qr(pdf, data.mynaportal_url, qx, qy, qs)
    pdf.set_text_color(*GREY)
    draw_text(pdf, 15, qy + 8, qx - 18, 4.5, "マイナポータルへのアクセス・", 8, align="R")
    draw_text(pdf, 15, qy + 12.5, qx - 18, 4.5, "資格情報の確認はこちら →", 8, align="R")
    pdf.set_text_color(0)


def _card(pdf: FPDF, data: NoticeData) -> None:
    """The card-size part: what the member cuts out and carries with the My Number card."""
    x, y, w, h = CARD_X, CARD_Y, CARD_W, CARD_H
    pdf.set_text_color(*GREY)
    draw_text(pdf, x, y - 5, w, 4, "-- 切り取り線（破線）に沿って切り取ってください --", 7)
    pdf.set_text_color(0)
    pdf.set_draw_color(0)
    dashed_rect(pdf, x, y, w, h)

    ix, iw = x + 2.5, w - 5
    draw_text(pdf, ix, y + 1.5, 45, 6, KIND_LABEL, 9.5, bold=True)
    fitted_text(pdf, ix + 40, y + 1.5, iw - 40, 6, f"交付 {wareki(data.issued_on)}", 6.5, 5,
                align="R")
    rows: list[tuple[str, str]] = [("氏名", data.name)]
    if data.is_dependent:
        rows.append(("被保険者氏名", data.insured_name or ""))
    rows += [
        ("生年月日", f"{wareki(data.birth_date)}　{data.sex_label}"),
        ("記号・番号", code_text(data)),
        ("保険者番号", data.insurer.number),
        ("保険者名称", data.insurer.name),
        ("資格取得年月日", wareki(data.acquired_on)),
        ("負担割合", ratio_text(data)),
    ]
    top, bottom = y + 8, y + h - 6
    rh = (bottom - top) / len(rows)
    pdf.set_draw_color(150)
    for i, (label, value) in enumerate(rows):
        ry = top + i * rh
        pdf.set_line_width(0.1)
        pdf.line(ix, ry, ix + iw, ry)
        fitted_text(pdf, ix, ry, 19, rh, label, 6, 4.5)
        fitted_text(pdf, ix + 20, ry, iw - 20, rh, value, 9 if label == "氏名" else 7.5, 5.5)
    pdf.line(ix, bottom, ix + iw, bottom)
    pdf.set_draw_color(0)
    fitted_text(pdf, ix, bottom + 0.3, iw, 5,
                "※このお知らせのみでは受診できません。マイナンバーカードと一緒に提示してください。", 5.5, 4)


def _facility(pdf: FPDF, data: NoticeData) -> None:
    """R14: the facility QR code carries only the opaque code, never 記号・番号 (R2)."""
    bx, by, bw, bh = FACILITY_BOX
    dotted_rect(pdf, bx, by, bw, bh)
    short = data.insurer.short_name or "当組合"
    fitted_text(pdf, bx + 2, by + 1.5, bw - 4, 5, f"施設利用時の本人確認用（{short}施設専用）", 8, 6,
                align="C", bold=True)
    qs = FACILITY_QR_SIZE
    qx, qy = bx + (bw - qs) / 2, by + 8
    draw_qr(pdf, data.facility_code, qx, qy, qs, error="q")
    pdf.set_text_color(*GREY)
    fitted_text(pdf, bx + 2, qy + qs + 0.5, bw - 4, 4, data.facility_code, 6.5, 4.5, align="C")
    fitted_text(pdf, bx + 2, qy + qs + 4.5, bw - 4, 4,
                "保養所・健診・イベント等の受付でご提示ください", 6.5, 4.5, align="C")
    pdf.set_text_color(0)
