"""The PDF forms: text read back from the PDFs, embedded subset fonts, both QR codes decoded from a
rendering, long names that fit, 𠮷, batches with a cover sheet, and the atomic writer."""

from __future__ import annotations

import io
import os
import re
import stat
from dataclasses import replace
from datetime import date, datetime, timezone

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp

from clerk_tui.domain import rules
from clerk_tui.forms import (
    CERTIFICATE_MASKED_RATIO,
    MASKED_RATIO,
    CertificateData,
    CoverEntry,
    CoverSheetData,
    InsurerInfo,
    MailingAddress,
    NoticeData,
    UnprintableText,
    batch_filename,
    render_batch,
    render_certificate,
    render_notice,
    safe_filename,
    write_pdf_atomically,
)
from clerk_tui.forms import certificate as certificate_module
from clerk_tui.forms import notice as notice_module
from clerk_tui.forms.fonts import FALLBACK_FILE, FormPDF, unprintable_chars
from clerk_tui.forms.layout import MIN_STRETCH, fit_text, wrap_ja

INSURER = InsurerInfo(
    number="06130019", name="東京都情報サービス産業健康保険組合", postal_code="102-8017",
    address="東京都千代田区富士見1-12-8 TJKプラザ", section_name="適用グループ",
    phone="03-3239-9819", fax="03-3239-9735", short_name="TJK",
)
PORTAL = "https://myna.go.jp/"
FACILITY = "TJKF1-K5QWZ3XRTN2GH7MA-PL4VD6YB2CJ3EF5S"
LONG_NAME = "寿限無寿限無五劫の擦り切れ海砂利水魚の水"  # 20 characters
assert len(LONG_NAME) == 20


def notice(**changes) -> NoticeData:
    data = NoticeData(
        insurer=INSURER, symbol="1234", number="567", branch="01", name="山田 太郎",
        name_kana="ヤマダ タロウ", birth_date=date(1980, 5, 17), sex_label="男",
        acquired_on=date(2025, 4, 1), issued_on=date(2025, 11, 20), copay_text=MASKED_RATIO,
        ratio_effective_from=None, is_dependent=False, insured_name=None,
        employer_name="株式会社サンプル情報システム", mynaportal_url=PORTAL, facility_code=FACILITY,
        serial="N2025-0000123",
    )
    return replace(data, **changes)


def certificate(**changes) -> CertificateData:
    issued = changes.pop("issued_on", date(2025, 4, 1))
    birth = changes.pop("birth_date", date(1980, 5, 17))
    expiry = rules.certificate_valid_until(issued, birth)
    data = CertificateData(
        insurer=INSURER, symbol="1234", number="567", branch="01", name="山田 太郎",
        birth_date=birth, sex_label="男", issued_on=issued, valid_until=expiry.valid_until,
        acquired_on=date(2024, 10, 1),
        capped_at_75=expiry.capped_at_75, copay_text=MASKED_RATIO, ratio_effective_from=None,
        is_dependent=False, insured_name=None, serial="C2025-0000456",
        employer_name="株式会社サンプル情報システム",
    )
    return replace(data, **changes)


