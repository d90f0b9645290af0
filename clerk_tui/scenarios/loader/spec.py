"""The scenario format as data: every section and every field with its type, limits, whether it
is required, and its description in Japanese and English. The checks (values.py), the JSON schema
and the field tables of docs/fixtures.md (docgen.py) are all derived from this one table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clerk_tui.db import models
from clerk_tui.domain import codes
from clerk_tui.domain.codes import Labelled

# 標準報酬月額 runs from grade 1 (58,000) to grade 50 (1,390,000).
REMUNERATION_MIN, REMUNERATION_MAX = 58_000, 1_390_000
AMOUNT_MAX = 100_000_000  # a 立替払 above ¥1億 is a typing mistake

# Kinds of value (the checks for each are in values.py):
#   text      free text up to max_len characters (the free-text rule: no control characters, no My Number)
#   name/kana a person's or employer's name (kana: stored as full-width katakana); `label` names it in messages
#   date      a TOML date or a 和暦/西暦 string;  month: a year and month (or a date naming it)
#   bool      true/false;  int: whole number from minimum to maximum (yen)
#   code      one of `enum` (or of `choices`, when given), by code or by its Japanese label
#   digits    a quoted string of min_len..max_len digits;  member_code: symbol-number-branch
#   postal    123-4567;  phone: digits, hyphens and brackets
#   special   checked by the section's own rule (its meaning depends on other fields); `schema` gives its shape
KINDS = ("text", "name", "kana", "date", "month", "bool", "int", "code", "digits", "member_code",
         "postal", "phone", "special")


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    kind: str
    ja: str
    en: str
    required: bool = False
    max_len: int | None = None
    min_len: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    enum: type[Labelled] | None = None
    choices: tuple[Labelled, ...] | None = None  # a code field that takes only these of its enum
    label: str | None = None
    default: Any = None
    schema: dict[str, Any] | None = None  # the JSON schema of a special field

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    label: str  # what the load report calls it
    single: bool  # [insurer] rather than [[members]]
    ja: str
    en: str


def _len(model: Any, name: str) -> int:
    return model._meta.fields[name].max_length


F = Field
SECTIONS: tuple[Section, ...] = (
    Section("scenario", "シナリオ", True, "シナリオの名前と説明。研修の基準日（today）を固定できる。",
            "The scenario's name and description; may fix the training 'today'."),
    Section("insurer", "保険者", True, "保険者（健康保険組合）自身の情報。読み込むファイル全体で1つまで。",
            "The insurer's own profile; at most one across the files loaded together."),
    Section("employers", "事業所", False, "事業所。code で識別（同じ code をもう一度読み込むと更新）。",
            "Employers, identified by code (loading the same code again updates it)."),
    Section("members", "加入員", False, "加入員（被保険者と被扶養者）。記号-番号-枝番で識別。",
            "Members (insured persons and dependents), identified by symbol-number-branch."),
    Section("documents", "書類", False, "保険者が交付した書類。serial で識別。",
            "Documents the insurer issued, identified by serial."),
    Section("cancellations", "利用登録解除申請", False,
            "利用登録解除申請（R7）。加入員と受付日で識別。解除日は受付月の翌月末日（自動計算）。",
            "Registration cancellations (R7), identified by member and received_on; effective_on is computed."),
    Section("loss_reports", "滅失届", False, "被保険者証滅失届（R8）。加入員・書類の種類・紛失日で識別。",
            "Loss reports (R8), identified by member, document kind and lost_on."),
    Section("collection_items", "回収対象", False,
            "回収対象（R9・R10）: 資格喪失後に戻るべき書類。書類で識別。事業所は加入員の事業所。",
            "Collection items (R9, R10), identified by document; the employer is the member's."),
    Section("claims", "立替払請求", False,
            "立替払の療養費請求（R12）。患者・診療月・医療機関で識別。負担割合と支給見込額は自動計算。",
            "Reimbursement claims (R12), identified by patient, treatment month and institution; ratio and refund are computed."),
    Section("former_names", "旧姓", False,
            "旧姓（氏名変更の前の氏名, R17）。加入員と使用最終日で識別。検索で「旧氏名」として見つかる。",
            "Former names (before a name change, R17), identified by member and used_until; the search finds them."),
    Section("issue_requests", "交付待ち", False,
            "交付待ち（事業所経由で交付する書類, R16・R17）。加入員・書類の種類・交付待ちになった日で識別。F4 と事業所別一括交付（F6）に出る。",
            "Documents queued for issue via the employer (R16, R17), identified by member, kind and queued_on."),
)

# Every section's fields, in the order a trainer reads them (and problems are listed).
SPEC: dict[str, tuple[Field, ...]] = {
    "scenario": (
        F("name", "text", "シナリオ名（画面・記録に出る）", "Scenario name", required=True, max_len=200),
        F("description", "text", "説明（任意）", "Description (optional)", max_len=4000),
        F("today", "date",
          "研修の基準日。一緒に読み込むファイルはすべて同じ日にする。書かなければ実際の日付",
          "Fixed training 'today'; all files loaded together must agree. Omit for the real date"),
        F("include", "special",
          "続けて読み込む部品ファイル（このファイルのフォルダからの相対パス。* などのパターンは名前順）。"
          "大きなシナリオを分けて書くときに使う",
          "Part files loaded after this one (paths relative to this file's folder; a pattern such as "
          "* matches in name order). For scenarios too large for one file",
          schema={"type": "array", "items": {"type": "string", "minLength": 1}}),
    ),
    "insurer": (
        F("insurer_number", "digits", "保険者番号（8桁）", "Insurer number (8 digits)", required=True, min_len=8, max_len=8),
        F("name", "text", "保険者名", "Insurer name", required=True, max_len=_len(models.Insurer, "name")),
        F("postal_code", "postal", "郵便番号", "Postal code", required=True),
        F("address", "text", "所在地", "Address", required=True, max_len=_len(models.Insurer, "address")),
        F("enrolment_section_name", "text",
          "適用担当の名称（既定: 適用グループ）",
          "Enrolment section name (default 適用グループ)", max_len=50),
        F("enrolment_phone", "phone", "適用グループの電話番号（R15）", "Enrolment section phone (R15)", required=True),
        F("enrolment_fax", "phone", "適用グループのFAX番号", "Enrolment section fax"),
        F("benefits_section_name", "text", "給付担当の名称（既定: 給付グループ）", "Benefits section name (default 給付グループ)", max_len=50),
        F("benefits_phone", "phone",
          "給付グループの電話番号（立替払の問い合わせ先, R12・R15）",
          "Benefits section phone (R12, R15)", required=True),
    ),
    "employers": (
        F("code", "text",
          "事業所コード（加入員の employer で参照）",
          "Employer code (referred to by members.employer)", required=True, max_len=_len(models.Employer, "code")),
        F("name", "text", "事業所名", "Employer name", required=True, max_len=_len(models.Employer, "name")),
        F("name_kana", "kana",
          "事業所名のカナ（ひらがな・半角も可）",
          "Employer name in kana", label="事業所名（カナ）", max_len=_len(models.Employer, "name_kana")),
        F("postal_code", "postal", "郵便番号", "Postal code"),
        F("address", "text", "所在地", "Address", max_len=_len(models.Employer, "address")),
        F("phone", "phone", "電話番号", "Phone"),
        F("contact_person", "text", "担当者", "Contact person", max_len=_len(models.Employer, "contact_person")),
        F("symbol", "digits",
          "記号（数字1〜8桁、引用符で囲む）。省略時は所属する加入員の多くが持つ記号",
          "Symbol its families are enrolled under (1–8 digits, quoted); default: the one most of its members have",
          min_len=1, max_len=8),
    ),
    "members": (
        F("symbol", "digits", "記号（数字1〜8桁、引用符で囲む）", "Symbol (1–8 digits, quoted)", required=True, min_len=1, max_len=8),
        F("number", "digits", "番号（数字1〜8桁、引用符で囲む）", "Number (1–8 digits, quoted)", required=True, min_len=1, max_len=8),
        F("branch", "digits",
          "枝番（数字2桁。本人は通常 00）",
          "Branch (2 digits; 00 for the insured in most data)", required=True, min_len=2, max_len=2),
        F("employer", "text",
          "事業所コード。被保険者は必須、被扶養者は省略（被保険者と同じ）",
          "Employer code; required of insured persons, a dependent's is the insured's",
          max_len=_len(models.Employer, "code")),
        F("insured", "member_code",
          "被扶養者だけ: 被保険者の記号-番号-枝番（同じ記号・番号）",
          "Dependents only: the insured's symbol-number-branch (same symbol and number)"),
        F("relationship", "code",
          "続柄。被扶養者は必須。本人は self（既定）",
          "Relationship; required of dependents, 'self' for the insured (default)", enum=codes.Relationship),
        F("family_name", "name",
          "氏（登録どおり。異体字もそのまま）",
          "Family name as registered (variant kanji kept)", required=True, label="氏", max_len=40),
        F("given_name", "name", "名", "Given name", required=True, label="名", max_len=40),
        F("family_name_kana", "kana",
          "氏のカナ（ひらがな・半角も可。全角カタカナで保存）",
          "Family name reading (hiragana or half-width accepted; stored as full-width katakana)",
          required=True, label="氏（カナ）", max_len=60),
        F("given_name_kana", "kana", "名のカナ", "Given name reading", required=True, label="名（カナ）", max_len=60),
        F("birth_date", "date", "生年月日", "Birth date", required=True),
        F("sex", "code", "性別", "Sex", required=True, enum=codes.Sex),
        F("postal_code", "postal", "郵便番号", "Postal code"),
        F("address", "text", "住所", "Address", max_len=_len(models.Member, "address")),
        F("phone", "phone", "電話番号", "Phone"),
        F("acquired_on", "date", "資格取得日", "Date qualification was acquired", required=True),
        F("lost_on", "date",
          "資格喪失日（最終勤務日の翌日。被扶養者は被保険者と同じ日まで）",
          "Date qualification was lost (the day after the last working day)"),
        F("loss_reason", "special",
          "資格喪失の理由。被保険者: WithdrawalReason、被扶養者: DependentRemovalReason（被保険者の喪失に伴うときは WithdrawalReason も可）",
          "Reason for the loss: a withdrawal reason (insured) or a removal reason (dependent; or the insured's withdrawal reason)",
          
          schema={"anyOf": [{"$ref": "#/$defs/WithdrawalReason"}, {"$ref": "#/$defs/DependentRemovalReason"}]}),
        F("registered_on", "date",
          "保険者が届出を登録した日（既定: 資格取得日, R13）",
          "Date the insurer registered the notification (default acquired_on, R13)"),
        F("standard_monthly_remuneration", "int",
          "標準報酬月額（円、被保険者だけ）。70〜74歳の2割・3割を決める（R5）",
          "Standard monthly remuneration in yen, insured only; decides 2割/3割 at 70–74 (R5)",
          minimum=REMUNERATION_MIN, maximum=REMUNERATION_MAX),
        F("income_reduction", "bool",
          "基準収入額適用申請の承認済（3割→2割, R5）",
          "Approved income-based reduction (3割 → 2割, R5)", default=False),
        F("needs_assistance", "bool",
          "要配慮者（申請により資格確認書を交付, R7）",
          "Needs assistance: may get a 資格確認書 on request (R7)", default=False),
        F("card_status", "code",
          "マイナンバーカードの状況（R3）。既定 no_card",
          "My Number card situation (R3); default no_card", enum=codes.CardStatus),
        F("mynumber_received_on", "date",
          "保険者が個人番号を受け取った日（R11）。番号そのものは書かない",
          "Date the insurer received the member's My Number (R11); never the number itself"),
    ),
    "documents": (
        F("member", "member_code", "加入員の記号-番号-枝番", "The member's symbol-number-branch", required=True),
        F("kind", "code", "書類の種類", "Document kind", required=True, enum=codes.DocumentKind),
        F("serial", "text",
          "書類番号（省略時: 種類-記号-番号-枝番-交付日 例 EC-1001-23-00-20251110）",
          "Serial (default: KIND-symbol-number-branch-yyyymmdd, e.g. EC-1001-23-00-20251110)",
          max_len=_len(models.Document, "serial")),
        F("issued_on", "date", "交付日", "Issue date", required=True),
        F("valid_until", "date",
          "有効期限（省略時: 資格確認書はR4で計算、健康保険証・高齢受給者証は令和7年12月1日）",
          "Valid until (default: R4 for a 資格確認書, 2025-12-01 for legacy cards)"),
        F("route", "code", "交付経路", "Route", enum=codes.Route),
        F("reason", "code", "交付理由", "Reason for issue", enum=codes.IssueReason),
        F("reason_note", "text", "交付理由の補足", "Note on the reason", max_len=1000),
        F("status", "code", "状態（既定: valid）", "Status (default valid)", enum=codes.DocumentStatus),
        F("status_changed_on", "date", "状態が変わった日（既定: 返却日）", "Date the status changed (default returned_on)"),
        F("returned_on", "date", "返却日（status が returned のとき必須）", "Date returned (required when status is returned)"),
        F("copay_ratio", "special",
          "印字する負担割合 2 か 3。70歳未満は書かない（*******, R5）。R5と違えば読み込みを止める",
          "Printed ratio 2 or 3; omit under 70 (asterisks, R5); must agree with R5",
          schema={"type": "integer", "enum": [2, 3]}),
        F("ratio_effective_from", "date",
          "負担割合の発効期日（省略時: R5で計算）",
          "Date the printed ratio takes effect (default: from R5)"),
        F("supersedes", "text",
          "差し替える前の書類の serial（再交付のとき）",
          "Serial of the document this one replaces (reissue)", max_len=_len(models.Document, "serial")),
        F("override_reason", "text",
          "マイナ保険証を使える人に交付した理由（R3の例外）",
          "Why issued to a member who can use マイナ保険証 (R3 exception)", max_len=1000),
    ),
    "cancellations": (
        F("member", "member_code", "申請した加入員", "The applying member", required=True),
        F("received_on", "date", "保険者の受付日", "Date the insurer received it", required=True),
        F("applicant_name", "text",
          "申請書の氏名（既定: 加入員の氏名）",
          "Name on the form (default the member's)", max_len=_len(models.RegistrationCancellation, "applicant_name")),
        F("applicant_birth_date", "date", "申請書の生年月日（既定: 加入員の生年月日）", "Birth date on the form (default the member's)"),
        F("applicant_address", "text",
          "申請書の住所",
          "Address on the form", max_len=_len(models.RegistrationCancellation, "applicant_address")),
        F("applicant_phone", "phone", "申請書の連絡先", "Phone on the form"),
        F("reason", "text", "申請理由（任意）", "Reason (optional)", max_len=2000),
        F("proxy_name", "text", "代理人の氏名", "Proxy's name", max_len=_len(models.RegistrationCancellation, "proxy_name")),
        F("proxy_relationship", "text",
          "代理人の続柄",
          "Proxy's relationship", max_len=_len(models.RegistrationCancellation, "proxy_relationship")),
        F("mismatch_accepted", "bool",
          "登録内容との不一致を確認のうえ受理",
          "Accepted despite a mismatch with the registered data", default=False),
        F("legacy_card_at_hand", "bool",
          "健康保険証が手元にあるか（false なら滅失届, R8）",
          "Whether the legacy card is at hand (false: a loss report, R8)"),
        F("status", "code",
          "状態（既定: received）。withdrawn 以外なら加入員の card_status を registration_cancelled にする",
          "Status (default received); unless withdrawn, the member's card_status becomes registration_cancelled",
          enum=codes.CancellationStatus),
        F("previous_card_status", "code",
          "申請前のカードの状況（既定: 加入員の card_status）",
          "Card status before the application (default the member's card_status)", enum=codes.CardStatus),
        F("withdrawn_on", "date", "取下げ日（status が withdrawn のとき）", "Date withdrawn (status withdrawn only)"),
    ),
    "loss_reports": (
        F("member", "member_code", "加入員", "Member", required=True),
        F("document_kind", "code", "なくした書類の種類", "Kind of the lost document", required=True, enum=codes.DocumentKind),
        F("document", "text",
          "なくした書類の serial（分かれば）",
          "Serial of the lost document (if known)", max_len=_len(models.Document, "serial")),
        F("received_on", "date", "受付日", "Date received", required=True),
        F("lost_on", "date", "紛失・滅失した日", "Date lost", required=True),
        F("circumstance", "code", "状況", "Circumstance", required=True, enum=codes.LossCircumstance),
        F("police_report_ref", "text",
          "警察の受理番号など",
          "Police report reference", max_len=_len(models.LossReport, "police_report_ref")),
        F("reissue_requested", "bool", "再交付の希望", "Reissue requested", default=False),
        F("found_on", "date", "見つかった日（R9: 再交付後でも返却が必要）", "Date found (R9: must still be returned after a reissue)"),
    ),
    "collection_items": (
        F("document", "text",
          "回収する書類の serial（資格確認書・健康保険証・高齢受給者証）",
          "Serial of the document to collect", required=True, max_len=_len(models.Document, "serial")),
        F("lost_on", "date", "資格喪失日（既定: 加入員の lost_on）", "Date of loss of qualification (default the member's lost_on)"),
        F("status", "code", "状態（既定: outstanding 未回収）", "Status (default outstanding)", enum=codes.CollectionStatus),
        F("returned_on", "date", "返却日（status が returned のとき必須）", "Date returned (required when status is returned)"),
        F("return_via", "code", "返却経路", "Returned via", enum=codes.ReturnVia),
        F("condition", "text", "返却時の状態", "Condition when returned", max_len=_len(models.CollectionItem, "condition")),
        F("closed_reason", "text", "回収不能などで閉じた理由", "Why the item was closed", max_len=2000),
        F("reminder_sent_on", "date", "督促した日", "Date a reminder was sent"),
    ),
    "claims": (
        F("member", "member_code", "患者（加入員）", "Patient (member)", required=True),
        F("institution_name", "text",
          "医療機関名（薬局は別の医療機関）",
          "Medical institution (a pharmacy is its own)",
          required=True, max_len=_len(models.ReimbursementClaim, "institution_name")),
        F("is_pharmacy", "bool", "薬局か", "Is a pharmacy", default=False),
        F("treatment_month", "month",
          "診療月（\"2025-10\"、\"R7.10\" または日付。月の1日として保存）",
          "Treatment month (\"2025-10\", \"R7.10\" or a date; stored as the 1st)", required=True),
        F("paid_on", "date", "10割を支払った日", "Date the full cost was paid", required=True),
        F("amount_paid", "int",
          "支払額（円、10割）",
          "Amount paid in yen (full cost)", required=True, minimum=1, maximum=AMOUNT_MAX),
        F("fee_schedule_cost", "int",
          "診療報酬点数による費用額（円、分かれば）",
          "Fee-schedule cost in yen (if known)", minimum=0, maximum=AMOUNT_MAX),
        F("receipt_received", "bool", "領収書（原本）を受領", "Original receipt received", default=False),
        F("medical_statement_received", "bool", "レセプト（診療報酬明細書）を受領", "Medical statement (レセプト) received", default=False),
        F("claim_form_received", "bool", "請求書を受領", "Claim form received", default=False),
        F("received_on", "date", "受付日（既定: 支払日）", "Date received (default paid_on)"),
        F("cause", "text",
          "立替払になった事情",
          "Why the member paid in full", max_len=_len(models.ReimbursementClaim, "cause")),
        F("late_reason", "text", "遅れた理由", "Reason for lateness", max_len=2000),
        F("status", "code",
          "状態（既定: 3点そろえば complete、なければ incomplete）",
          "Status (default complete when all three papers are in, else incomplete)", enum=codes.ClaimStatus),
        F("forwarded_on", "date",
          "給付グループへ回付した日（status が forwarded のとき必須）",
          "Date forwarded to the benefits section (required when forwarded)"),
    ),
    "former_names": (
        F("member", "member_code", "加入員（いまの記号-番号-枝番）", "The member (current symbol-number-branch)", required=True),
        F("family_name", "name",
          "以前の氏（登録どおり。異体字もそのまま）",
          "Former family name as registered", required=True, label="旧氏",
          max_len=_len(models.FormerName, "family_name")),
        F("given_name", "name", "以前の名", "Former given name", required=True, label="旧名",
          max_len=_len(models.FormerName, "given_name")),
        F("family_name_kana", "kana",
          "以前の氏のカナ（ひらがな・半角も可。全角カタカナで保存）",
          "Former family name reading (stored as full-width katakana)", required=True, label="旧氏（カナ）",
          max_len=_len(models.FormerName, "family_name_kana")),
        F("given_name_kana", "kana", "以前の名のカナ", "Former given name reading", required=True,
          label="旧名（カナ）", max_len=_len(models.FormerName, "given_name_kana")),
        F("used_until", "date",
          "この氏名を使った最後の日（氏名変更の効力発生日の前日）。基準日より前、生年月日以後の日",
          "Last day the name was used (the day before the change took effect); before today, not before birth",
          required=True),
    ),
    "issue_requests": (
        F("member", "member_code", "加入員", "Member", required=True),
        F("kind", "code", "交付する書類", "Document to issue", required=True, enum=codes.DocumentKind,
          choices=(codes.DocumentKind.ELIGIBILITY_NOTICE, codes.DocumentKind.ELIGIBILITY_CERTIFICATE)),
        F("cause", "code",
          "交付待ちになったきっかけ（交付理由はここから決まる: 資格取得・扶養追加は新規、氏名変更・負担割合変更は記載事項変更）",
          "Why it was queued (decides the reason printed: new, or details changed)",
          required=True, enum=codes.IssueCause),
        F("queued_on", "date", "交付待ちになった日（基準日より後は不可）", "Date queued (not after today)", required=True),
        F("ratio_effective_from", "date",
          "負担割合の発効期日（cause が ratio_change のときだけ）",
          "Date the new ratio takes effect (cause ratio_change only)"),
        F("status", "code",
          "状態（既定: pending 交付待ち）。資格を喪失した加入員は pending にできない",
          "Status (default pending); a member who lost qualification cannot have a pending one",
          enum=codes.IssueRequestStatus),
        F("document", "text",
          "交付した書類の serial（status が issued のときだけ、必須）",
          "Serial of the document issued (status issued only, and then required)",
          max_len=_len(models.Document, "serial")),
    ),
}
del F

FIELDS: dict[str, tuple[str, ...]] = {section: tuple(f.key for f in fields) for section, fields in SPEC.items()}
REQUIRED: dict[str, frozenset[str]] = {
    section: frozenset(f.key for f in fields if f.required) for section, fields in SPEC.items()
}
SINGLE_SECTIONS = tuple(s.key for s in SECTIONS if s.single)
LIST_SECTIONS = tuple(s.key for s in SECTIONS if not s.single)
SECTION_LABELS = {s.key: s.label for s in SECTIONS if s.key != "scenario"}
assert tuple(SPEC) == tuple(s.key for s in SECTIONS)
