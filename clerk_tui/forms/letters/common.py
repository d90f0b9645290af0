"""What the letters share: the sheet, the sender block, labelled rows and boxes, and tables that
continue over several pages. Each letter has its own module beside this one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fpdf import FPDF

from clerk_tui.forms.data import InsurerInfo
from clerk_tui.forms.layout import (GREY, LABEL_FILL, PT, draw_text, fitted_text, hline, insurer_block,
                                    paragraph, reference_lines)
from clerk_tui.forms.layout import fit_cell as _fit_cell
from clerk_tui.forms.layout import fit_lines as _fit_lines


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