def text_of(pdf_bytes: bytes, page: int = 0) -> str:
    """The page's text as pypdf extracts it, without whitespace (cells may add spaces/newlines)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return re.sub(r"\s+", "", reader.pages[page].extract_text())


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------ 資格確認書


@pytest.mark.parametrize(("issued", "expected"), [
    (date(2025, 1, 15), "令和9年3月31日"),  # R4: January 2025 (FY2024) → 2027-03-31
    (date(2025, 4, 1), "令和10年3月31日"),  # R4: April 2025 (FY2025) → 2028-03-31
])
def test_certificate_prints_the_r4_expiry_in_wareki(issued, expected):
    data = certificate(issued_on=issued)
    text = text_of(render_certificate(data))
    assert f"有効期限{expected}" in text
    assert "交付年月日" in text and squeeze(f"{issued.month}月{issued.day}日") in text


def test_certificate_fields_are_extractable():
    text = text_of(render_certificate(certificate()))
    for expected in ("資格確認書", "山田太郎", "昭和55年5月17日", "男", "1234・567", "（枝番）01",
                     "保険者番号06130019", "東京都情報サービス産業健康保険組合",
                     "〒102-8017東京都千代田区富士見1-12-8TJKプラザ", "C2025-0000456",
                     "資格取得年月日令和6年10月1日", "負担割合" + CERTIFICATE_MASKED_RATIO + "保険者番号"):
        assert expected in text, expected
    assert "高齢受給者証を兼ねる" not in text  # under 70: no ratio, no 高齢受給者証 note
    assert "被保険者（本人）" in text


def test_certificate_for_a_70_to_74_dependent_prints_ratio_effective_date_and_insured():
    data = certificate(
        birth_date=date(1955, 6, 15), issued_on=date(2025, 11, 20), copay_text="3割",
        ratio_effective_from=date(2025, 7, 1), is_dependent=True, insured_name="山田 一郎",
    )
    text = text_of(render_certificate(data))
    assert "（高齢受給者証を兼ねる）" in text
    assert "3割（発効期日令和7年7月1日）" in text
    assert "被保険者氏名山田一郎" in text
    assert "被扶養者（家族）" in text
    assert "「" + CERTIFICATE_MASKED_RATIO + "」" in text  # only in the note explaining the asterisks


def test_under_70_the_certificate_prints_six_asterisks_and_the_notice_seven():
    # The insurer's own explanations (R2, R5): 「******」 on the 資格確認書, 「*******」 on the お知らせ.
    assert (len(CERTIFICATE_MASKED_RATIO), len(MASKED_RATIO)) == (6, 7)
    for given in (MASKED_RATIO, CERTIFICATE_MASKED_RATIO):
        text = text_of(render_certificate(certificate(copay_text=given)))
        assert "*" * 7 not in text
        assert "負担割合" + "*" * 6 + "保険者番号" in text  # on the card
        assert "70歳未満の方は「" + "*" * 6 + "」と表示" in text  # and in the note under it
    text = text_of(render_notice(notice(copay_text=MASKED_RATIO)))
    assert "負担割合" + "*" * 7 + "事業所名称" in text and "70歳未満の方は「" + "*" * 7 + "」と表示" in text


def test_certificate_prints_the_date_qualification_was_acquired():
    text = text_of(render_certificate(certificate(acquired_on=date(1981, 6, 1))))
    assert "資格取得年月日昭和56年6月1日" in text


MAIL = MailingAddress(postal_code="223-0061", name="渡邊　和子",
                      address="神奈川県横浜市港北区日吉本町四丁目2-25 サンシャインマンション日吉本町アネックス棟 1203号室")
# The address window of a 長形3号 envelope over an A4 sheet folded in three: top left, about
# 90 × 45 mm, from about 12 mm below the top edge.
WINDOW = (10.0, 10.0, 110.0, 57.0)  # left, top, right, bottom in mm from the top left of the sheet


def _positions(pdf_bytes: bytes) -> list[tuple[str, float, float]]:
    """(text, x, y) of every text run, in mm from the top left of the first page."""
    page = pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages[0]
    height = float(page.mediabox.height)
    runs: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):  # noqa: ANN001 - pypdf's visitor signature
        if text.strip():
            x, y = cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]
            runs.append((text.strip(), x * 25.4 / 72, (height - y) * 25.4 / 72))

    page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("render, make", [(render_certificate, certificate), (render_notice, notice)])
def test_a_copy_sent_to_the_person_has_the_postal_address_in_the_envelope_window(render, make):
    pdf = render(make(via_employer=False, mail_to=MAIL, name="渡邊　和子"))
    text = text_of(pdf)
    assert ("〒223-0061神奈川県横浜市港北区日吉本町四丁目2-25サンシャインマンション日吉本町アネックス棟1203号室"
            "渡邊和子様") in text
    assert "経由" not in text.split("様")[0]
    left, top, right, bottom = WINDOW
    runs = _positions(pdf)
    block = [r for r in runs if any(part in r[0] for part in ("〒223-0061", "日吉本町", "渡邊"))
             and r[2] < 60]
    assert len(block) >= 3, runs[:10]
    for run, x, y in block:
        assert left <= x <= right and top <= y <= bottom, (run, x, y)
    # Nothing else shares the window: the sender and references stay at the right.
    others = [r for r in runs if r not in block and left <= r[1] < 105 and top <= r[2] <= bottom]
    assert others == [], others


@pytest.mark.parametrize("render, make", [(render_certificate, certificate), (render_notice, notice)])
def test_a_copy_via_the_employer_has_no_postal_address(render, make):
    text = text_of(render(make(via_employer=True)))
    assert "株式会社サンプル情報システム経由" in text
    assert "〒223" not in text and "山田太郎様" in text


def test_a_postal_address_needs_a_copy_sent_to_the_person():
    with pytest.raises(ValueError, match="事業所経由"):
        certificate(mail_to=MAIL)  # via_employer defaults to True
    with pytest.raises(ValueError, match="住所"):
        MailingAddress(postal_code="223-0061", address=" ", name="渡邊　和子")


def test_certificate_capped_at_75_prints_the_day_before_the_birthday():
    # 75 on 2027-02-10, before the R4 date 2027-03-31: the day before the birthday is printed.
    data = certificate(birth_date=date(1952, 2, 10), issued_on=date(2025, 1, 10), copay_text="2割",
                       ratio_effective_from=date(2022, 3, 1))
    assert data.capped_at_75 and data.valid_until == date(2027, 2, 9)
    text = text_of(render_certificate(data))
    assert "有効期限令和9年2月9日" in text
    assert "75歳の誕生日の前日まで" in text


def test_certificate_ratio_2_wari():
    data = certificate(birth_date=date(1954, 3, 3), issued_on=date(2025, 11, 20), copay_text="2割",
                       ratio_effective_from=date(2024, 4, 1))
    assert "2割（発効期日令和6年4月1日）" in text_of(render_certificate(data))


# ------------------------------------------------------------------ お知らせ


def test_notice_fields_are_extractable():
    text = text_of(render_notice(notice()))
    for expected in ("資格情報のお知らせ", "山田太郎", "ヤマダタロウ", "昭和55年5月17日",
                     "記号1234番号567枝番01", "保険者番号06130019", "東京都情報サービス産業健康保険組合",
                     "資格取得年月日令和7年4月1日", "令和7年11月20日", "負担割合" + MASKED_RATIO,
                     "このお知らせだけでは、医療機関等を受診することはできません",
                     "施設利用時の本人確認用（TJK施設専用）", "適用グループTEL03-3239-9819",
                     "FAX03-3239-9735", "株式会社サンプル情報システム", "N2025-0000123"):
        assert expected in text, expected


def test_notice_for_a_dependent_names_the_insured_and_prints_the_ratio():
    data = notice(is_dependent=True, insured_name="山田 一郎", copay_text="2割",
                  birth_date=date(1955, 6, 15), ratio_effective_from=date(2025, 7, 1))
    text = text_of(render_notice(data))
    assert "被保険者氏名山田一郎" in text
    assert "負担割合2割（発効期日令和7年7月1日）" in text


def _decode(pdf_bytes: bytes, dpi: int = 200):
    page = pdfium.PdfDocument(pdf_bytes)[0]
    image = page.render(scale=dpi / 72).to_pil()
    return image, zxingcpp.read_barcodes(image)


def test_notice_qr_codes_decode_portal_in_the_centre_and_only_the_opaque_code_at_bottom_right():
    data = notice()
    image, codes = _decode(render_notice(data))
    assert len(codes) == 2, [c.text for c in codes]
    width, height = image.size

    def centre(code):
        pts = code.position
        xs = [pts.top_left.x, pts.top_right.x, pts.bottom_left.x, pts.bottom_right.x]
        ys = [pts.top_left.y, pts.top_right.y, pts.bottom_left.y, pts.bottom_right.y]
        return sum(xs) / 4 / width, sum(ys) / 4 / height

    by_text = {c.text: centre(c) for c in codes}
    assert set(by_text) == {PORTAL, FACILITY}
    px, py = by_text[PORTAL]
    assert abs(px - 0.5) < 0.05 and 0.5 < py < 0.85  # centred on the sheet
    fx, fy = by_text[FACILITY]
    assert fx > 0.6 and fy > 0.8  # bottom right
    # 告知要求制限 (R2): the facility QR reveals no 記号・番号.
    assert "1234" not in FACILITY and "567" not in FACILITY


def test_notice_refuses_a_facility_code_that_carries_the_member_code():
    with pytest.raises(ValueError, match="記号・番号"):
        notice(facility_code="1234-567-01")
    with pytest.raises(ValueError, match="記号・番号"):
        notice(facility_code="MEMBER1234567")


def test_notice_portal_address_is_the_configured_one():
    url = "https://example.jp/portal?id=1"
    _, codes = _decode(render_notice(notice(mynaportal_url=url)))
    assert url in {c.text for c in codes}


# ------------------------------------------------------------------ fonts


def _fonts(pdf_bytes: bytes) -> list[dict]:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            found.append({"base": str(font["/BaseFont"]).lstrip("/"),
                          "descriptor": descendant["/FontDescriptor"].get_object()})
    return found


@pytest.mark.parametrize("render", [lambda: render_certificate(certificate()),
                                    lambda: render_notice(notice())])
def test_fonts_are_embedded_truetype_subsets(render):
    fonts = _fonts(render())
    assert fonts
    for font in fonts:
        assert re.fullmatch(r"[A-Z]{6}\+\S+", font["base"]), font["base"]
        assert "/FontFile2" in font["descriptor"]  # TrueType (glyf), not CFF
    # An ordinary document carries one font: the fallback is attached only when needed.
    assert {f["base"].split("+")[1] for f in fonts} == {"IPAexGothic"}


def test_tsuchiyoshi_extracts_as_itself_from_the_fallback_font():
    assert FALLBACK_FILE.stat().st_size < 2_000_000
    data = certificate(name="𠮷田 花子", is_dependent=True, insured_name="𠮷田 一郎")
    pdf_bytes = render_certificate(data)
    text = text_of(pdf_bytes)
    assert "𠮷田花子" in text and "被保険者氏名𠮷田一郎" in text
    names = {f["base"].split("+")[1] for f in _fonts(pdf_bytes)}
    assert names == {"IPAexGothic", "ClerkNameFallback"}
    assert "𠮷田花子" in text_of(render_notice(notice(name="𠮷田 花子")))


def test_name_characters_of_jis_x_0213_and_beyond_are_covered():
    # Between them the two fonts draw every JIS X 0213 character Noto has, the IBM extension
    # kanji (髙, 﨑) and 𠮷, which is in no JIS standard.
    for name in ("𠮷田", "𩸽野", "髙橋", "﨑山", "德永", "剝", "𡈽"):
        assert unprintable_chars(name) == "", name
    jis = [chr(cp) for cp in range(0x4E00, 0xA000) if _in_jis_x_0213(chr(cp))]
    assert len(unprintable_chars("".join(jis))) <= 5  # a handful Noto lacks as well


def _in_jis_x_0213(ch: str) -> bool:
    try:
        ch.encode("euc_jis_2004")
    except UnicodeEncodeError:
        return False
    return True


def test_documents_render_concurrently():
    # The TUI renders in worker threads: the shared font templates must not leak state.
    from concurrent.futures import ThreadPoolExecutor

    names = ["山田 太郎", "𠮷田 花子", "佐藤 一郎", "髙橋 さくら"] * 2
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: render_certificate(certificate(name=n)), names))
    for name, pdf_bytes in zip(names, results, strict=True):
        assert squeeze(name) in text_of(pdf_bytes)


def test_text_no_font_can_draw_is_refused_not_printed_as_boxes():
    with pytest.raises(UnprintableText) as err:
        render_certificate(certificate(name="山田 \U00020000"))
    assert err.value.chars == "\U00020000"
    assert "U+20000" in err.value.message


def test_variation_selectors_are_dropped_and_the_base_character_printed():
    text = text_of(render_certificate(certificate(name="葛\U000E0100城 太郎")))
    assert "葛城太郎" in text


def test_fast_width_matches_fpdf2():
    pdf = FormPDF()
    pdf.add_page()
    for text, size in (("山田 太郎", 12), ("𠮷田 ＡＢＣ abc 123", 9.5), ("令和10年3月31日", 7)):
        pdf.set_font_size(size)
        assert pdf.text_width(text) == pytest.approx(pdf.get_string_width(text), rel=1e-6)


# ------------------------------------------------------------------ layout


def test_a_twenty_character_name_fits_the_card_name_box():
    pdf = FormPDF()
    pdf.add_page()
    box = certificate_module.CARD_W - 5 - 16.5  # the card's value column
    fit = fit_text(pdf, LONG_NAME, box, 9, 5)
    assert fit.size >= 5 and fit.stretching >= MIN_STRETCH
    assert fit.width <= box + 1e-6


@pytest.mark.parametrize(("render", "data", "card"), [
    (render_certificate, certificate(name=LONG_NAME),
     (certificate_module.CARD_X, certificate_module.CARD_Y, certificate_module.CARD_W,
      certificate_module.CARD_H)),
    (render_notice, notice(name=LONG_NAME),
     (notice_module.CARD_X, notice_module.CARD_Y, notice_module.CARD_W, notice_module.CARD_H)),
])
def test_a_twenty_character_name_is_printed_whole_inside_the_card(render, data, card):
    pdf_bytes = render(data)
    assert LONG_NAME in text_of(pdf_bytes)
    page = pdfium.PdfDocument(pdf_bytes)[0]
    textpage = page.get_textpage()
    count = textpage.count_chars()
    chars = "".join(textpage.get_text_range(i, 1) for i in range(count))
    pt = 72 / 25.4
    x, y, w, h = card
    page_h = page.get_height()
    left, right = x * pt, (x + w) * pt
    top, bottom = page_h - y * pt, page_h - (y + h) * pt
    inside = 0
    start = chars.find(LONG_NAME)
    while start >= 0:
        boxes = [textpage.get_charbox(i) for i in range(start, start + len(LONG_NAME))]
        if all(bottom <= b[1] and b[3] <= top for b in boxes):  # this occurrence is on the card
            inside += 1
            assert min(b[0] for b in boxes) >= left
            assert max(b[2] for b in boxes) <= right
        start = chars.find(LONG_NAME, start + 1)
    assert inside == 1


def test_wrap_ja_keeps_kinsoku():
    pdf = FormPDF()
    pdf.add_page()
    pdf.set_font_size(10)
    text = "このお知らせは回収しません。「不要」になったときは、ご本人で破棄してください。"
    for width in (20, 25, 31, 37, 44):
        lines = wrap_ja(pdf, text, width)
        assert "".join(lines) == text
        for line in lines[1:]:
            assert line[0] not in "、。」）ー", (width, lines)
        for line in lines[:-1]:
            assert line[-1] not in "「（", (width, lines)
            assert pdf.text_width(line) <= width + 1e-6


# ------------------------------------------------------------------ batches


def _cover(docs, kind="資格確認書") -> CoverSheetData:
    return CoverSheetData(
        insurer=INSURER, employer_name="株式会社サンプル情報システム", employer_postal_code="160-0023",
        employer_address="東京都新宿区西新宿1-2-3", employer_contact="人事課 鈴木",
        issued_on=date(2025, 11, 20), serial="B2025-0042",
        entries=tuple(CoverEntry(f"{d.symbol}-{d.number}-{d.branch}", d.name, kind, d.serial) for d in docs),
    )


def test_batch_has_a_cover_sheet_then_one_page_per_certificate():
    names = ["山田 太郎", "𠮷田 花子", "佐藤 一郎"]
    certs = [certificate(name=n, number=str(600 + i), serial=f"C2025-{i:07d}") for i, n in enumerate(names)]
    pdf_bytes = render_batch(_cover(certs), certs)
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) == 4
    cover = text_of(pdf_bytes, 0)
    assert "送付書" in cover and "株式会社サンプル情報システム御中" in cover
    assert "資格確認書3件" in cover
    for i, name in enumerate(names):
        assert squeeze(name) in cover and f"C2025-{i:07d}" in cover and f"1234-{600 + i}-01" in cover
        assert squeeze(name) in text_of(pdf_bytes, i + 1)
    assert len(pdf_bytes) / len(certs) < 60_000
    # Fonts are embedded once for the whole file.
    reader_fonts = {f["base"] for f in _fonts(pdf_bytes)}
    assert len(reader_fonts) == 2


def test_batch_bytes_per_member_stay_small():
    certs = [certificate(number=str(700 + i), serial=f"C2025-{i:07d}") for i in range(40)]
    pdf_bytes = render_batch(_cover(certs), certs)
    assert len(pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages) == 42  # the cover takes 2 pages
    assert len(pdf_bytes) / len(certs) < 10_000


def test_replayed_texts_write_the_same_bytes_as_drawing_each(monkeypatch):
    """Texts repeated on every sheet are drawn once per file and their bytes copied after: the file
    must be byte for byte the one fpdf2 writes drawing every text, whatever mix of sheets (long
    names narrowed, fallback-font names, dependents, the 75 cap and a printed ratio, お知らせ)."""
    docs = []
    for i in range(12):
        name = (LONG_NAME, "𠮷田 花子", "山田 太郎", "佐藤 一郎")[i % 4]
        if i % 5 == 4:
            docs.append(notice(name=name, number=str(800 + i), serial=f"N2025-{i:07d}"))
            continue
        extra = dict(birth_date=date(1952, 6, 10), copay_text="3割", ratio_effective_from=date(2022, 7, 1)) \
            if i % 3 == 2 else {}
        docs.append(certificate(name=name, number=str(800 + i), serial=f"C2025-{i:07d}", is_dependent=i % 2 == 1,
                                insured_name="山田 一郎" if i % 2 else None, **extra))
    cover = replace(_cover(docs), entries=tuple(
        CoverEntry(f"{d.symbol}-{d.number}-{d.branch}", d.name, "資格確認書" if d.serial[0] == "C" else "お知らせ",
                   d.serial) for d in docs))
    replayed = render_batch(cover, docs)
    monkeypatch.setattr(FormPDF, "replay_texts", False)
    assert render_batch(cover, docs) == replayed
    assert squeeze(LONG_NAME) in text_of(replayed, 1) and "𠮷田花子" in text_of(replayed, 2)


def test_texts_that_vary_per_sheet_write_the_same_bytes_as_drawing_each(monkeypatch):
    """A name, a number or a date in the same box on every sheet is written from the first one's
    bytes with its own glyphs: byte for byte what fpdf2 writes drawing each, for names of any
    length (smaller size, narrowed), with characters a PDF string escapes, needing the fallback
    font, or using glyphs no earlier sheet used; each sheet shows its own name."""
    names = ["山田 太郎", "佐藤 一", "Smith (Jr.) \\ John", LONG_NAME, "𠮷田 花子", "鈴木 (花) 子",
             "髙橋 一郎", "渡邊 恵", "小林 翔太郎", "A" * 30, "山田 太郎", "齋藤 薫"]
    docs = [certificate(name=name, number=str(900 + i), serial=f"C2025-{i:07d}", birth_date=date(1960 + i, 1 + i, 1 + i))
            for i, name in enumerate(names)]
    cover = replace(_cover(docs), entries=tuple(
        CoverEntry(f"{d.symbol}-{d.number}-{d.branch}", d.name, "資格確認書", d.serial) for d in docs))
    templated = render_batch(cover, docs)
    monkeypatch.setattr(FormPDF, "replay_texts", False)
    assert render_batch(cover, docs) == templated
    for page, name in enumerate(names, 1):
        assert squeeze(name) in squeeze(text_of(templated, page))


def test_after_the_first_sheet_texts_are_written_without_fpdf2_laying_them_out(monkeypatch):
    """The templates are used: once the first sheet is drawn, a further sheet for another member
    (name, 記号・番号, dates, serial, the right-aligned reference lines) has almost none of its
    texts laid out by fpdf2 (every text that differs from an earlier sheet's, before)."""
    from fpdf import FPDF

    from clerk_tui.forms.certificate import draw_certificate

    docs = [certificate(name=("山田 太郎", "佐藤 一", "鈴木 花子")[i % 3], number=str(950 + i),
                        serial=f"C2025-{i:07d}", birth_date=date(1960 + i, 1 + i % 12, 1 + i)) for i in range(21)]
    pdf = FormPDF()
    draw_certificate(pdf, docs[0])
    calls = []
    original = FPDF.cell
    monkeypatch.setattr(FPDF, "cell", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    for doc in docs[1:]:
        draw_certificate(pdf, doc)
    assert len(calls) / 20 < 1.5


def test_a_replayed_paragraph_keeps_the_fallback_font_on_every_page(monkeypatch):
    """A paragraph whose first line needs the fallback font and whose last does not is drawn anew
    on each page (never copied), so every page that shows it lists the fallback font among its
    resources and the file is the one fpdf2 writes drawing every text; its text extracts."""
    from clerk_tui.forms.layout import paragraph

    text = "𠮷" + "あ" * 60 + "。" + "い" * 30

    def render() -> bytes:
        pdf = FormPDF()
        pdf.set_creation_date(datetime(2026, 4, 1, tzinfo=timezone.utc))  # else stamped to the second
        for _ in range(3):
            pdf.add_page()
            paragraph(pdf, 15, 20, 60, text, 9)
            paragraph(pdf, 15, 60, 60, "い" * 80, 9)
        return bytes(pdf.output())

    replayed = render()
    reader = pypdf.PdfReader(io.BytesIO(replayed))
    for page in reader.pages:
        fonts = {str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
        assert len(fonts) == 2, fonts
        assert "𠮷" in squeeze(page.extract_text())
    monkeypatch.setattr(FormPDF, "replay_texts", False)
    assert render() == replayed


def test_batch_refuses_a_cover_that_does_not_match_its_documents():
    certs = [certificate(serial="C1"), certificate(serial="C2")]
    with pytest.raises(ValueError):
        render_batch(_cover(certs[:1]), certs)
    with pytest.raises(ValueError):
        render_batch(_cover(list(reversed(certs))), certs)


# ------------------------------------------------------------------ data checks


def test_data_is_checked():
    with pytest.raises(ValueError):
        certificate(copay_text="1割")
    with pytest.raises(ValueError):
        certificate(is_dependent=True, insured_name=None)
    with pytest.raises(ValueError):
        certificate(branch="1")
    with pytest.raises(ValueError):
        replace(INSURER, number="0613001")


# ------------------------------------------------------------------ output


def test_safe_filename_names_the_document_without_personal_names():
    name = safe_filename(date(2025, 11, 20), "資格確認書", "1234-567-01", "C2025-0000123")
    assert name == "20251120_資格確認書_1234-567-01_C2025-0000123.pdf"
    odd = safe_filename(date(2025, 11, 20), "資格確認書", "../１２３４/567", "C 1")
    assert "/" not in odd and ".." not in odd and odd.startswith("20251120_資格確認書_1234-567_")
    assert batch_filename(date(2025, 11, 20), "資格確認書", "E000123", "B2025-0042") == \
        "20251120_資格確認書_送付_E000123_B2025-0042.pdf"


def test_pdf_is_written_atomically_group_readable_only(tmp_path):
    data = render_certificate(certificate())
    folder = tmp_path / "out"
    path = write_pdf_atomically(data, folder, "a.pdf")
    assert path == folder / "a.pdf" and path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(folder) == ["a.pdf"]  # no temporary file left behind
    # An existing file is never overwritten unless asked: the next one gets a suffix.
    second = write_pdf_atomically(data, folder, "a.pdf")
    assert second.name == "a_2.pdf"
    third = write_pdf_atomically(b"%PDF-1.4 other", folder, "a.pdf", replace=True)
    assert third == path and path.read_bytes() == b"%PDF-1.4 other"
    assert stat.S_IMODE(third.stat().st_mode) == 0o640
    assert sorted(os.listdir(folder)) == ["a.pdf", "a_2.pdf"]


def test_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        write_pdf_atomically(b"%PDF-1.4", tmp_path, "b.pdf")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name", ["", ".", "..", "../x.pdf", "a/b.pdf", ".hidden.pdf"])
def test_bad_file_names_are_refused(tmp_path, name):
    with pytest.raises(ValueError):
        write_pdf_atomically(b"%PDF-1.4", tmp_path, name)


def test_only_pdf_bytes_are_written(tmp_path):
    with pytest.raises(ValueError):
        write_pdf_atomically(b"hello", tmp_path, "x.pdf")


@pytest.mark.parametrize("mailed", [False, True])
def test_a_long_insurer_name_and_contact_still_fit_the_notice(mailed):
    insurer = replace(INSURER, name="東京都情報サービス産業健康保険組合連合会特別支部適用業務センター",
                      section_name="適用グループ資格管理担当（新規加入・再交付受付窓口）")
    data = notice(insurer=insurer, is_dependent=True, insured_name="山田 一郎")
    if mailed:  # the address block takes the top of the sheet
        data = replace(data, via_employer=False, mail_to=MAIL)
    pdf_bytes = render_notice(data)
    assert "適用業務センター" in text_of(pdf_bytes)
    _, codes = _decode(pdf_bytes)
    assert {c.text for c in codes} == {PORTAL, FACILITY}


def test_importing_the_forms_package_or_starting_the_app_does_not_load_fpdf():
    """fpdf costs about half a second to import: it is loaded when the first form is drawn, not
    when the package, the command line or the app's screens are imported."""
    import subprocess
    import sys

    code = (
        "import sys, importlib, pkgutil\n"
        "import clerk_tui.forms\n"
        "assert 'fpdf' not in sys.modules, 'forms'\n"
        "from clerk_tui.forms import NoticeData, safe_filename\n"
        "assert 'fpdf' not in sys.modules, 'forms data'\n"
        "import clerk_tui.cli, clerk_tui.ui.app, clerk_tui.ui.screens as screens\n"
        "for m in pkgutil.iter_modules(screens.__path__):\n"
        "    importlib.import_module('clerk_tui.ui.screens.' + m.name)\n"
        "assert 'fpdf' not in sys.modules, 'app'\n"
        "from clerk_tui.forms import render_notice\n"
        "assert 'fpdf' in sys.modules and callable(render_notice)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ})
    assert done.returncode == 0, done.stderr
