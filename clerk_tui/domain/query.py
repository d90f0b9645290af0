"""What the clerk typed into the one member-search box: a 記号・番号, a birth date, a name in kana
or kanji, or an employer, turned into normalised search values (pure, no I/O)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from clerk_tui.domain import kana, wareki
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.ids import (
    NUMBER_MAX,
    SYMBOL_MAX,
    MemberCode,
    looks_like_member_code,
    parse_member_code,
)
from clerk_tui.domain.text import contains_my_number, sanitize_input

__all__ = ["MAX_QUERY_CHARS", "SUBSTRING_MIN_CHARS", "Query", "QueryKind", "parse_query"]

# The name index is made of 3-character pieces (trigrams): a part from the middle of a name can
# be found only from 3 characters on; 1–2 characters are matched at the start of family or given name.
SUBSTRING_MIN_CHARS = 3
MAX_QUERY_CHARS = 100

FIELD = "search"


class QueryKind(StrEnum):
    EMPTY = "empty"
    MEMBER_CODE = "member_code"
    BIRTH_DATE = "birth_date"
    KANA_NAME = "kana_name"
    KANJI_NAME = "kanji_name"  # any name that is not kana only: kanji, mixed, Latin letters
    EMPLOYER = "employer"


@dataclass(frozen=True)
class Query:
    kind: QueryKind
    text: str  # the input, sanitised (prefix included), for messages
    description: str  # Japanese, what the search looks for: 「カナ氏名『ヤマダタ』で検索」
    key: str | None = None  # name search key (kana_key / name_key) or employer name key
    member_code: MemberCode | None = None  # with BIRTH_DATE: the same text read as a code, too
    birth_date: date | None = None
    employer_codes: tuple[str, ...] = ()  # exact 事業所番号 to try (E12 also as E00012)
    employer_kana: str | None = None  # an employer name typed in kana, matched against its reading
    forced: bool = False  # the clerk chose the field with a prefix such as 生:
    note: str | None = None  # why another reading was not taken, for a "no match" message

    @property
    def is_prefix_only(self) -> bool:
        """A 1–2 character name: matched at the start of family or given name only."""
        return self.key is not None and len(self.key) < SUBSTRING_MIN_CHARS


# Prefix letter → kind. カ may come half-width (ｶ) and the colon full-width (：): NFKC folds both
# before this match.
_PREFIXES = {
    "記": QueryKind.MEMBER_CODE,
    "番": QueryKind.MEMBER_CODE,
    "生": QueryKind.BIRTH_DATE,
    "カ": QueryKind.KANA_NAME,
    "名": QueryKind.KANJI_NAME,
    "事": QueryKind.EMPLOYER,
}
_PREFIX = re.compile(r"^\s*([記番生カ名事])\s*:")
_EMPLOYER_CODE = re.compile(r"^[Ee]\s*-?\s*(\d{1,15})$")
# Digit groups split by anything a clerk uses between 記号, 番号 and 枝番 (as domain.ids accepts).
_CODE_SEP = r"[\s\-‐‑‒–—―−ー・/,.]+"
_CODE_LIKE = re.compile(rf"^\d+(?:{_CODE_SEP}\d+)+$")
_CODE_PARTS = re.compile(r"\d+")
_DIGITS_AND_SEPS = re.compile(rf"^(?:\d|{_CODE_SEP})+$")
# A legal form in the text means an employer, not a person; it is left out of the name match
# because clerks write it in many ways (株式会社, ㈱, (株)) and the society's list in one.
_LEGAL_FORM = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|\((?:株|有|同|資|名)\)|"
    r"(?:一般|公益)?(?:社団|財団)法人|(?:社会福祉|医療|学校|宗教|特定非営利活動|NPO)法人|"
    r"カブシキガイシャ|ユウゲンガイシャ|ゴウドウガイシャ"
)
_ERA_START = re.compile(r"^(明治|大正|昭和|平成|令和|[明大昭平令MTSHRmtshr])\s*(\d|元)")

_CODE_EXAMPLES = "例: 1234-567、1234-567-01"
_DATE_EXAMPLES = "例: S55.4.2、昭和55年4月2日、1980-04-02"
_DIGITS_HELP = (
    "記号・番号は区切って（例: 1234-567）、生年月日は日付の形で（例: S55.4.2、1980-04-02）、"
    "事業所番号は E で始めて（例: E00012）入力してください"
)


def parse_query(text: str | None, *, today: date | None = None) -> Query:
    """Classify the clerk's input; DomainError (Japanese message) when it cannot be searched.

    Without a prefix: a date shape → birth date (and, when it is digit groups such as
    `1980-04-02`, also that 記号・番号・枝番); other digit groups with a separator → 記号・番号;
    `E00012` or a legal form (株式会社) → employer; kana only → kana name; anything else with
    letters → name (kanji, mixed or Latin). A prefix such as `生:` or `記:` removes the doubt.
    With `today`, a date after it is no birth date (`2389-1-01` is then only a code).
    """
    cleaned = sanitize_input(text or "")
    if len(cleaned) > MAX_QUERY_CHARS:
        raise DomainError(f"検索語が長すぎます（{MAX_QUERY_CHARS}文字まで。いま{len(cleaned)}文字）。", FIELD)
    folded = kana.fold_width(cleaned).strip()
    match = _PREFIX.match(folded)
    if match:
        kind = _PREFIXES[match.group(1)]
        # The value keeps its original width (the kana rules need to see it); only the prefix goes.
        body = _strip_prefix(cleaned)
        if not body:
            return Query(QueryKind.EMPTY, cleaned, "", forced=True)
        return _forced(kind, body, cleaned, today)
    if not cleaned:
        return Query(QueryKind.EMPTY, cleaned, "")
    return _guess(cleaned, folded, today)


def _strip_prefix(cleaned: str) -> str:
    # The prefix is one character, a colon (ASCII or full-width) and optional spaces.
    return re.sub(r"^\s*\S\s*[:：]\s*", "", cleaned, count=1).strip()


def _forced(kind: QueryKind, body: str, text: str, today: date | None) -> Query:
    folded = kana.fold_width(body).strip()
    if kind is QueryKind.MEMBER_CODE:
        return _member_code(body, folded, text, forced=True)
    if kind is QueryKind.BIRTH_DATE:
        return _birth_date(body, text, today, forced=True)
    if kind is QueryKind.KANA_NAME:
        if not kana.is_kana(body):
            raise DomainError(
                f"「カ:」の後はカタカナまたはひらがなで入力してください: 「{_quote(body)}」", FIELD
            )
        return _kana_name(body, text, forced=True)
    if kind is QueryKind.EMPLOYER:
        return _employer(body, folded, text, forced=True)
    _require_letters(body, folded)
    return _name(body, text, forced=True)


def _guess(cleaned: str, folded: str, today: date | None) -> Query:
    if _DIGITS_AND_SEPS.match(folded) and contains_my_number(cleaned):
        raise _my_number_error()
    if wareki.looks_like_date(cleaned):
        return _date_or_code(cleaned, folded, today)
    if _CODE_LIKE.match(folded) or looks_like_member_code(cleaned):
        return _member_code(cleaned, folded, cleaned, forced=False)
    if _EMPLOYER_CODE.match(folded) or _LEGAL_FORM.search(folded):
        return _employer(cleaned, folded, cleaned, forced=False)
    if any(ch.isdigit() for ch in folded):
        if _ERA_START.match(folded) or re.match(r"^\d{4}\s*[年./-]", folded):
            # Starts like a date but is not a whole one (S45, 昭和45年1月): say what is missing.
            raise DomainError(
                f"生年月日は年・月・日まで入力してください: 「{_quote(cleaned)}」（{_DATE_EXAMPLES}）", FIELD
            )
        if folded.isdigit():
            raise DomainError(f"数字だけでは検索できません: 「{_quote(cleaned)}」。{_DIGITS_HELP}。", FIELD)
        raise DomainError(f"数字を含む検索語は読み取れません: 「{_quote(cleaned)}」。{_DIGITS_HELP}。", FIELD)
    _require_letters(cleaned, folded)
    if kana.is_kana(cleaned):
        return _kana_name(cleaned, cleaned, forced=False)
    return _name(cleaned, cleaned, forced=False)


# ------------------------------------------------------------------------------------- kinds


def _member_code(body: str, folded: str, text: str, *, forced: bool) -> Query:
    if contains_my_number(body):
        raise _my_number_error()
    try:
        code = parse_member_code(body)
    except DomainError:
        raise _code_error(body, folded) from None
    if code.branch is None:
        description = f"記号・番号『{code}』（世帯全員）で検索"
    else:
        description = f"記号・番号・枝番『{code}』で検索"
    return Query(QueryKind.MEMBER_CODE, text, description, member_code=code, forced=forced)


def _code_error(body: str, folded: str) -> DomainError:
    """Why a 記号・番号 was refused, part by part when the shape is digit groups."""
    quoted = _quote(body)
    if _CODE_LIKE.match(folded):
        parts = _CODE_PARTS.findall(folded)
        if len(parts) > 3:
            reason = "区切りが多すぎます（記号・番号・枝番の3つまで）"
        elif len(parts[0]) > SYMBOL_MAX:
            reason = f"記号が{len(parts[0])}桁あります（{SYMBOL_MAX}桁まで）"
        elif len(parts[1]) > NUMBER_MAX:
            reason = f"番号が{len(parts[1])}桁あります（{NUMBER_MAX}桁まで）"
        else:
            reason = f"枝番が{len(parts[2])}桁あります（2桁まで）"
        return DomainError(f"記号・番号「{quoted}」は読み取れません: {reason}（{_CODE_EXAMPLES}）", FIELD)
    return DomainError(f"記号・番号の形が読み取れません: 「{quoted}」（{_CODE_EXAMPLES}）", FIELD)


def _my_number_error() -> DomainError:
    return DomainError(
        "12桁の数字は個人番号（マイナンバー）の可能性があるため、検索には使えません。"
        f"記号・番号で検索してください（{_CODE_EXAMPLES}）。",
        FIELD,
    )


def _date_or_code(cleaned: str, folded: str, today: date | None) -> Query:
    """`1980-04-02` is a date and also a 記号・番号・枝番 (記号 1980, 番号 04, 枝番 02): both are
    searched. Not a possible date (`2025-13-01`, `1234-5-06`): the code alone, with the reason
    kept for a "no match" message. Neither: the date's error."""
    code = None
    if _CODE_LIKE.match(folded):
        try:
            code = parse_member_code(cleaned)
        except DomainError:
            pass
    try:
        query = _birth_date(cleaned, cleaned, today, forced=False)
    except DomainError as exc:
        if code is None:
            raise
        return replace(_member_code(cleaned, folded, cleaned, forced=False),
                       note=f"日付としては読めません: {exc.message}")
    if code is None:
        return query
    also = "記号・番号" if code.branch is None else "記号・番号・枝番"
    description = query.description.removesuffix("で検索") + f"または{also}『{code}』で検索"
    return replace(query, member_code=code, description=description)


