from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.wareki import (
    ERAS,
    era_of,
    format_wareki,
    format_wareki_month,
    format_wareki_short,
    looks_like_date,
    parse_date,
    parse_month,
)

DEC_1 = date(2025, 12, 1)


# ---------------------------------------------------------------- the era table


def test_era_table():
    assert [(e.name, e.letter, e.code) for e in ERAS] == [
        ("明治", "M", 1),
        ("大正", "T", 2),
        ("昭和", "S", 3),
        ("平成", "H", 4),
        ("令和", "R", 5),
    ]
    assert ERAS[-1].start == date(2019, 5, 1) and ERAS[-1].end is None
    for earlier, later in zip(ERAS, ERAS[1:]):
        assert (later.start - earlier.end).days == 1  # no gap, no overlap


# ---------------------------------------------------------------- shapes that parse


@pytest.mark.parametrize(
    "text",
    [
        "令和7年12月1日",
        "令和７年１２月１日",
        "R7.12.1",
        "r7.12.1",
        "R07.12.01",
        "R7/12/1",
        "R7-12-1",
        "R7年12月1日",
        "令7.12.1",
        "令和7.12.1",
        "令和7年12月1",
        "令和 7年 12月 1日",
        "R 7 . 12 . 1",
        "2025-12-01",
        "2025/12/1",
        "2025.12.1",
        "2025年12月1日",
        "20251201",
        "5071201",
        # full-width and IME variants
        "２０２５／１２／０１",
        "２０２５－１２－０１",
        "２０２５．１２．０１",
        "Ｒ７．１２．１",
        "ｒ７．１２．１",
        "２０２５１２０１",
        "５０７１２０１",
        "2025ー12ー01",
        "2025−12−01",
        "㋿7年12月1日",
        "\u3000令和７年\u3000１２月\u3000１日\u3000",
        "  R7.12.1\t",
    ],
)
def test_parse_date_shapes(text):
    assert parse_date(text) == DEC_1
    assert looks_like_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和元年5月1日", date(2019, 5, 1)),
        ("R元.5.1", date(2019, 5, 1)),
        ("R1.05.01", date(2019, 5, 1)),
        ("S45/1/2", date(1970, 1, 2)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平31.4.30", date(2019, 4, 30)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("大正15年12月24日", date(1926, 12, 24)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("T1.7.30", date(1912, 7, 30)),
        ("明治45年7月29日", date(1912, 7, 29)),
        ("M1.10.23", date(1868, 10, 23)),
        ("3450102", date(1970, 1, 2)),
        ("4310430", date(2019, 4, 30)),
        ("5010501", date(2019, 5, 1)),
        ("令和6年2月29日", date(2024, 2, 29)),
        ("2000-02-29", date(2000, 2, 29)),
    ],
)
def test_parse_date_values(text, expected):
    assert parse_date(text) == expected


# ---------------------------------------------------------------- errors


