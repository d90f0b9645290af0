"""Drawing helpers shared by the forms: text fitted to boxes, labelled boxes, Japanese line
breaking with 禁則, cut lines, dotted boxes and crop marks. Coordinates are millimetres."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from fpdf.enums import TextMode

from clerk_tui.domain.wareki import format_wareki
from clerk_tui.forms.data import InsurerInfo, MemberDocument
from clerk_tui.forms.fonts import FormPDF

__all__ = [
    "GREY",
    "LABEL_FILL",
    "WINDOW_BOTTOM",
    "WINDOW_W",
    "WINDOW_X",
    "WINDOW_Y",
    "Fit",
    "addressee",
    "crop_marks",
    "dashed_rect",
    "dotted_rect",
    "draw_text",
    "fit_cell",
    "fit_lines",
    "fit_text",
    "fitted_text",
    "hline",
    "insurer_block",
    "insurer_contact",
    "labelled_box",
    "paragraph",
    "reference_lines",
    "title",
    "wareki",
    "wrap_ja",
]

PT = 25.4 / 72  # millimetres per point
GREY = (90, 90, 90)
LABEL_FILL = (236, 236, 236)
MIN_STRETCH = 60.0  # below this, narrowed characters stop reading as the same typeface

# 禁則: characters that may not start a line (closing brackets, small kana, punctuation, the
# prolonged sound mark) and characters that may not end one (opening brackets).
_NO_LINE_START = set(
    "、。，．,.・：；:;？！?!）」』】〕〉》］｝)]}〟’”ゝゞー"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〻‐゠–〜～…‥%％"
)
_NO_LINE_END = set("（「『【〔〈《［｛([{〝‘“")


def _width(pdf: FPDF, text: str, size: float) -> float:
    """Width in mm at `size` points: FormPDF measures from the font metrics directly."""
    if isinstance(pdf, FormPDF):
        return pdf.text_width(text, size)
    old = pdf.font_size_pt
    pdf.set_font_size(size)
    try:
        return pdf.get_string_width(text)
    finally:
        pdf.set_font_size(old)


@dataclass(frozen=True)
class Fit:
    """How a text was fitted: font size (pt), horizontal scaling (%, 100 = none), width (mm)."""

    size: float
    stretching: float
    width: float


def new_pdf(title_text: str) -> FormPDF:
    """An empty document with its title (shown by PDF viewers)."""
    pdf = FormPDF()
    pdf.set_title(title_text)
    return pdf


def start_page(pdf: FPDF) -> None:
    """A new A4 page, drawing in black."""
    pdf.add_page()
    pdf.set_text_color(0)
    pdf.set_draw_color(0)


def wareki(d: date | None, blank: str = "") -> str:
    """令和7年12月1日: every date on a form is printed in 和暦."""
    return format_wareki(d) if d is not None else blank


def fit_text(pdf: FPDF, text: str, max_width: float, max_size: float, min_size: float) -> Fit:
    """Choose the largest size ≤ max_size at which `text` fits `max_width` and set it on `pdf`.

    Below min_size the text is not shrunk further but narrowed (horizontal scaling, down to
    MIN_STRETCH %), so a long name still fits its box without overflowing; only a text that
    does not fit even then is wider than the box (Fit.width says so)."""
    pdf.set_stretching(100)
    fit = _fit(_width(pdf, text, 1), max_width, max_size, min_size)
    pdf.set_font_size(fit.size)
    pdf.set_stretching(fit.stretching)
    return fit


def _fit(per_pt: float, max_width: float, max_size: float, min_size: float) -> Fit:
    """fit_text's choice for a text `per_pt` mm wide at 1 pt."""
    if per_pt <= 0:
        return Fit(max_size, 100.0, 0.0)
    size = min(max_size, max_width / per_pt)
    size = int(size * 4) / 4  # quarter points, rounded down, so rounding never overflows
    stretching = 100.0
    if size < min_size:
        size = min_size
        # Never above 100 %: rounding down to a quarter point can leave a fitting text just
        # under min_size, and widening it would overflow the box.
        stretching = min(100.0, max(MIN_STRETCH, int(max_width / (per_pt * size) * 1000) / 10))
    return Fit(size, stretching, per_pt * size * stretching / 100)


