"""Letters and lists: 利用登録解除申請の受付控, 被保険者証滅失届, 督促状, 立替払 不足書類のお知らせ
and the 送付一覧 for the 給付グループ. Plain data in, A4 PDF bytes out."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fpdf import FPDF

from clerk_tui.domain.money import format_yen
from clerk_tui.domain.wareki import format_wareki_month
from clerk_tui.forms.data import InsurerInfo
from clerk_tui.forms.fonts import FormPDF
from clerk_tui.forms.layout import (
    GREY,
    LABEL_FILL,
    PT,
    draw_text,
    fitted_text,
    hline,
    insurer_block,
    insurer_contact,
    paragraph,
    reference_lines,
    title,
    wareki,
    wrap_ja,
)
from clerk_tui.forms.layout import addressee as _addressee
from clerk_tui.forms.layout import fit_cell as _fit_cell
from clerk_tui.forms.layout import fit_lines as _fit_lines
from clerk_tui.forms.letters_data import (
    CancellationReceiptData,
    LossReportData,
    MissingPapersData,
    ReminderData,
    ReminderRow,
    TransmittalData,
    TransmittalRow,
)

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

RECEIPT_TITLE = "利用登録解除申請 受付控"
LOSS_REPORT_TITLE = "被保険者証滅失届"
REMINDER_TITLE = "督促状"
MISSING_PAPERS_TITLE = "療養費（立替払）請求書類の不足について"
TRANSMITTAL_TITLE = "療養費（立替払）請求 送付一覧"

# R12: the three papers, as the letter names them, and what the member must know about each.
PAPER_LABELS = {
    "receipt": "領収書（原本）",
    "medical_statement": "レセプト（診療報酬明細書）",
    "claim_form": "立替払 請求書",
}
_PAPER_NOTES = {
    "receipt": "医療費の全額（10割）を支払ったときの領収書の原本です。コピーでは請求できません。",
    "medical_statement": "受診した医療機関・薬局に発行を依頼してください。会計時に渡される"
                         "「診療明細書」では請求できません。",
    "claim_form": "当組合所定の請求書です。必要事項を記入してご提出ください。",
}

X0, W0 = 15.0, 180.0  # the text column of every sheet
ROW_H = 6.5  # a table row
TABLE_BOTTOM = 282.0  # the lowest a table row may reach (the page number sits below)
NEXT_PAGE_TOP = 26.0
BODY = 9.5  # points: running text
NOTE, NOTE_LH = 8.5, 4.4


# ---------------------------------------------------------------------------------------------
# Shared pieces


def _pdf(title_text: str) -> FormPDF:
    pdf = FormPDF()
    pdf.set_title(title_text)
    return pdf


def _start(pdf: FPDF) -> None:
    pdf.add_page()
    pdf.set_text_color(0)
    pdf.set_draw_color(0)


def _sender(pdf: FPDF, insurer: InsurerInfo, refs: list[tuple[str, str]]) -> float:
    """References (発行日, 番号) at the top right with the insurer under them; returns the y below."""
    y = reference_lines(pdf, 105, 12, 90, refs)
    return insurer_block(pdf, insurer, 110, max(y + 2, 26.0), 85)


def _heading(pdf: FPDF, y: float, text: str) -> float:
    """A section heading (■ 申請内容) above a table."""
    draw_text(pdf, X0, y, W0, 6, f"■ {text}", 10, bold=True)
    return y + 6.5


def _notes(pdf: FPDF, y: float, notes: Sequence[str], bullet: str = "・") -> float:
    for note in notes:
        y = paragraph(pdf, X0 + 2, y, W0 - 2, note, NOTE, line_height=NOTE_LH, indent=bullet)
    return y


def _wrapped_box(pdf: FPDF, x: float, y: float, w: float, label: str, value: str, *, label_w: float,
                 size: float = 10, min_h: float = 7.0, max_lines: int = 5) -> float:
    """A labelled row whose value may take several lines (an address, a reason): the row grows
    with the text, which shrinks to 7.5 pt and then narrows to stay within max_lines; returns
    the y below."""
    pad = 1.5
    inner = w - label_w - 2 * pad
    size, lines = _fit_lines(pdf, value, inner, size, 7.5, max_lines)
    lh = size * PT * 1.45
    h = max(min_h, len(lines) * lh + 2.4)
    pdf.set_line_width(0.2)
    pdf.set_fill_color(*LABEL_FILL)
    pdf.rect(x, y, label_w, h, style="DF")
    pdf.rect(x + label_w, y, w - label_w, h)
    fitted_text(pdf, x + pad, y, label_w - 2 * pad, h, label, 8.5, 5)
    ty = y + (h - len(lines) * lh) / 2
    for line in lines:
        fitted_text(pdf, x + label_w + pad, ty, inner, lh, line, size, size)
        ty += lh
    return y + h


def _labelled(pdf: FPDF, x: float, y: float, w: float, h: float, label: str, value: str, *,
              label_w: float, size: float) -> None:
    """A table row: a shaded label cell and a value cell whose text never leaves its box."""
    pad = 1.5
    pdf.set_line_width(0.2)
    pdf.set_fill_color(*LABEL_FILL)
    pdf.rect(x, y, label_w, h, style="DF")
    pdf.rect(x + label_w, y, w - label_w, h)
    fitted_text(pdf, x + pad, y, label_w - 2 * pad, h, label, 8.5, 5)
    _fit_cell(pdf, x + label_w + pad, y, w - label_w - 2 * pad, h, value, size, 6.5)


def _rows(pdf: FPDF, y: float, rows: Sequence[tuple[str, str]], *, label_w: float = 38, h: float = 7.0,
          size: float = 10.5, x: float = X0, w: float = W0) -> float:
    for label, value in rows:
        _labelled(pdf, x, y, w, h, label, value, label_w=label_w, size=size)
        y += h
    return y


def _pair(pdf: FPDF, y: float, left: tuple[str, str], right: tuple[str, str], *, label_w: float = 38,
          right_label_w: float = 25, h: float = 7.0, size: float = 10.5, split: float = 110) -> float:
    """Two fields on one row: the left takes `split` mm of the width."""
    _labelled(pdf, X0, y, split, h, *left, label_w=label_w, size=size)
    _labelled(pdf, X0 + split, y, W0 - split, h, *right, label_w=right_label_w, size=size)
    return y + h


def _contact_footer(pdf: FPDF, label: str, lines: Sequence[str]) -> None:
    """The お問い合わせ先 at the foot of a letter."""
    top = 286.0 - 5 * len(lines)
    hline(pdf, X0, X0 + W0, top - 2)
    draw_text(pdf, X0, top, 30, 5, label, 8.5, bold=True)
    for i, line in enumerate(lines):
        fitted_text(pdf, X0 + 32, top + 5 * i, W0 - 32, 5, line, 8.5, 6)


def _code(symbol: str, number: str, branch: str) -> str:
    return f"記号 {symbol}　番号 {number}　枝番 {branch}"


def _short_code(code: str) -> str:
    """1234-567-01 → 1234・567・01 (記号・番号・枝番, as the column header reads)."""
    return code.replace("-", "・")


def _checks(choices: Sequence[str], chosen: str) -> str:
    """■紛失　□盗難　…: every choice printed, the recorded one marked."""
    return "　".join(("■" if c == chosen else "□") + c for c in choices)


def _institution(name: str, is_pharmacy: bool) -> str:
    return f"{name}（薬局）" if is_pharmacy and "薬局" not in name else name


# ---------------------------------------------------------------------------------------------
# Tables over several pages


Column = tuple[str, float, str]  # header, width mm, align


def _table_header(pdf: FPDF, y: float, columns: Sequence[Column]) -> float:
    pdf.set_line_width(0.2)
    pdf.set_fill_color(*LABEL_FILL)
    x = X0
    for header, width, _ in columns:
        pdf.rect(x, y, width, ROW_H, style="DF")
        fitted_text(pdf, x + 0.8, y, width - 1.6, ROW_H, header, 8.5, 5.5, align="C")
        x += width
    return y + ROW_H


def _table_rows(pdf: FPDF, y: float, columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> float:
    for values in rows:
        x = X0
        for (_, width, align), value in zip(columns, values, strict=True):
            pdf.rect(x, y, width, ROW_H)
            # 6.5 pt, then narrowed: a 20-character name stays legible in a 30 mm column.
            _fit_cell(pdf, x + 1.3, y, width - 2.6, ROW_H, value, 9, 6.5, align=align)
            x += width
        y += ROW_H
    return y


def _paginate(count: int, first: int, following: int, tail: int) -> list[tuple[int, int]]:
    """Row ranges per page: `first` rows fit on the first page, `following` on the others, and
    the last page keeps `tail` row heights free (totals, 受領欄); rows move to a new page rather
    than the tail standing there alone."""
    pages: list[tuple[int, int]] = []
    start, cap = 0, max(1, first)
    while True:
        end = min(count, start + cap)
        pages.append((start, end))
        if end >= count:
            break
        start, cap = end, following
    start, end = pages[-1]
    room = (first if len(pages) == 1 else following) - (end - start)
    if room < tail:
        move = min(max(1, tail - room), end - start)
        pages[-1] = (start, end - move)
        pages.append((end - move, end))
    return pages


def _paged_table(pdf: FPDF, y: float, columns: Sequence[Column], rows: Sequence[Sequence[str]], *,
                 tail_h: float, refs: list[tuple[str, str]], continued: str,
                 tail: Callable[[FPDF, float], None]) -> None:
    """Draw the table from `y` on the current (first) page and on as many pages as it needs: each
    with the header row again, a grey line naming the letter and 頁 n / N; `tail` draws what
    follows the last row (totals, 以上, 受領欄) in `tail_h` mm."""
    first = int((TABLE_BOTTOM - y) // ROW_H) - 1
    following = int((TABLE_BOTTOM - NEXT_PAGE_TOP) // ROW_H) - 1
    pages = _paginate(len(rows), first, following, -(-int(tail_h * 10) // int(ROW_H * 10)))
    total = len(pages)
    for n, (start, end) in enumerate(pages, 1):
        if n > 1:
            pdf.add_page()
            pdf.set_text_color(*GREY)
            _fit_cell(pdf, X0, 12, 88, 5, continued, 9, 6)
            pdf.set_text_color(0)
            reference_lines(pdf, 105, 12, 90, refs)
            y = NEXT_PAGE_TOP
        y = _table_header(pdf, y, columns)
        numbered = [(str(i + 1), *rows[i]) for i in range(start, end)]
        y = _table_rows(pdf, y, columns, numbered)
        if n == total:
            tail(pdf, y)
        else:
            fitted_text(pdf, X0, y + 0.5, W0, 5, "（次頁に続く）", 8.5, 6, align="R")
        pdf.set_text_color(*GREY)
        draw_text(pdf, X0, 287, W0, 5, f"{n} / {total}", 8, align="C")
        pdf.set_text_color(0)


# ---------------------------------------------------------------------------------------------
# 1. 利用登録解除申請 受付控 (R7)


def render_cancellation_receipt(data: CancellationReceiptData) -> bytes:
    """The 受付控 as PDF bytes (one A4 page)."""
    pdf = _pdf(f"{RECEIPT_TITLE} {data.reference}")
    _start(pdf)
    top = _addressee(pdf, None, data.applicant_address, data.applicant_name, "様")
    _sender(pdf, data.insurer, [("発行日", wareki(data.issued_on)), ("受付番号", data.reference)])

    y = title(pdf, max(46, top + 3), RECEIPT_TITLE, size=18, sub="（マイナンバーカードの健康保険証利用登録の解除）")
    withdrawn = data.withdrawn_on is not None
    y = paragraph(pdf, X0, y + 1, W0,
                  f"{data.insurer.name}は、下記のとおり、マイナンバーカードの健康保険証としての利用登録の"
                  "解除申請を受け付けました。この受付控は大切に保管してください。", BODY)

    y = _heading(pdf, y + 2, "申請の内容")
    y = _rows(pdf, y, [("記号・番号・枝番", _code(data.symbol, data.number, data.branch)),
                       ("氏名", data.applicant_name)], size=11)
    y = _rows(pdf, y, [("生年月日", wareki(data.applicant_birth_date))])
    y = _wrapped_box(pdf, X0, y, W0, "住所", data.applicant_address or "（記載なし）", label_w=38)
    y = _rows(pdf, y, [("連絡先", data.applicant_phone or "（記載なし）")])
    y = _wrapped_box(pdf, X0, y, W0, "申請の理由", data.reason or "（記載なし）", label_w=38, size=9.5)
    if data.proxy_name:
        y = _pair(pdf, y, ("代理人氏名", data.proxy_name), ("本人との関係", data.proxy_relationship or ""))
    else:
        y = _rows(pdf, y, [("代理人", "なし（ご本人による申請）")])
    if data.legacy_card_at_hand is not None:
        card = "手元にあり" if data.legacy_card_at_hand else "紛失（被保険者証滅失届が必要です）"
        y = _rows(pdf, y, [("健康保険証", card)])

    y = _heading(pdf, y + 4, "受付・処理の状況")
    stamp = 24.0  # the 受付印 box at the right of this table
    tw = W0 - stamp - 3
    effective = ("取下げのため解除されません" if withdrawn
                 else f"{wareki(data.effective_on)}（受付月の翌月末日）")
    status = data.status_label + (f"（{wareki(data.withdrawn_on)}）" if withdrawn else "")
    top = y
    y = _rows(pdf, y, [("受付日", wareki(data.received_on)), ("解除予定日", effective), ("状況", status)],
              w=tw, size=11)
    sx = X0 + W0 - stamp
    pdf.set_line_width(0.2)
    pdf.rect(sx, top, stamp, y - top)
    pdf.set_text_color(*GREY)
    draw_text(pdf, sx, top + 0.5, stamp, 4, "受付印", 7, align="C")
    pdf.set_text_color(0)

    y = _heading(pdf, y + 4, "ご案内")
    if withdrawn:
        notes = [f"この申請は{wareki(data.withdrawn_on)}に取り下げられました。利用登録は解除されません。"]
    else:
        notes = [
            f"利用登録の解除は、原則として受付月の翌月末日（{wareki(data.effective_on)}）に行われます。",
            "解除が完了しても、当組合から完了のお知らせはお送りしません。解除されたことは、"
            "マイナポータルでご確認ください。",
            ("資格確認書はお手元にあります。有効期限まで、その資格確認書で受診できます。"
             if data.certificate_in_hand else
             "解除の受付後、資格確認書をお勤め先（事業所）を経由してお送りします。改めて申請して"
             "いただく必要はありません。"),
        ]
        if data.needs_loss_report:
            notes.append("お手元に健康保険証がない場合は、被保険者証滅失届の提出が必要です。届が届き次第、"
                         "手続きを進めます。")
    notes.append("再び健康保険証として利用登録をするときは、マイナポータル、金融機関のATM、医療機関・薬局の"
                 "カードリーダーなどで、ご本人が行ってください（当組合では登録できません）。")
    _notes(pdf, y, notes)

    ins = data.insurer
    _contact_footer(pdf, "お問い合わせ先", [f"{ins.name}　{insurer_contact(ins)}",
                                          f"〒{ins.postal_code}　{ins.address}"])
    return bytes(pdf.output())


# ---------------------------------------------------------------------------------------------
# 2. 被保険者証滅失届 (R8)


def render_loss_report(data: LossReportData) -> bytes:
    """The 滅失届 filled in from the record, with the 署名欄 and date left for the member."""
    pdf = _pdf(f"{LOSS_REPORT_TITLE} {data.reference}")
    _start(pdf)
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


# ---------------------------------------------------------------------------------------------
# 3. 督促状 per employer (R9)


_REMINDER_COLUMNS: tuple[Column, ...] = (
    ("No.", 8, "R"),
    ("記号・番号・枝番", 25, "L"),
    ("氏名", 36, "L"),
    ("書類", 24, "L"),
    ("交付番号", 24, "L"),
    ("喪失日", 24, "L"),
    ("経過日数", 14, "R"),
    ("前回督促日", 25, "L"),
)


def _reminder_row(r: ReminderRow) -> tuple[str, ...]:
    return (_short_code(r.code), r.name, r.document_label, r.serial, wareki(r.lost_on), f"{r.days}日",
            wareki(r.last_reminded_on, blank="なし"))


def render_reminder(data: ReminderData) -> bytes:
    """The 督促状: the request, then every outstanding document in a table over as many pages
    as it needs."""
    pdf = _pdf(f"{REMINDER_TITLE} {data.employer_code} {data.reference}")
    _start(pdf)
    top = _addressee(pdf, data.employer_postal_code, data.employer_address, data.employer_name, "御中",
                     contact=data.employer_contact)
    refs = [("発行日", wareki(data.issued_on)), ("文書番号", data.reference)]
    _sender(pdf, data.insurer, refs)

    y = title(pdf, max(48, top + 3), REMINDER_TITLE, size=20, sub="（資格喪失者の資格確認書等の返却について）")
    y = paragraph(
        pdf, X0, y + 1, W0,
        "平素より当組合の事業運営にご協力いただき、厚く御礼申し上げます。さて、下記の方々は資格を喪失"
        "されていますが、本日現在、資格確認書等の返却が確認できておりません。お手数をおかけしますが、"
        "ご本人から回収のうえ、至急当組合へご返却くださいますようお願いいたします。", BODY)
    y += 1
    y = _notes(pdf, y, [
        f"資格喪失届は、資格喪失日から{data.return_within_days}日以内に、回収した資格確認書等を添えて"
        "ご提出いただくことになっています。",
        "紛失などで回収できない場合は、被保険者証滅失届または回収不能届をご提出ください。",
        "本状と行き違いでご返却いただいている場合は、ご容赦ください。",
    ], bullet="※")
    draw_text(pdf, X0, y + 1, W0, 6, f"未返却の書類：{len(data.rows)}件", 10, bold=True)
    y += 8

    def tail(pdf: FPDF, y: float) -> None:
        draw_text(pdf, X0, y + 1.5, W0, 6, "以上", 10, align="R")

    _paged_table(pdf, y, _REMINDER_COLUMNS, [_reminder_row(r) for r in data.rows], tail_h=ROW_H,
                 refs=refs, continued=f"{data.employer_name}　御中　督促状（続き）", tail=tail)
    return bytes(pdf.output())


# ---------------------------------------------------------------------------------------------
# 4. 立替払 不足書類のお知らせ (R12)


def render_missing_papers(data: MissingPapersData) -> bytes:
    """The letter to the insured person naming the missing papers of one claim (one A4 page)."""
    pdf = _pdf(f"{MISSING_PAPERS_TITLE} {data.reference}")
    _start(pdf)
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


# ---------------------------------------------------------------------------------------------
# 5. 送付一覧 for the 給付グループ (R12)


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
    pdf = _pdf(f"送付一覧 {data.reference}")
    _start(pdf)
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
