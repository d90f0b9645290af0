"""Everything the screens show that is not typed in: database text made safe for the terminal
(never markup, control characters shown as visible escapes, cut to a width in cells with an ASCII
marker), 和暦 dates, money, the names of codes and statuses (a document's as of today), and the
screens' fixed wording. Screens format through here, so one value reads the same on every screen."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from clerk_tui.domain.codes import (
    CancellationStatus,
    CardStatus,
    ClaimStatus,
    CollectionStatus,
    DependentRemovalReason,
    Labelled,
    WithdrawalReason,
)
from clerk_tui.domain.money import format_yen
from clerk_tui.domain.wareki import format_wareki, format_wareki_month, format_wareki_short

if TYPE_CHECKING:  # the dated rules are loaded with the first document shown, not at start
    from clerk_tui.domain import rules

# "…" is East-Asian ambiguous: a terminal set to draw ambiguous characters wide would shift the
# rest of the row, so truncation is marked with plain ASCII.
CUT_MARK = "~"

_ESCAPE_STYLE = Style(dim=True)
# Bidi controls are category Cf; they reorder the rest of the line on some terminals.
_REVEALED = ("Cc", "Cf", "Cs", "Zl", "Zp")


def _revealed(ch: str) -> bool:
    return unicodedata.category(ch) in _REVEALED


def data_text(value: object, style: str | Style = "") -> Text:
    """A value from the database as literal text: `[bold]` stays `[bold]`; ESC, bidi overrides
    and other invisible controls become `\\x1b`, `\\u202e` … so the clerk sees that they are there."""
    raw = "" if value is None else str(value)
    text = Text(style=style, no_wrap=True, overflow="crop")
    run = []
    for ch in raw:
        if _revealed(ch):
            if run:
                text.append("".join(run))
                run = []
            code = ord(ch)
            text.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}", style=_ESCAPE_STYLE)
        else:
            run.append(ch)
    if run:
        text.append("".join(run))
    return text


def fit(text: Text | str, width: int) -> Text:
    """Cut `text` to `width` cells, ending in CUT_MARK when something was left out. A wide
    character that would straddle the edge is left out whole (the row stays aligned)."""
    if not isinstance(text, Text):
        text = data_text(text)
    if width <= 0:
        return Text()
    if cell_len(text.plain) <= width:
        return text
    keep = width - len(CUT_MARK)
    used = 0
    end = 0
    for i, ch in enumerate(text.plain):
        w = cell_len(ch)
        if used + w > keep:
            break
        used += w
        end = i + 1
    cut = text[:end]
    cut.append(CUT_MARK, style="dim")
    return cut


# 行頭禁則: characters a line must not start with; 行末禁則: characters it must not end with.
_NO_LINE_START = set("、。，．,.)）」』】〕〉》］｝!！?？:：;；・ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〜")
_NO_LINE_END = set("(（「『【〔〈《［｛")


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isprintable() and not ch.isspace()


def _break_before(plain: str, start: int, i: int) -> int:
    """Where to end the line that would overflow at `i` (a break falls before the returned index)."""
    cut = i
    # An ASCII word (1234-567, S55.4.2, E00012) moves down whole unless it fills the line.
    if _is_word(plain[cut]) and _is_word(plain[cut - 1]):
        j = cut
        while j > start and _is_word(plain[j - 1]):
            j -= 1
        if j > start:
            cut = j
    # Pull characters down until the break is allowed (at most a few, never the whole line).
    moved = cut
    while moved - start > 1 and (plain[moved] in _NO_LINE_START or plain[moved - 1] in _NO_LINE_END):
        moved -= 1
        if cut - moved > 3:
            return cut
    return moved


def wrap_ja(text: Text, width: int) -> Text:
    """Break `text` into lines of at most `width` cells anywhere between characters, as Japanese
    is written, but never start a line with 、。）」 etc. nor end one with （「 (simple 禁則)."""
    if width <= 2:
        return text
    out_lines: list[Text] = []
    for line in text.split("\n", allow_blank=True):
        plain = line.plain
        breaks: list[int] = []
        start = 0
        used = 0
        i = 0
        while i < len(plain):
            w = cell_len(plain[i])
            if used + w > width and i > start:
                cut = _break_before(plain, start, i)
                breaks.append(cut)
                start = cut
                used = cell_len(plain[start:i])
            used += w
            i += 1
        pieces = list(line.divide(breaks)) if breaks else [line]
        for n, piece in enumerate(pieces):
            if n:  # a space the break fell on does not indent the next line
                piece = piece[len(piece.plain) - len(piece.plain.lstrip(" ")):]
            if n < len(pieces) - 1:
                piece.rstrip()
            out_lines.append(piece)
    return Text("\n").join(out_lines)


# ------------------------------------------------------------------ dates and money


def wareki(value: date | None, *, padded: bool = False) -> str:
    """A date in full 和暦 (令和7年12月4日; `padded` lines up columns); nothing for no date."""
    return format_wareki(value, padded=padded) if value else ""


def wareki_short(value: date | None) -> str:
    """A date in short 和暦 (R7.12.4), for columns; nothing for no date."""
    return format_wareki_short(value) if value else ""


def wareki_month(value: date | None) -> str:
    """A month in 和暦 (令和7年12月); nothing for no month."""
    return format_wareki_month(value) if value else ""


def wareki_short_month(value: date | None) -> str:
    """A month in short 和暦 (R7.11), as a clerk types it; nothing for no month."""
    return wareki_short(value)[:-3]  # R7.11.01 -> R7.11


def date_cell(value: date | None) -> Text:
    """A table cell with a date in short 和暦."""
    return Text(wareki_short(value))


def month_cell(value: date | None) -> Text:
    """A table cell with a month in short 和暦."""
    return Text(wareki_short_month(value))


def yen_cell(amount: int | None) -> Text:
    """A table cell with an amount of money, right-aligned."""
    return Text(yen(amount), justify="right")


def yen(amount: int | None) -> str:
    """An amount of money as on the paper (12,345円); nothing for no amount."""
    return "" if amount is None else format_yen(amount)


def labelled(label: str, value: Text | str) -> Text:
    """`label value`, the label dimmed: one line of a summary."""
    text = Text()
    text.append(label, style="dim")
    text.append(" ")
    text.append_text(value if isinstance(value, Text) else Text(value))
    return text


# ------------------------------------------------------------------ wording

# The full labels (codes.py) are up to 24 cells: too wide for a column at 80×24.
CARD_STATUS_SHORT: dict[CardStatus, str] = {
    CardStatus.NO_CARD: "カード未取得",
    CardStatus.NOT_REGISTERED: "利用登録なし",
    CardStatus.CARD_LOST: "カード紛失",
    CardStatus.CARD_RENEWING: "カード更新中",
    CardStatus.CERT_EXPIRED: "証明書期限切れ",
    CardStatus.CARD_RETURNED: "カード返納",
    CardStatus.REGISTRATION_CANCELLED: "利用登録解除",
    CardStatus.USABLE: "利用可",
}

# Plain words, not 【】 or symbols: they read the same on every terminal and in 8 colours.
WARNING_PREFIX = {"error": "警告", "warning": "注意", "info": "情報"}

INSURED = "本人"
DEPENDENT = "家族"
ACTIVE = "在籍"
LOST = "喪失"
# A search hit found through a former name (旧姓) only: the row shows the current name and this.
FORMER_NAME_MARK = "旧氏名"

SEARCH_HINT = (
    "氏名・カナ・記号番号・生年月日（和暦・西暦）・事業所で検索\n"
    "項目を指定するときは先頭に 生: 記: カ: 名: 事:（例: 生:S55.4.2）"
)
NO_MATCH = "該当する加入員はいません。"
NEW_SEARCH = "新しい検索を始める"
LOADING = "読み込み中"
CANNOT_OPEN = "加入員を表示できません。Esc で戻ってください。"


# ------------------------------------------------------------------ codes and statuses

L = TypeVar("L", bound=Labelled)

# Statuses that wait for the clerk (a paper still missing, a document still out): shown in bold.
_NEEDS_ACTION = {CancellationStatus.RECEIVED, ClaimStatus.INCOMPLETE, CollectionStatus.OUTSTANDING}


def code_label(code: Labelled | None) -> str:
    """The Japanese name of a stored code (a kind, a reason, a status …); nothing for no code."""
    return "" if code is None else code.label


def code_choices(codes: Iterable[L]) -> list[tuple[str, L]]:
    """(name, code) pairs for a choice field, in the order given."""
    return [(code_label(c), c) for c in codes]


def status_cell(status: Labelled) -> Text:
    """A table cell naming a record's status; bold while it waits for the clerk."""
    return Text(code_label(status), style="bold" if status in _NEEDS_ACTION else "")


