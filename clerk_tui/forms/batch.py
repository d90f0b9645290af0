"""Batches sent via one employer (事業所経由): one PDF with a cover sheet (送付書) listing its
contents, then one page per document; fonts are loaded and embedded once for the whole file. A
large batch comes as several such files (分冊), each with the 送付書 of its own part."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, time, timedelta, timezone

from fpdf import FPDF

from clerk_tui.forms.certificate import draw_certificate
from clerk_tui.forms.data import CertificateData, CoverEntry, CoverSheetData, NoticeData
from clerk_tui.forms.fonts import FormPDF
from clerk_tui.forms.notice import draw_notice
from clerk_tui.forms.layout import (
    GREY,
    LABEL_FILL,
    draw_text,
    fitted_text,
    insurer_block,
    paragraph,
    reference_lines,
    title,
    wareki,
)

__all__ = ["draw_cover", "render_batch"]

ROW_H = 6.5
TABLE_BOTTOM = 285.0  # mm: the lowest a table row may reach
NEXT_PAGE_TOP = 24.0
NEXT_PAGE_ROWS = int((TABLE_BOTTOM - NEXT_PAGE_TOP) // ROW_H) - 1  # the header row repeats
_COLUMNS = (  # (header, width mm, align)
    ("No.", 12, "R"),
    ("記号・番号・枝番", 36, "L"),
    ("氏名", 58, "L"),
    ("書類", 34, "L"),
    ("交付番号", 40, "L"),
)


JST = timezone(timedelta(hours=9), "JST")


def render_batch(cover: CoverSheetData, documents: Sequence[CertificateData | NoticeData]) -> bytes:
    """The 送付書 followed by one sheet per document (資格確認書 or お知らせ), as one PDF. The same
    data gives the same bytes (the file's creation date is the sending day), whichever process
    renders it."""
    if not documents:
        raise ValueError("送付する書類がありません")
    if len(cover.entries) != len(documents):
        raise ValueError(f"送付書の明細（{len(cover.entries)}件）と書類（{len(documents)}件）の数が違います")
    for entry, doc in zip(cover.entries, documents, strict=True):
        if entry.serial != doc.serial:
            raise ValueError(f"送付書の明細と書類の順序が違います（{entry.serial} / {doc.serial}）")
    pdf = FormPDF()
    title_text = f"送付書 {cover.employer_name} {wareki(cover.issued_on)}"
    pdf.set_title(title_text if cover.parts == 1 else f"{title_text} 分冊{cover.part}/{cover.parts}")
    pdf.set_creation_date(datetime.combine(cover.issued_on, time(0), JST))
    draw_cover(pdf, cover)
    for doc in documents:
        if isinstance(doc, NoticeData):
            draw_notice(pdf, doc)
        else:
            draw_certificate(pdf, doc)
    return bytes(pdf.output())


def draw_cover(pdf: FPDF, cover: CoverSheetData) -> None:
    """The 送付書: addressed to the employer, the counts per kind and a line per document."""
    entries = list(cover.entries)
    refs = [("送付日", wareki(cover.issued_on))]
    part = f"分冊 {cover.part}/{cover.parts}" if cover.parts > 1 else ""
    if cover.serial:
        refs.append(("送付番号", f"{cover.serial}　{part}".rstrip("　")))
    elif part:
        refs.append(("送付番号", part))

    pdf.add_page()
    pdf.set_text_color(0)
    pdf.set_draw_color(0)
    y = 12.0
    if cover.employer_postal_code:
        fitted_text(pdf, 15, y, 92, 5, f"〒{cover.employer_postal_code}", 9, 6)
        y += 5
    if cover.employer_address:
        fitted_text(pdf, 15, y, 92, 5, cover.employer_address, 9, 6)
        y += 5
    fitted_text(pdf, 15, y + 1, 92, 8, f"{cover.employer_name}　御中", 13, 8)
    y += 9
    if cover.employer_contact:
        fitted_text(pdf, 15, y, 92, 6, f"ご担当　{cover.employer_contact}　様", 10, 6)
    insurer_block(pdf, cover.insurer, 110, 27, 85)

    y = title(pdf, 44, "送付書", sub=_subtitle(entries))
    y = paragraph(
        pdf, 15, y + 1, 180,
        "平素より当組合の事業運営にご協力いただき、ありがとうございます。下記の書類を送付いたします"
        "ので、内容をご確認のうえ、各加入員の方へお渡しください。",
        9.5,
    )
    counts = Counter(e.kind_label for e in entries)
    summary = "、".join(f"{kind} {n}件" for kind, n in counts.items())
    draw_text(pdf, 15, y + 1, 180, 6, f"送付内容：{summary}（計 {len(entries)}件）", 10, bold=True)
    y += 7
    if cover.parts > 1:
        last = cover.first_number + len(entries) - 1
        whole = cover.total if cover.total is not None else last
        draw_text(pdf, 15, y, 180, 5,
                  f"分冊 {cover.part} / {cover.parts}（No. {cover.first_number}〜{last}、全{cover.parts}分冊で計 "
                  f"{whole}件）", 9.5)
        y += 6
    y += 2

    notes = []
    if "資格確認書" in counts:
        notes.append("資格確認書は、有効期限内に退職（資格喪失）または扶養削除となったときは回収し、"
                     "資格喪失届などに添えて当組合へ返却してください。")
    if "資格情報のお知らせ" in counts:
        notes.append("資格情報のお知らせは回収の必要はありません（不要になったときはご本人が破棄します）。")
    notes.append("個人情報を含みますので、取扱いにご注意ください。")
    for note in notes:
        y = paragraph(pdf, 17, y, 176, note, 8.5, line_height=4.3, indent="※")
    y += 2

    # The first page holds what fits below the notes; the page count is known only then.
    first_rows = max(1, int((TABLE_BOTTOM - y) // ROW_H) - 1)
    pages = 1 + -(-max(0, len(entries) - first_rows) // NEXT_PAGE_ROWS)
    reference_lines(pdf, 105, 12, 90, refs + [("頁", f"1 / {pages}")])
    first = entries[:first_rows]
    _table(pdf, y, first, cover.first_number)
    done = len(first)
    page = 1
    while done < len(entries):
        page += 1
        pdf.add_page()
        reference_lines(pdf, 105, 12, 90, refs[:1] + [("頁", f"{page} / {pages}　{part}".rstrip("　"))])
        pdf.set_text_color(*GREY)
        fitted_text(pdf, 15, 12, 90, 5, f"{cover.employer_name}　御中　送付書（続き）", 9, 6)
        pdf.set_text_color(0)
        chunk = entries[done:done + NEXT_PAGE_ROWS]
        _table(pdf, NEXT_PAGE_TOP, chunk, cover.first_number + done)
        done += len(chunk)


def _subtitle(entries: list[CoverEntry]) -> str:
    kinds = list(dict.fromkeys(e.kind_label for e in entries))
    return "（" + "・".join(kinds) + "の送付について）"


def _table(pdf: FPDF, y: float, rows: list[CoverEntry], start: int) -> None:
    x0 = 15.0
    pdf.set_line_width(0.2)
    pdf.set_fill_color(*LABEL_FILL)
    x = x0
    for header, width, _ in _COLUMNS:
        pdf.rect(x, y, width, ROW_H, style="DF")
        draw_text(pdf, x, y, width, ROW_H, header, 8.5, align="C")
        x += width
    y += ROW_H
    for n, entry in enumerate(rows, start):
        x = x0
        values = (str(n), entry.code, entry.name, entry.kind_label, entry.serial)
        for (_, width, align), value in zip(_COLUMNS, values, strict=True):
            pdf.rect(x, y, width, ROW_H)
            fitted_text(pdf, x + 1.5, y, width - 3, ROW_H, value, 9, 5.5, align=align)
            x += width
        y += ROW_H