def _birth_date(body: str, text: str, today: date | None, *, forced: bool) -> Query:
    day = wareki.parse_date(body, field=FIELD)  # its messages quote the input and name the fault
    if today is not None and day > today:
        raise DomainError(
            f"「{_quote(body)}」は未来の日付（{wareki.format_wareki(day)}）で、生年月日ではありません", FIELD
        )
    description = f"生年月日『{wareki.format_wareki(day)}』（{day.isoformat()}）で検索"
    return Query(QueryKind.BIRTH_DATE, text, description, birth_date=day, forced=forced)


def _kana_name(body: str, text: str, *, forced: bool) -> Query:
    key = kana.kana_key(body)
    if not key:
        raise _no_letters(body)
    return Query(QueryKind.KANA_NAME, text, f"カナ氏名『{key}』{_notes(key, False)}で検索",
                 key=key, forced=forced)


def _name(body: str, text: str, *, forced: bool) -> Query:
    key = kana.name_key(body)
    if not key:
        raise _no_letters(body)
    has_variants = any(len(kana.variants_of(ch)) > 1 for ch in key)
    return Query(QueryKind.KANJI_NAME, text, f"氏名『{key}』{_notes(key, has_variants)}で検索",
                 key=key, forced=forced)


def _notes(key: str, has_variants: bool) -> str:
    notes = []
    if len(key) < SUBSTRING_MIN_CHARS:
        notes.append("姓・名の先頭")
    if has_variants:
        notes.append("異体字を含む")
    return f"（{'・'.join(notes)}）" if notes else ""