def _ending_soon(standing: rules.DocumentStanding) -> bool:
    from clerk_tui.domain import rules

    return standing.in_force and standing.days_left is not None and standing.days_left < rules.EXPIRY_NOTICE_DAYS


def standing_text(standing: rules.DocumentStanding) -> str:
    """A document's standing today (R18): 有効, 失効, 期限切れ, 資格喪失, 返却済 …; an in-force
    document close to its end shows the days left (有効 残30日, on its last day 有効 本日まで)."""
    if not _ending_soon(standing):
        return standing.label
    return f"{standing.label} " + ("本日まで" if standing.days_left == 0 else f"残{standing.days_left}日")


def standing_cell(standing: rules.DocumentStanding) -> Text:
    """A table cell with a document's standing today; bold when it is close to its end."""
    return Text(standing_text(standing), style="bold" if _ending_soon(standing) else "")


def member_kind(member, *, short: bool = False) -> str:
    """本人, or 家族・配偶者 (`short`: 配偶者) for a dependent."""
    if member.is_insured:
        return INSURED
    return code_label(member.relationship) if short else f"{DEPENDENT}・{code_label(member.relationship)}"


def loss_reason_label(code: str | None) -> str:
    """The Japanese name of a stored loss reason (an insured's reason also ends a dependent's)."""
    for enum in (WithdrawalReason, DependentRemovalReason):
        try:
            return enum(code).label
        except ValueError:
            continue
    return code or ""


