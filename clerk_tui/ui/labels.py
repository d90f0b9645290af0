"""Screen wording that the domain's labels do not cover: short forms for narrow columns, the
warning prefixes and the screens' fixed messages, kept together so wording is fixed once."""

from __future__ import annotations

from clerk_tui.domain.codes import CardStatus

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

SEARCH_HINT = (
    "氏名・カナ・記号番号・生年月日（和暦・西暦）・事業所で検索\n"
    "項目を指定するときは先頭に 生: 記: カ: 名: 事:（例: 生:S55.4.2）"
)
NO_MATCH = "該当する加入員はいません。"
NEW_SEARCH = "検索欄を空にして新しい検索を始める"
LOADING = "読み込み中"
CANNOT_OPEN = "加入員を表示できません。Esc で戻ってください。"


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
    "member.withdraw": "退職等の資格喪失を記録",
    "member.remove_dependent": "扶養削除を記録",
    "member.cancel_loss": "資格喪失を取消",
    "document.issue": "書類を交付",
    "document.print": "書類を印刷",
    "batch.print": "一括交付の送付書を印刷",
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
