"""The embedded fonts: IPAexGothic plus a TrueType fallback for the name characters it lacks, each
parsed once per process and attached to every document, which embeds only the glyphs it uses."""

from __future__ import annotations

import copy
import operator
import re
import threading
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph as TTGlyph
from fpdf import FPDF
from fpdf.enums import PDFResourceType
from fpdf.fonts import Glyph, SubsetMap, TTFFont

from clerk_tui.domain.errors import DomainError

__all__ = [
    "FALLBACK",
    "FALLBACK_FILE",
    "FormPDF",
    "PRIMARY",
    "PRIMARY_FILE",
    "UnprintableText",
    "printable",
    "unprintable_chars",
]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
PRIMARY_FILE = FONT_DIR / "ipaexg.ttf"  # IPAexGothic, IPA Font License v1.0
FALLBACK_FILE = FONT_DIR / "ClerkNameFallback.ttf"  # JIS X 0213 + 𠮷 from Noto Sans CJK JP, OFL 1.1
PRIMARY = "ipaexg"
FALLBACK = "namefallback"

# Variation selectors (IVS such as 葛󠄀): neither font maps them, and the base character is the
# registered character; printing it without the selector beats failing the whole document.
_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# Control characters never belong on a form; line breaks are laid out by the caller.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class UnprintableText(DomainError):
    """A text has characters that no embedded font can draw (they would print as empty boxes)."""

    def __init__(self, chars: str, text: str) -> None:
        shown = "、".join(f"「{c}」(U+{ord(c):04X})" for c in chars)
        super().__init__(f"帳票に印字できない文字があります: {shown}（「{text}」）", field=None)
        self.chars = chars
        self.text = text

    def __reduce__(self):
        # Raised in a batch's drawing process and sent back to the batch process: rebuilt from
        # its own arguments (the default would pass only the message).
        return (type(self), (self.chars, self.text))


def printable(text: str) -> str:
    """The text as drawn: variation selectors and control characters removed."""
    return _CONTROLS.sub("", _SELECTORS.sub("", text))