def _employer(body: str, folded: str, text: str, *, forced: bool) -> Query:
    code = _EMPLOYER_CODE.match(folded)
    if code:
        digits = code.group(1)
        # Codes are stored as E + 5 digits (E00012); a clerk often drops the zeros.
        codes = tuple(dict.fromkeys(("E" + digits, "E" + digits.zfill(5))))
        return Query(QueryKind.EMPLOYER, text, f"事業所番号『{codes[-1]}』で検索",
                     employer_codes=codes, forced=forced)
    _require_letters(body, folded)
    name = _LEGAL_FORM.sub(" ", folded).strip()
    key = kana.name_key(name)
    if not key:
        raise DomainError(
            f"事業所名は法人の種類（株式会社など）以外の部分も入力してください: 「{_quote(body)}」", FIELD
        )
    # After 事: the text may also be a code of another shape: it is tried as one, exactly.
    codes = (re.sub(r"\s+", "", folded).upper(),) if forced else ()
    reading = kana.to_katakana(name).replace(" ", "") if kana.is_kana(name) else None
    return Query(QueryKind.EMPLOYER, text, f"事業所名『{key}』で検索", key=key,
                 employer_codes=codes, employer_kana=reading, forced=forced)


# ------------------------------------------------------------------------------------ helpers


def _require_letters(body: str, folded: str) -> None:
    # Letters (kanji, kana, Latin) or digits make a searchable word; symbols alone do not.
    if not any(unicodedata.category(ch)[0] in "LN" for ch in folded):
        raise _no_letters(body)


def _no_letters(body: str) -> DomainError:
    return DomainError(
        f"検索できる文字がありません: 「{_quote(body)}」。氏名・記号番号・生年月日・事業所を入力してください。",
        FIELD,
    )


def _quote(text: str) -> str:
    shown = " ".join(text.split())
    return shown if len(shown) <= 30 else shown[:30] + "..."  # ASCII: "…" is ambiguous-width