@contextmanager
def _bold(pdf: FPDF, on: bool, size: float) -> Iterator[None]:
    # The embedded Gothic has no bold face: thicken the outlines with a thin stroke instead.
    # Inside q/Q (local_context): fpdf2 does not reset the text rendering mode after a cell.
    if not on:
        yield
        return
    with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=size * PT * 0.035):
        yield


def draw_text(pdf: FPDF, x: float, y: float, w: float, h: float, text: str, size: float,
              align: str = "L", bold: bool = False) -> None:
    """One line of text in the box (x, y, w, h), vertically centred, at `size` points."""

    def draw() -> None:
        pdf.set_stretching(100)
        pdf.set_font_size(size)
        with _bold(pdf, bold, size):
            pdf.set_xy(x, y)
            pdf.cell(w, h, text, align=align)

    if isinstance(pdf, FormPDF):
        pdf.replayed(("draw", x, y, w, h, text, size, align, bold), draw)
    else:
        draw()


def fitted_text(pdf: FPDF, x: float, y: float, w: float, h: float, text: str, max_size: float,
                min_size: float, align: str = "L", bold: bool = False) -> Fit:
    """draw_text at the size fit_text chooses for the box width."""

    def draw() -> Fit:
        fit = fit_text(pdf, text, w, max_size, min_size)
        with _bold(pdf, bold, fit.size):
            pdf.set_xy(x, y)
            pdf.cell(w, h, text, align=align)
        pdf.set_stretching(100)
        return fit

    if isinstance(pdf, FormPDF):
        if align in ("L", "R") and text:
            # The size and scaling for this text, as fit_text will choose them (its width at 1 pt
            # does not depend on the drawing state): texts that vary from sheet to sheet are
            # written from a template of the first one drawn in the same box at the same size.
            fit = _fit(pdf.text_width(text, 1, stretching=100), w, max_size, min_size)
            return pdf.templated(("fit", x, y, w, h, max_size, min_size, align, bold, fit.size, fit.stretching),
                                 text, draw, fit, right=(x, w, fit.size, fit.stretching) if align == "R" else None)
        return pdf.replayed(("fit", x, y, w, h, text, max_size, min_size, align, bold), draw)
    return draw()


def hline(pdf: FPDF, x1: float, x2: float, y: float, width: float = 0.2) -> None:
    pdf.set_line_width(width)
    pdf.line(x1, y, x2, y)


def labelled_box(pdf: FPDF, x: float, y: float, w: float, h: float, label: str, value: str, *,
                 label_w: float, label_size: float = 8, max_size: float = 11,
                 min_size: float = 6, align: str = "L", pad: float = 1.5,
                 border: bool = True) -> Fit:
    """A table row: a shaded label cell and a value cell; the value shrinks to fit its box."""
    if border:
        pdf.set_line_width(0.2)
        pdf.set_fill_color(*LABEL_FILL)
        pdf.rect(x, y, label_w, h, style="DF")
        pdf.rect(x + label_w, y, w - label_w, h)
    fitted_text(pdf, x + pad, y, label_w - 2 * pad, h, label, label_size, 5)
    return fitted_text(pdf, x + label_w + pad, y, w - label_w - 2 * pad, h, value, max_size,
                       min_size, align=align)


def dashed_rect(pdf: FPDF, x: float, y: float, w: float, h: float, dash: float = 2.0,
                gap: float = 1.2, width: float = 0.3) -> None:
    """A cut line around (x, y, w, h)."""
    pdf.set_line_width(width)
    pdf.set_dash_pattern(dash=dash, gap=gap)
    pdf.rect(x, y, w, h)
    pdf.set_dash_pattern()


def dotted_rect(pdf: FPDF, x: float, y: float, w: float, h: float, width: float = 0.35) -> None:
    """The dotted box the seed describes around the facility QR code."""
    pdf.set_line_width(width)
    pdf.set_dash_pattern(dash=0.35, gap=0.85)
    pdf.rect(x, y, w, h)
    pdf.set_dash_pattern()