class _FontTemplate:
    """One font file parsed once (the slow part, ≈0.1 s for IPAex): per document, a light copy of
    fpdf2's TTFFont with its own subset map, and at output a small TrueType holding just the used
    glyphs, built from the raw glyph data, so fpdf2's subsetter works on a few hundred glyphs
    instead of twelve thousand."""

    def __init__(self, path: Path, family: str) -> None:
        loader = FPDF()
        loader.add_font(family, "", str(path))
        self.family = family
        self.font: TTFFont = loader.fonts[family]  # type: ignore[assignment]
        self.cmap: dict[int, str] = self.font.cmap
        tt = self.font.ttfont
        self._glyf = tt["glyf"]
        self._hmtx = tt["hmtx"].metrics
        self._upem = tt["head"].unitsPerEm
        self._head = {k: getattr(tt["head"], k) for k in ("xMin", "yMin", "xMax", "yMax", "flags")}
        hhea = tt["hhea"]
        self._hhea = {"ascent": hhea.ascent, "descent": hhea.descent, "lineGap": hhea.lineGap}
        os2 = tt["OS/2"]
        self._os2 = {
            k: getattr(os2, k)
            for k in ("sTypoAscender", "sTypoDescender", "sTypoLineGap", "usWinAscent",
                      "usWinDescent", "usWeightClass", "fsType")
        }
        # Hinting programs are tiny and glyph instructions may call them, so they travel along,
        # with the whole font's maxp limits (valid upper bounds for any subset).
        self._copied = {tag: tt[tag] for tag in ("maxp", "fpgm", "prep", "cvt ", "gasp") if tag in tt}
        self._raw: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def attach(self, pdf: FPDF) -> TTFFont:
        """Register this font in `pdf` without parsing the file again."""
        src = self.font
        font = TTFFont.__new__(TTFFont)
        for slot in TTFFont.__slots__:
            if hasattr(src, slot):
                setattr(font, slot, getattr(src, slot))
        # Per-document state: everything the drawing code writes to.
        font.i = len(pdf.fonts) + 1
        font.desc = copy.copy(src.desc)  # fpdf2 sets the PDF object id and font file on it
        font.ttfont = None  # built at output from the glyphs used (see FormPDF.output)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None
        font.color_font = None
        font.subset = SubsetMap(font)
        pdf.fonts[self.family] = font
        return font

    def _glyph_data(self, name: str) -> bytes:
        data = self._raw.get(name)
        if data is None:
            with self._lock:
                glyph = self._glyf.glyphs[name]
                data = glyph.data if hasattr(glyph, "data") else glyph.compile(self._glyf)
                if len(data) >= 2 and int.from_bytes(data[:2], "big", signed=True) < 0:
                    # A composite glyph refers to its parts by glyph id in the whole font; neither
                    # font has any, so a new font file must be checked before it is used here.
                    raise ValueError(f"{self.family}: composite glyph {name!r} is not supported")
                self._raw[name] = data
        return data

    def subset_font(self, glyphs: list[Glyph]) -> TTFont:
        """A TrueType font with exactly these glyphs, under their names in the full font."""
        order = {".notdef": None}
        cmap: dict[int, str] = {}
        for glyph in glyphs:
            order[glyph.glyph_name] = None
            for cp in glyph.unicode:
                if cp and self.cmap.get(cp) == glyph.glyph_name:
                    cmap[cp] = glyph.glyph_name
        names = list(order)
        fb = FontBuilder(self._upem, isTTF=True)
        fb.font.recalcBBoxes = False  # keep the raw glyph data as it is; bounds are inside it
        fb.setupGlyphOrder(names)
        fb.setupCharacterMap(cmap)
        fb.font["loca"] = newTable("loca")
        glyf = newTable("glyf")
        glyf.glyphs = {name: TTGlyph(self._glyph_data(name)) for name in names}
        glyf.glyphOrder = names
        fb.font["glyf"] = glyf
        fb.setupHorizontalMetrics({name: self._hmtx[name] for name in names})
        fb.setupHorizontalHeader(**self._hhea)
        fb.setupHead(unitsPerEm=self._upem, **self._head)
        fb.setupOS2(**self._os2)
        fb.setupNameTable({"familyName": self.font.name, "styleName": "Regular"}, mac=False)
        fb.setupPost()
        for tag, table in self._copied.items():
            fb.font[tag] = copy.deepcopy(table)
        fb.font["maxp"].numGlyphs = len(names)
        return fb.font


_templates: dict[str, _FontTemplate] = {}
_templates_lock = threading.Lock()


def _template(family: str) -> _FontTemplate:
    template = _templates.get(family)
    if template is None:
        with _templates_lock:
            template = _templates.get(family)
            if template is None:
                path = PRIMARY_FILE if family == PRIMARY else FALLBACK_FILE
                template = _templates[family] = _FontTemplate(path, family)
    return template


def unprintable_chars(text: str) -> str:
    """The characters of `text` that neither font has (after `printable`), each once."""
    primary = _template(PRIMARY).cmap
    rest = [c for c in dict.fromkeys(printable(text)) if ord(c) not in primary]
    if not rest:
        return ""
    fallback = _template(FALLBACK).cmap
    return "".join(c for c in rest if ord(c) not in fallback)