def _error(text):
    with pytest.raises(DomainError) as info:
        parse_date(text)
    return info.value.message


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("令和7年2月30日", ["「令和7年2月30日」", "存在しない日付", "2月は28日まで"]),
        ("R7.2.29", ["「R7.2.29」", "存在しない日付", "2月は28日まで"]),
        ("令和7年4月31日", ["「令和7年4月31日」", "4月は30日まで"]),
        ("令和7年13月1日", ["「令和7年13月1日」", "13月はありません"]),
        ("2025-13-01", ["「2025-13-01」", "13月はありません"]),
        ("20251301", ["「20251301」", "13月はありません"]),
        ("R7.0.1", ["0月はありません"]),
        ("R7.12.0", ["0日はありません"]),
        ("R7.12.32", ["12月は31日まで"]),
        ("平成32年1月1日", ["平成32年は存在しません", "平成は31年4月30日まで", "令和2年1月1日"]),
        ("H32.1.1", ["「H32.1.1」", "平成32年は存在しません", "平成は31年4月30日まで"]),
        ("昭和65年1月1日", ["昭和65年は存在しません", "昭和は64年1月7日まで"]),
        ("平成31年5月1日", ["「平成31年5月1日」", "平成の終了", "令和元年5月1日"]),
        ("H31.5.1", ["「H31.5.1」", "平成の終了", "令和元年5月1日"]),
        ("昭和64年1月8日", ["昭和の終了", "昭和64年1月7日", "平成元年1月8日"]),
        ("令和元年4月30日", ["「令和元年4月30日」", "令和の開始（令和元年5月1日）より前", "平成31年4月30日"]),
        ("平成元年1月7日", ["平成の開始（平成元年1月8日）より前", "昭和64年1月7日"]),
        ("明治元年1月1日", ["明治の開始（明治元年10月23日）より前"]),
        ("令和0年1月1日", ["「令和0年1月1日」", "令和0年はありません"]),
        ("R0.1.1", ["「R0.1.1」", "令和0年はありません"]),
        ("0000-01-01", ["「0000-01-01」", "0年はありません"]),
        ("00000101", ["0年はありません"]),
        ("1850-01-01", ["「1850-01-01」", "明治元年10月23日"]),
        ("25-12-01", ["「25-12-01」", "年「25」", "4桁", "元号"]),
        ("25/12/1", ["年「25」", "4桁"]),
        ("7年12月1日", ["「7年12月1日」", "年「7」", "4桁", "元号"]),
        ("9071201", ["「9071201」", "元号コード「9」"]),
        ("0071201", ["元号コード「0」"]),
        ("abc", ["日付の形が読み取れません", "「abc」", "R7.12.1"]),
        ("R7.12", ["日付の形が読み取れません", "「R7.12」"]),
        ("R71201", ["日付の形が読み取れません", "「R71201」"]),
        ("251201", ["日付の形が読み取れません", "「251201」"]),
        ("2025-12/01", ["日付の形が読み取れません"]),
        ("令和七年十二月一日", ["日付の形が読み取れません"]),
        ("X7.12.1", ["日付の形が読み取れません", "「X7.12.1」"]),
    ],
)
def test_parse_date_errors_name_the_problem(text, mentions):
    message = _error(text)
    for part in mentions:
        assert part in message, (part, message)


@pytest.mark.parametrize("text", ["", "   ", "\u3000", "\t\n"])
def test_parse_date_empty(text):
    assert "日付が入力されていません" in _error(text)


def test_error_quotes_what_was_typed_and_carries_the_field():
    with pytest.raises(DomainError) as info:
        parse_date("Ｒ７．２．３０", field="birth_date")
    assert "「Ｒ７．２．３０」" in info.value.message
    assert info.value.field == "birth_date"


def test_error_quote_is_shortened():
    message = _error("x" * 200)
    assert "x" * 30 + "..." in message and "x" * 31 not in message


# ---------------------------------------------------------------- months