def crop_marks(pdf: FPDF, x: float, y: float, w: float, h: float, length: float = 6.0,
               offset: float = 2.0, width: float = 0.2) -> None:
    """Corner crop marks (トンボ) outside the rectangle: lines on the extensions of its edges,
    `offset` mm clear of the corner, so the cut follows them and no mark shows on the card."""
    pdf.set_line_width(width)
    for cx, sx in ((x, -1), (x + w, 1)):
        for cy, sy in ((y, -1), (y + h, 1)):
            pdf.line(cx + sx * offset, cy, cx + sx * (offset + length), cy)
            pdf.line(cx, cy + sy * offset, cx, cy + sy * (offset + length))


def _tokens(text: str) -> list[str]:
    # Runs of ASCII letters, digits and URL punctuation stay whole (a URL or 03-3239-9819 must not
    # break inside); every other character is its own token.
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ch.isascii() and not ch.isspace() and (ch.isalnum() or ch in "-_./:@%#?=&+~"):
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(ch)
    if word:
        tokens.append(word)
    return tokens


def wrap_ja(pdf: FPDF, text: str, width: float) -> list[str]:
    """Break Japanese text into lines no wider than `width` at the current font size, between
    any two characters but never before a 行頭禁則 or after a 行末禁則 character: the break moves
    back and the characters after it go to the next line (追い出し). Newlines start new lines."""
    if isinstance(pdf, FormPDF) and pdf.font_stretching == 100:
        # The metrics are the same in every document: a batch wraps the same notes once.
        return list(_wrap_cached(pdf, text, round(pdf.font_size_pt, 3), round(width, 3)))
    return _wrap(lambda t: _width(pdf, t, pdf.font_size_pt), text, width)


def _wrap_cached(pdf: FormPDF, text: str, size: float, width: float) -> tuple[str, ...]:
    key = (text, size, width)
    lines = _WRAP_CACHE.get(key)
    if lines is None:
        lines = tuple(_wrap(lambda t: pdf.text_width(t, size), text, width))
        if len(_WRAP_CACHE) > 2048:
            _WRAP_CACHE.clear()
        _WRAP_CACHE[key] = lines
    return lines


_WRAP_CACHE: dict[tuple[str, float, float], tuple[str, ...]] = {}


def _may_break(line: list[str], k: int, following: str) -> bool:
    """May the line break before line[k] (`following` when k is past the end)?"""
    after = line[k] if k < len(line) else following
    return after[0] not in _NO_LINE_START and line[k - 1][-1] not in _NO_LINE_END


def _wrap(measure, text: str, width: float) -> list[str]:  # noqa: ANN001 - Callable[[str], float]
    lines: list[str] = []
    for para in text.split("\n"):
        tokens: list[str] = []
        for token in _tokens(para):
            # A run wider than the line (a long URL) is broken where it must.
            tokens.extend(token if len(token) > 1 and measure(token) > width else [token])
        line: list[str] = []
        line_w = 0.0
        for token in tokens:
            tw = measure(token)
            if line and line_w + tw > width:
                k = len(line)
                while k > 1 and not _may_break(line, k, token):
                    k -= 1
                if not _may_break(line, k, token):  # nowhere legal: break where the line is full
                    k = len(line)
                lines.append("".join(line[:k]).rstrip())
                line = line[k:]
                while line and line[0] == " ":
                    line.pop(0)
                line_w = sum(measure(t) for t in line)
                if not line and token == " ":
                    continue
            line.append(token)
            line_w += tw
        lines.append("".join(line).rstrip())
    return lines


def paragraph(pdf: FPDF, x: float, y: float, w: float, text: str, size: float,
              line_height: float | None = None, indent: str = "") -> float:
    """Wrapped text from (x, y); returns the y below the last line. `indent` (such as "・")
    hangs: continuation lines start under the text, not under the bullet."""

    def draw() -> float:
        pdf.set_stretching(100)
        pdf.set_font_size(size)
        lh = line_height if line_height is not None else size * PT * 1.6
        hang = _width(pdf, indent, size) if indent else 0.0
        lines = wrap_ja(pdf, text, w - hang)
        top = y
        for i, line in enumerate(lines):
            if i == 0 and indent:
                pdf.set_xy(x, top)
                pdf.cell(hang, lh, indent)
            pdf.set_xy(x + hang, top)
            pdf.cell(w - hang, lh, line)
            top += lh
        return top

    if isinstance(pdf, FormPDF):
        return pdf.replayed(("paragraph", x, y, w, text, size, line_height, indent), draw)
    return draw()