class FormPDF(FPDF):
    """An A4 document in millimetres with the embedded fonts registered (the fallback font only
    when a text needs it, so ordinary documents carry one font), no automatic page breaks, and
    text that no font can draw refused with UnprintableText instead of printed as boxes."""

    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.c_margin = 0
        self.set_creator("clerk-tui")
        self.set_lang("ja")
        self._primary = _template(PRIMARY)
        self._attached: dict[str, _FontTemplate] = {PRIMARY: self._primary}
        self._primary_font = self._primary.attach(self)  # this document's copy (its own subset)
        self.set_font(PRIMARY, size=10)
        self._replays: dict[tuple, tuple] = {}
        self._used_fallback = False  # set by _prepare: replayed records no text that uses it

    def _prepare(self, text: str) -> str:
        """printable(text), after checking every character can be drawn and, when the fallback
        font is needed, attaching it."""
        text = printable(text)
        cmap = self._primary.cmap
        if any(ord(c) not in cmap for c in text):
            bad = unprintable_chars(text)
            if bad:
                raise UnprintableText(bad, text)
            if FALLBACK not in self._attached:
                template = _template(FALLBACK)
                template.attach(self)
                self._attached[FALLBACK] = template
            # fpdf2 splits text character by character whenever fallback fonts are set, which
            # makes every cell several times slower: set them only for the texts that need them.
            self._fallback_font_ids = [FALLBACK]
            self._used_fallback = True
        else:
            self._fallback_font_ids = []
        return text

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(self._prepare(text))

    def text_width(self, text: str, size: float | None = None, stretching: float | None = None) -> float:
        """Width in mm of `text` at `size` points (default: the current size) and `stretching`
        (default: the current horizontal scaling): the same figure as get_string_width, without
        its per-call cost."""
        text = self._prepare(text)
        primary = self._primary.font.cw
        fallback = _template(FALLBACK).font.cw if FALLBACK in self._attached else None
        units = 0
        for c in text:
            cp = ord(c)
            if cp in primary or fallback is None or cp not in fallback:
                units += primary[cp]
            else:
                units += fallback[cp]
        pt = self.font_size_pt if size is None else size
        stretch = self.font_stretching if stretching is None else stretching
        return units * pt * 0.001 / self.k * stretch / 100

    # The drawing state a text's content-stream bytes depend on, besides the call's own arguments
    # (the call sets the position itself), and what it leaves behind.
    _STATE_BEFORE = ("font_style", "font_size_pt", "current_font_is_set_on_page", "font_stretching", "text_mode",
                     "line_width", "text_color", "fill_color", "draw_color", "char_spacing", "underline",
                     "strikethrough", "current_font", "_fallback_font_ids")
    _STATE_AFTER = (*_STATE_BEFORE, "x", "y")
    _state_before = operator.attrgetter(*_STATE_BEFORE)
    _state_after = operator.attrgetter(*_STATE_AFTER)
    replay_texts = True  # False: every text through fpdf2 (the tests compare both)

    def _changes_since(self, before: tuple) -> tuple:
        """The state a drawing changed, as (attribute, value) pairs: what a replay restores."""
        return tuple((name, value) for name, old, value in
                     zip(self._STATE_AFTER, (*before, None, None), self._state_after(self), strict=True)
                     if value is not old and value != old)

    def replayed(self, key: tuple, draw):  # noqa: ANN001 - Callable[[], T] -> T
        """`draw()` (texts drawn by the layout helpers, identified by `key`: the helper and its
        arguments), or its recorded result. fpdf2 spends ≈0.1 ms laying out each text, and most
        texts of a batch repeat on every sheet (labels, notes, the insurer, the day): within one
        document, the same text drawn from the same state writes the same bytes, so they are
        recorded on first use and copied after, for the same output. Texts that need the
        fallback font are always drawn (the font is attached to the pages that use it)."""
        if not self.replay_texts or not self.page:
            return draw()
        before = self._state_before(self)
        state = (key, tuple(before[-1]), *before[:-1])
        contents = self.pages[self.page].contents
        hit = self._replays.get(state)
        if hit is None:
            start = len(contents)
            self._used_fallback = False
            result = draw()
            same_page = isinstance(contents, bytearray) and contents is self.pages[self.page].contents
            if not self._used_fallback and same_page:
                # Only what the drawing changed is restored on replay.
                changed = self._changes_since(before)
                self._replays[state] = (bytes(contents[start:]), changed, result)
            return result
        data, changed, result = hit
        contents.extend(data)
        # Only texts in the primary font are recorded; it is in the page's resources already if
        # it was drawn on the page before, and is added as the first text of a page adds it.
        self._resource_catalog.add(PDFResourceType.FONT, self._primary.font.i, self.page)
        for name, value in changed:
            setattr(self, name, list(value) if name == "_fallback_font_ids" else value)
        return result

    def templated(self, key: tuple, text: str, draw, result, right: tuple[float, float, float, float] | None = None):  # noqa: ANN001, E501 - draw: Callable[[], T]
        """`draw()` of a one-line text whose wording varies from sheet to sheet (a name, a date,
        a number), identified by `key`: the helper, its box and the size and scaling chosen for
        the text, without the text. The first text drawn from a state is laid out by fpdf2; its
        bytes are kept with the text's own glyph string cut out, and a later text with the same
        key is written as those bytes around its own glyph string, which is what fpdf2 writes for
        it (a left-aligned cell's position and operators do not depend on its text). `right`:
        the text is right-aligned in a cell (x, w) drawn at (size pt, scaling %): its start, which
        depends on its width, is cut out too and written as fpdf2 computes it. `result`: what
        `draw()` returns for this text. Anything unusual (a text that needs the fallback font, an
        empty text) goes the usual way."""
        if not self.replay_texts or not self.page:
            return draw()
        printed = self._prepare(text)
        if self._fallback_font_ids or not printed or self.str_alias_nb_pages in printed:
            return self.replayed((*key, text), draw)
        before = self._state_before(self)
        state = (tuple(before[-1]), *before[:-1])
        exact, template = ((*key, text), *state), ("template", key, *state)
        contents = self.pages[self.page].contents
        replay = self._replays.get(exact)  # the same text again (a label, the day): as replayed()
        if replay is not None:
            data, changed, result = replay
            contents.extend(data)
        else:
            hit = self._replays.get(template)
            if hit is None:
                start = len(contents)
                self._used_fallback = False
                drawn = draw()
                same_page = isinstance(contents, bytearray) and contents is self.pages[self.page].contents
                if not self._used_fallback and same_page:
                    data = bytes(contents[start:])
                    changed = self._changes_since(before)
                    self._replays[exact] = (data, changed, drawn)
                    glyphs = self._glyph_string(printed)
                    if data.count(glyphs) == 1:
                        prefix, suffix = data.split(glyphs)
                        if right is None:
                            self._replays[template] = (b"", prefix, suffix, changed)
                        else:
                            start_x = b"BT " + self._right_start(printed, *right) + b" "
                            if prefix.count(start_x) == 1:
                                head, tail = prefix.split(start_x)
                                self._replays[template] = (head + b"BT ", b" " + tail, suffix, changed)
                return drawn
            head, prefix, suffix, changed = hit
            if right is not None:
                contents.extend(head)
                contents.extend(self._right_start(printed, *right))
            contents.extend(prefix)
            contents.extend(self._glyph_string(printed))
            contents.extend(suffix)
        self._resource_catalog.add(PDFResourceType.FONT, self._primary_font.i, self.page)
        for name, value in changed:
            setattr(self, name, list(value) if name == "_fallback_font_ids" else value)
        return result

    def _right_start(self, text: str, x: float, w: float, size: float, stretching: float) -> bytes:
        """Where fpdf2 starts a right-aligned one-line cell of the primary font (its `Td` x), by
        its own arithmetic: the text's width at the size and scaling, from the cell's right edge
        (the cell margin is 0)."""
        cw = self._primary_font.cw
        width = sum(cw[ord(c)] for c in text) * size * 0.001
        if stretching != 100:
            width *= stretching * 0.01
        dx = w - self.c_margin - (0 + width / self.k)
        return f"{(x + dx) * self.k:.2f}".encode("latin-1")

    def _glyph_string(self, text: str) -> bytes:
        """The show-text operator fpdf2 writes for `text` in the primary font (its glyphs are
        added to the font's subset in the same order as fpdf2 adds them)."""
        font = self._primary_font
        pick = font.subset.pick
        mapped = "".join(chr(g) for g in map(pick, map(ord, text)) if g)
        return f"({font.escape_text(mapped)}) Tj".encode("latin-1")

    def output(self, *args, **kwargs):  # type: ignore[override]
        for family, template in self._attached.items():
            font = self.fonts[family]
            used = [glyph for glyph, _ in font.subset.items() if glyph is not None]  # type: ignore[union-attr]
            font.ttfont = template.subset_font(used)  # type: ignore[union-attr]
        return super().output(*args, **kwargs)