def card_status_short(status: CardStatus | str | None) -> str:
    if status is None:
        return ""
    try:
        return CARD_STATUS_SHORT[CardStatus(status)]
    except ValueError:
        return str(status)


def count_text(count: int, more: bool) -> str:
    if more:
        return f"{count}件以上あります。先頭{count}件を表示（条件を足して絞り込んでください）"
    return f"{count}件"


def worker_failed(exc: BaseException) -> str:
    return f"処理中に予期しないエラーが発生しました（{type(exc).__name__}）。もう一度操作し、続く場合は管理者に連絡してください。"


# The audit trail stores action codes; the 履歴 tab names them. Unknown codes are shown as stored.
AUDIT_ACTIONS = {
    "member.view": "加入員を表示",
    "member.update": "加入員情報を変更",
    "member.change": "登録内容の変更届",
    "member.correct": "登録内容の訂正",
    "member.enrol": "資格取得を登録",
    "member.add_dependent": "扶養追加を登録",
    "member.duplicates": "重複候補として表示",
    "member.withdraw": "退職等の資格喪失を記録",
    "member.remove_dependent": "扶養削除を記録",
    "member.cancel_loss": "資格喪失を取消",
    "member.turning_70": "70歳到達の書類を交付待ちに",
    "document.issue": "書類を交付",
    "document.print": "書類を印刷",
    "document.facility_code": "施設確認コードを付与",
    "batch.print": "一括交付の送付書を印刷",
    "issue_request.issue": "交付待ちの書類を交付済みに",
    "cancellation.print_receipt": "解除申請の受付控を印刷",
    "loss_report.print": "滅失届を印刷",
    "claim.print_missing_papers": "立替払の不足書類通知を印刷",
    "claim.print_transmittal": "立替払の送付一覧を印刷",
    "db.reindex": "検索キーを再作成",
    "fixtures.generate": "合成データを生成",
    "cancellation.record": "利用登録解除申請を受付",
    "cancellation.withdraw": "利用登録解除申請の取下げ",
    "cancellation.complete": "利用登録解除申請を完了",
    "loss_report.record": "滅失届を受付",
    "loss_report.found": "滅失した書類の発見",
    "collection.return": "返却を受付",
    "collection.reminder": "返却の督促",
    "collection.close": "回収を終了",
    "claim.record": "立替払の請求を受付",
    "claim.papers": "立替払の書類を受領",
    "claim.recompute": "立替払の支給見込額を再計算",
    "claim.forward": "立替払を給付グループへ回付",
    "fixtures.load": "研修データを読込",
}


def audit_action(code: str) -> str:
    return AUDIT_ACTIONS.get(code, code)
