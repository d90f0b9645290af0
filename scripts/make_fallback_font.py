"""Build clerk_tui/forms/fonts/ClerkNameFallback.ttf: the name characters IPAexGothic lacks, as a
small TrueType (glyf) subset of Noto Sans CJK JP. Run by hand when the character list changes.

Why: IPAexGothic covers JIS X 0208 but not all of JIS X 0213 (levels 3 and 4) nor 𠮷 (U+20BB7),
which occur in registered names. Noto Sans CJK ships only CFF outlines, and PDFs embedding CFF
fonts through fpdf2 lose text extraction, so the outlines are converted to quadratic TrueType
curves with fontTools' cu2qu. The output keeps Noto's licence (SIL OFL 1.1) and, as the OFL asks
of modified versions, takes a name of its own.

Usage (fontTools is all it needs; a throwaway venv is fine):

    python -m venv /tmp/fontvenv && /tmp/fontvenv/bin/pip install fonttools
    /tmp/fontvenv/bin/pip download --no-deps -d /tmp/noto noto-cjk-sans-jp-regular
    unzip -o /tmp/noto/noto_cjk_sans_jp_regular-*.whl -d /tmp/noto/x
    /tmp/fontvenv/bin/python scripts/make_fallback_font.py \
        /tmp/noto/x/noto_cjk_sans_jp_regular/NotoSansCJKjp-Regular.otf

The script is not run by the tests; tests check the committed font's coverage instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = ROOT / "clerk_tui" / "forms" / "fonts"
PRIMARY = FONT_DIR / "ipaexg.ttf"
OUTPUT = FONT_DIR / "ClerkNameFallback.ttf"
FAMILY = "ClerkNameFallback"  # not "Noto"/"Source": the OFL forbids reserved names on modified fonts

# Name characters outside JIS X 0213 that registries and employers still send. 𠮷 (つちよし) is
# the best-known one; add others here when a member's registered name needs them.
EXTRA = "𠮷"

# cu2qu tolerance in font units (Noto's em is 1000): 1.0 is fontTools' own otf2ttf default and
# invisible at any size a form uses.
MAX_ERR = 1.0


def jis_x_0213() -> set[int]:
    """Every character of JIS X 0213:2004 (via Python's euc_jis_2004 codec), controls aside."""
    found: set[int] = set()
    for cp in range(0x20, 0x30000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        try:
            ch.encode("euc_jis_2004")
        except UnicodeEncodeError:
            continue
        found.add(cp)
    return found


def wanted_codepoints(primary: TTFont, source: TTFont) -> list[int]:
    have = primary.getBestCmap()
    offered = source.getBestCmap()
    wanted = (jis_x_0213() | {ord(c) for c in EXTRA}) - set(have)
    missing = sorted(cp for cp in wanted if cp not in offered)
    if missing:
        print(f"not in the source font either ({len(missing)}): "
              + "".join(chr(cp) for cp in missing[:40]), file=sys.stderr)
    return sorted(cp for cp in wanted if cp in offered)


def glyph_name(cp: int) -> str:
    return f"uni{cp:04X}" if cp <= 0xFFFF else f"u{cp:05X}"


def convert(source: TTFont, codepoints: list[int]) -> TTFont:
    cmap = source.getBestCmap()
    glyph_set = source.getGlyphSet()
    hmtx = source["hmtx"].metrics
    upem = source["head"].unitsPerEm

    order = [".notdef"] + [glyph_name(cp) for cp in codepoints]
    glyphs = {}
    metrics = {}
    for name, src_name in [(".notdef", ".notdef")] + [(glyph_name(cp), cmap[cp]) for cp in codepoints]:
        pen = TTGlyphPen(None)
        # CFF contours run the other way from TrueType's; reverse them as otf2ttf does.
        glyph_set[src_name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
        metrics[name] = hmtx[src_name]

    fb = FontBuilder(upem, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({cp: glyph_name(cp) for cp in codepoints})
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics(metrics)
    hhea = source["hhea"]
    os2 = source["OS/2"]
    fb.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    copyright_ = source["name"].getDebugName(0) or ""
    version = source["name"].getDebugName(5) or ""
    fb.setupNameTable({
        "copyright": f"{copyright_} Subset of Noto Sans CJK JP, converted to TrueType outlines.",
        "familyName": FAMILY,
        "styleName": "Regular",
        "uniqueFontIdentifier": f"{FAMILY}-Regular;{version}",
        "fullName": f"{FAMILY} Regular",
        "psName": f"{FAMILY}-Regular",
        "version": f"Version 1.000; derived from Noto Sans CJK JP {version}",
        "licenseDescription": "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
        "licenseInfoURL": "https://openfontlicense.org",
    })
    fb.setupOS2(
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        sxHeight=os2.sxHeight,
        sCapHeight=os2.sCapHeight,
        usWeightClass=os2.usWeightClass,
        achVendID="NONE",
        fsType=0,  # installable embedding, as the OFL allows
        ulCodePageRange1=1 << 17,  # JIS/Japan
    )
    fb.setupPost()
    return fb.font


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoSansCJKjp-Regular.otf (CFF outlines)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    source = TTFont(args.source)
    primary = TTFont(PRIMARY, lazy=True)
    codepoints = wanted_codepoints(primary, source)
    font = convert(source, codepoints)
    font.save(args.output)
    size = args.output.stat().st_size
    print(f"{args.output}: {len(codepoints)} characters, {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