def insurer_contact(insurer: InsurerInfo) -> str:
    """適用グループ TEL 03-3239-9819 FAX 03-3239-9735"""
    text = f"{insurer.section_name}　TEL {insurer.phone}"
    return text + (f"　FAX {insurer.fax}" if insurer.fax else "")


def insurer_block(pdf: FPDF, insurer: InsurerInfo, x: float, y: float, w: float) -> float:
    """The sender: insurer name, address and the enrolment section's telephone (R15), right-
    aligned in (x, w); returns the y below it."""
    fitted_text(pdf, x, y, w, 5.5, insurer.name, 10.5, 7, align="R")
    fitted_text(pdf, x, y + 5.5, w, 4.2, f"〒{insurer.postal_code}　{insurer.address}", 8, 6, align="R")
    fitted_text(pdf, x, y + 9.7, w, 4.2, insurer_contact(insurer), 8, 6, align="R")
    return y + 14


def reference_lines(pdf: FPDF, x: float, y: float, w: float, rows: list[tuple[str, str]],
                    size: float = 8.5) -> float:
    """Right-aligned 'label value' lines at the top right of a sheet (交付年月日, 番号)."""
    for label, value in rows:
        fitted_text(pdf, x, y, w, 4.5, f"{label}　{value}", size, 6, align="R")
        y += 4.5
    return y


def title(pdf: FPDF, y: float, text: str, size: float = 20, sub: str | None = None) -> float:
    """The document's name centred on the sheet, with a rule under it; returns the y below."""
    pdf.set_text_color(0)
    draw_text(pdf, 15, y, 180, 10, text, size, align="C", bold=True)
    y += 10
    if sub:
        draw_text(pdf, 15, y, 180, 5, sub, 10, align="C")
        y += 5
    hline(pdf, 15, 195, y + 1.5, 0.5)
    hline(pdf, 15, 195, y + 2.3, 0.15)
    return y + 5


# ---------------------------------------------------------------------------------------------
# Several lines in a box, and the addressee of a letter or a copy sent by post


def fit_lines(pdf: FPDF, text: str, width: float, max_size: float, min_size: float,
              max_lines: int) -> tuple[float, list[str]]:
    """Wrap `text` (with 禁則) into at most max_lines lines of `width` mm: smaller down to
    min_size, then wrapped wider and each line narrowed (fitted_text) down to 60 %."""
    pdf.set_stretching(100)  # fit_text may have left it narrowed; wrap_ja measures with it
    size = max_size
    while True:
        pdf.set_font_size(size)
        lines = wrap_ja(pdf, text, width)
        if len(lines) <= max_lines or size <= min_size:
            break
        size = max(min_size, size - 0.5)
    for stretch in (90, 80, 70, 60):
        if len(lines) <= max_lines:
            break
        lines = wrap_ja(pdf, text, width * 100 / stretch)
    return size, lines


def fit_cell(pdf: FPDF, x: float, y: float, w: float, h: float, text: str, max_size: float,
             min_size: float, align: str = "L") -> None:
    """One value in the box (x, y, w, h): one line, shrunk and then narrowed (fitted_text); a text
    too long even so (names and institutions may run to 80–100 characters) takes two or three
    smaller lines inside the same box rather than running out of it."""
    if fit_text(pdf, text, w, max_size, min_size).width <= w + 0.01:
        fitted_text(pdf, x, y, w, h, text, max_size, min_size, align=align)
        return
    max_lines = max(2, int(h / (4.5 * PT * 1.2)))
    # Quarter points: fit_text rounds down to them, and a size rounded below its own minimum
    # would be *widened* to the box (fit_text does not cap the scaling at 100 %).
    size, lines = fit_lines(pdf, text, w, int(min_size * 0.85 * 4) / 4, 4.5, max_lines)
    lh = min(h / len(lines), size * PT * 1.2)
    ty = y + (h - lh * len(lines)) / 2
    for line in lines:
        fitted_text(pdf, x, ty, w, lh, line, size, size, align=align)
        ty += lh