@pytest.mark.parametrize(
    "text",
    ["令和7年12月", "令和 7年 12月", "R7.12", "r7/12", "R07-12", "令7.12", "2025-12", "2025/12", "2025.12",
     "2025年12月", "202512", "２０２５－１２", "２０２５１２", "令和７年１２月", "Ｒ７．１２"],
)
def test_parse_month_shapes(text):
    assert parse_month(text) == DEC_1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和元年5月", date(2019, 5, 1)),
        ("平成31年4月", date(2019, 4, 1)),
        ("昭和64年1月", date(1989, 1, 1)),  # 1月1日〜7日 were 昭和
        ("平成元年1月", date(1989, 1, 1)),  # 1月8日〜31日 were 平成
    ],
)
def test_parse_month_values(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("", ["年月が入力されていません"]),
        ("R7.13", ["「R7.13」", "13月はありません"]),
        ("202513", ["13月はありません"]),
        ("平成32年1月", ["平成32年は存在しません", "平成は31年4月30日まで"]),
        ("平成31年5月", ["平成の終了", "令和元年5月"]),
        ("令和元年4月", ["令和の開始", "平成31年4月"]),
        ("昭和64年2月", ["昭和の終了", "平成元年2月"]),
        ("25-12", ["年「25」", "4桁"]),
        ("令和7年12月1日", ["年月の形が読み取れません", "「令和7年12月1日」", "R7.12"]),
    ],
)
def test_parse_month_errors(text, mentions):
    with pytest.raises(DomainError) as info:
        parse_month(text)
    for part in mentions:
        assert part in info.value.message, (part, info.value.message)


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("d", "long", "padded", "short", "month", "era"),
    [
        (date(2025, 12, 1), "令和7年12月1日", "令和 7年12月 1日", "R7.12.01", "令和7年12月", ("令和", 7)),
        (date(2019, 5, 1), "令和元年5月1日", "令和元年 5月 1日", "R1.05.01", "令和元年5月", ("令和", 1)),
        (date(2019, 4, 30), "平成31年4月30日", "平成31年 4月30日", "H31.04.30", "平成31年4月", ("平成", 31)),
        (date(1989, 1, 8), "平成元年1月8日", "平成元年 1月 8日", "H1.01.08", "平成元年1月", ("平成", 1)),
        (date(1989, 1, 7), "昭和64年1月7日", "昭和64年 1月 7日", "S64.01.07", "昭和64年1月", ("昭和", 64)),
        (date(1926, 12, 25), "昭和元年12月25日", "昭和元年12月25日", "S1.12.25", "昭和元年12月", ("昭和", 1)),
        (date(1926, 12, 24), "大正15年12月24日", "大正15年12月24日", "T15.12.24", "大正15年12月", ("大正", 15)),
        (date(1912, 7, 29), "明治45年7月29日", "明治45年 7月29日", "M45.07.29", "明治45年7月", ("明治", 45)),
    ],
)
def test_formats(d, long, padded, short, month, era):
    assert format_wareki(d) == long
    assert format_wareki(d, padded=True) == padded
    assert format_wareki_short(d) == short
    assert format_wareki_month(d) == month
    assert era_of(d) == era


def test_padded_uses_ascii_spaces_only():
    assert format_wareki(date(2025, 1, 1), padded=True) == "令和 7年 1月 1日"


def test_datetime_is_formatted_by_its_date():
    assert format_wareki(datetime(1989, 1, 7, 23, 59)) == "昭和64年1月7日"


def test_dates_before_meiji_cannot_be_formatted():
    with pytest.raises(DomainError) as info:
        format_wareki(date(1868, 10, 22))
    assert "1868-10-22" in info.value.message


# ---------------------------------------------------------------- looks_like_date


@pytest.mark.parametrize(
    "text",
    ["令和7年2月30日", "R7.13.1", "平成32年1月1日", "25-12-01", "7年12月1日", "2025-02-30", "20251231", "5071231"],
)
def test_looks_like_date_even_when_impossible(text):
    assert looks_like_date(text)


@pytest.mark.parametrize(
    "text",
    ["", "山田", "山田太郎", "12345678", "1234567", "20251301", "9071201", "251201", "R7.12", "2025-12",
     "03-1234-5678", "123", "R7", "abc 2025-12-01"],
)
def test_looks_like_date_false(text):
    assert not looks_like_date(text)


@given(st.text(max_size=30))
def test_arbitrary_text_never_crashes(text):
    looks_like_date(text)
    for parse in (parse_date, parse_month):
        try:
            parse(text)
        except DomainError:
            pass


# ---------------------------------------------------------------- round trips

_DATES = st.dates(min_value=date(1926, 12, 25), max_value=date(2100, 12, 31))


@given(_DATES)
def test_round_trip(d):
    assert parse_date(format_wareki(d)) == d
    assert parse_date(format_wareki(d, padded=True)) == d
    assert parse_date(format_wareki_short(d)) == d
    assert parse_date(d.isoformat()) == d
    assert parse_date(d.strftime("%Y%m%d")) == d
    assert looks_like_date(format_wareki(d)) and looks_like_date(format_wareki_short(d))


@given(_DATES)
def test_round_trip_egov_and_month(d):
    name, year = era_of(d)
    code = next(e.code for e in ERAS if e.name == name)
    if year < 100:
        assert parse_date(f"{code}{year:02d}{d.month:02d}{d.day:02d}") == d
    assert parse_month(format_wareki_month(d)) == d.replace(day=1)


@given(_DATES)
def test_full_width_round_trip(d):
    full_width = format_wareki_short(d).translate(
        str.maketrans("0123456789.RHSTM", "０１２３４５６７８９．ＲＨＳＴＭ")
    )
    assert parse_date(full_width) == d