# Where the addressee goes on every A4 sheet the insurer mails: folded in three, the top third
# faces the window of a 長形3号 window envelope (typically about 90 × 45 mm, 13 mm from the top).
WINDOW_X, WINDOW_Y, WINDOW_W = 15.0, 12.0, 90.0
WINDOW_BOTTOM = 58.0  # nothing but the addressee above this at the left: the window shows it


def _address_lines(pdf: FPDF, address: str, width: float, max_lines: int) -> tuple[float, list[str]]:
    """An address in lines, broken where it has spaces (before the building name) when its parts
    fit that way at 9 down to 7 points, else anywhere (fit_lines)."""
    parts = address.split()
    for size in (9.0, 8.5, 8.0, 7.5, 7.0):
        lines: list[str] = []
        for part in parts:
            if lines and _width(pdf, f"{lines[-1]} {part}", size) <= width:
                lines[-1] += f" {part}"
            else:
                lines.append(part)
        if len(lines) > max_lines:
            break  # smaller type does not reduce the number of parts
        if all(_width(pdf, line, size) <= width for line in lines):
            return size, lines
    return fit_lines(pdf, address, width, 9, 7, max_lines)


def addressee(pdf: FPDF, postal_code: str | None, address: str | None, name: str, honorific: str,
              contact: str | None = None, y: float = WINDOW_Y, max_address_lines: int = 4) -> float:
    """The addressee at the top left, where a window envelope shows it: 〒, the address (up to
    max_address_lines lines), the name with 様 or 御中, and for an employer its 担当者; returns
    the y below."""
    x, w = WINDOW_X, WINDOW_W
    if postal_code:
        fitted_text(pdf, x, y, w, 4.8, f"〒{postal_code}", 9, 6)
        y += 4.8
    if address:
        size, lines = _address_lines(pdf, address, w, max_address_lines)
        for line in lines:
            fitted_text(pdf, x, y, w, 4.4, line, size, size)
            y += 4.4
    fit_cell(pdf, x, y + 1.5, w, 8, f"{name}　{honorific}", 13, 8)
    y += 10
    if contact:
        fit_cell(pdf, x + 4, y, w - 4, 5.5, f"{contact}　様", 9.5, 6)
        y += 5.5
    return y


MAIL_ADDRESS_LINES = 3  # 本人送付: the addressee stays inside the window
HEADER_BOTTOM = 41.0  # the title's top below the header of a copy that is not mailed


def document_header(pdf: FPDF, data: MemberDocument, serial_label: str, *, employer_w: float = 95) -> float:
    """The head of a お知らせ or 資格確認書: the addressee at the left (in the envelope window for
    本人送付, else the member's name under the employer's for 事業所経由), the references and the
    insurer at the right. Returns the top of the title."""
    top = HEADER_BOTTOM
    if data.mail_to is not None:
        # 本人送付: the postal address where the window of the envelope shows it, and the rest of
        # the sheet moved down out of the window.
        mail = data.mail_to
        addressee(pdf, mail.postal_code, mail.address, mail.name, "様", max_address_lines=MAIL_ADDRESS_LINES)
        top = WINDOW_BOTTOM
    else:
        if data.employer_name and data.via_employer:
            pdf.set_text_color(*GREY)
            fitted_text(pdf, 15, 12, employer_w, 5, f"{data.employer_name}　経由", 8.5, 6)
            pdf.set_text_color(0)
        fitted_text(pdf, 15, 17, 92, 9, f"{data.name}　様", 15, 9)
    reference_lines(pdf, 105, 12, 90, [("交付年月日", wareki(data.issued_on)), (serial_label, data.serial)])
    insurer_block(pdf, data.insurer, 110, 24, 85)
    return top
