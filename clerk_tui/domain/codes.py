"""The domain's closed vocabularies: stored codes (English, from the glossary in docs/rules.md) and the
Japanese label a clerk sees. One place, so that wording is fixed once."""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A StrEnum whose members carry the Japanese label shown on screen and on forms."""

    @property
    def label(self) -> str:
        return _LABELS[type(self)][self]

    @classmethod
    def choices(cls) -> list[tuple[str, "Labelled"]]:
        return [(m.label, m) for m in cls]


class Sex(Labelled):
    MALE = "male"
    FEMALE = "female"


class Relationship(Labelled):
    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    SIBLING = "sibling"
    OTHER = "other"


class CardStatus(Labelled):
    """The member's My Number card situation (R3). Never the number itself."""

    NO_CARD = "no_card"  # R3(a)
    NOT_REGISTERED = "not_registered"  # R3(b)
    CARD_LOST = "card_lost"  # R3(c)
    CARD_RENEWING = "card_renewing"  # R3(c)
    CERT_EXPIRED = "cert_expired"  # R3(c)
    CARD_RETURNED = "card_returned"  # R3(d)
    REGISTRATION_CANCELLED = "registration_cancelled"  # R3(d), R7
    USABLE = "usable"  # マイナ保険証 usable


class DocumentKind(Labelled):
    LEGACY_CARD = "legacy_card"
    ELDERLY_CARD = "elderly_card"
    ELIGIBILITY_CERTIFICATE = "eligibility_certificate"
    ELIGIBILITY_NOTICE = "eligibility_notice"
    CEILING_CERTIFICATE = "ceiling_certificate"
    SPECIFIED_DISEASE_CERTIFICATE = "specified_disease_certificate"


class DocumentStatus(Labelled):
    VALID = "valid"
    RETURNED = "returned"
    LOST = "lost"
    UNRECOVERABLE = "unrecoverable"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


class Standing(Labelled):
    """What a document is worth today (R18), derived from its stored status, its dates and the
    member's qualification by `rules.document_standing`; never stored."""

    VALID = "valid"
    VOID = "void"  # a legacy card or 高齢受給者証 after 2025-12-01 (R6)
    EXPIRED = "expired"  # past its valid_until
    QUALIFICATION_LOST = "qualification_lost"  # the member lost the qualification while it was valid
    RETURNED = "returned"
    LOST = "lost"
    UNRECOVERABLE = "unrecoverable"
    SUPERSEDED = "superseded"


class Route(Labelled):
    VIA_EMPLOYER = "via_employer"
    TO_MEMBER = "to_member"
    COUNTER = "counter"


class IssueReason(Labelled):
    NEW = "new"
    LOST = "lost"
    DAMAGED = "damaged"
    DETAILS_CHANGED = "details_changed"
    AGE_70 = "age_70"
    EXPIRY = "expiry"
    OTHER = "other"


class CancellationStatus(Labelled):
    RECEIVED = "received"
    AWAITING_CERTIFICATE = "awaiting_certificate"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class LossCircumstance(Labelled):
    MISLAID = "mislaid"
    STOLEN = "stolen"
    DAMAGED = "damaged"
    BURNT = "burnt"
    OTHER = "other"


class WithdrawalReason(Labelled):
    RETIREMENT = "retirement"
    DEATH = "death"
    AGE_75 = "age_75"
    VOLUNTARY_CONTINUATION = "voluntary_continuation"
    OTHER = "other"


class DependentRemovalReason(Labelled):
    EMPLOYED = "employed"
    INCOME = "income"
    SEPARATED = "separated"
    DEATH = "death"
    AGE_75 = "age_75"
    OTHER = "other"


class CollectionStatus(Labelled):
    OUTSTANDING = "outstanding"
    RETURNED = "returned"
    LOST = "lost"
    UNRECOVERABLE = "unrecoverable"
    CANCELLED = "cancelled"


class ReturnVia(Labelled):
    EMPLOYER = "employer"
    POST = "post"
    COUNTER = "counter"


class ClaimStatus(Labelled):
    INCOMPLETE = "incomplete"
    COMPLETE = "complete"
    FORWARDED = "forwarded"


class RegisterChange(Labelled):
    """A step in a member's register history (R17), or a correction of a mistaken entry."""

    ENROLMENT = "enrolment"
    NAME_CHANGE = "name_change"
    ADDRESS_CHANGE = "address_change"
    REMUNERATION = "remuneration"  # 定時決定 / 随時改定, from 改定月 (revised_from)
    CARD_STATUS = "card_status"
    MYNUMBER_RECEIVED = "mynumber_received"
    NEEDS_ASSISTANCE = "needs_assistance"
    INCOME_REDUCTION = "income_reduction"  # 基準収入額適用 approved
    CORRECTION = "correction"  # a mistaken entry fixed: no step in the person's life


class IssueRequestStatus(Labelled):
    """A document queued for issue via the employer (交付待ち)."""

    PENDING = "pending"
    ISSUED = "issued"
    CANCELLED = "cancelled"


class IssueCause(Labelled):
    """Why a document was queued."""

    ENROLMENT = "enrolment"
    DEPENDENT_ADDED = "dependent_added"
    NAME_CHANGE = "name_change"
    RATIO_CHANGE = "ratio_change"


class AuditKind(Labelled):
    WRITE = "write"
    PRINT = "print"
    VIEW = "view"


_LABELS: dict[type, dict[StrEnum, str]] = {
    Sex: {Sex.MALE: "男", Sex.FEMALE: "女"},
    Relationship: {
        Relationship.SELF: "本人",
        Relationship.SPOUSE: "配偶者",
        Relationship.CHILD: "子",
        Relationship.PARENT: "父母",
        Relationship.GRANDPARENT: "祖父母",
        Relationship.GRANDCHILD: "孫",
        Relationship.SIBLING: "兄弟姉妹",
        Relationship.OTHER: "その他",
    },
    CardStatus: {
        CardStatus.NO_CARD: "マイナンバーカード未取得",
        CardStatus.NOT_REGISTERED: "保険証利用登録なし",
        CardStatus.CARD_LOST: "カード紛失",
        CardStatus.CARD_RENEWING: "カード更新中",
        CardStatus.CERT_EXPIRED: "電子証明書期限切れ",
        CardStatus.CARD_RETURNED: "カード返納",
        CardStatus.REGISTRATION_CANCELLED: "利用登録解除",
        CardStatus.USABLE: "マイナ保険証利用可",
    },
    DocumentKind: {
        DocumentKind.LEGACY_CARD: "健康保険証",
        DocumentKind.ELDERLY_CARD: "高齢受給者証",
        DocumentKind.ELIGIBILITY_CERTIFICATE: "資格確認書",
        DocumentKind.ELIGIBILITY_NOTICE: "資格情報のお知らせ",
        DocumentKind.CEILING_CERTIFICATE: "限度額適用認定証",
        DocumentKind.SPECIFIED_DISEASE_CERTIFICATE: "特定疾病療養受療証",
    },
    DocumentStatus: {
        DocumentStatus.VALID: "有効",
        DocumentStatus.RETURNED: "返却済",
        DocumentStatus.LOST: "滅失",
        DocumentStatus.UNRECOVERABLE: "回収不能",
        DocumentStatus.EXPIRED: "失効",
        DocumentStatus.SUPERSEDED: "差替",
    },
    Standing: {
        Standing.VALID: "有効",
        Standing.VOID: "失効",
        Standing.EXPIRED: "期限切れ",
        Standing.QUALIFICATION_LOST: "資格喪失",
        Standing.RETURNED: "返却済",
        Standing.LOST: "滅失",
        Standing.UNRECOVERABLE: "回収不能",
        Standing.SUPERSEDED: "差替",
    },
    Route: {
        Route.VIA_EMPLOYER: "事業所経由",
        Route.TO_MEMBER: "本人送付",
        Route.COUNTER: "窓口手交",
    },
    IssueReason: {
        IssueReason.NEW: "新規",
        IssueReason.LOST: "紛失",
        IssueReason.DAMAGED: "き損",
        IssueReason.DETAILS_CHANGED: "記載事項変更",
        IssueReason.AGE_70: "70歳到達",
        IssueReason.EXPIRY: "有効期限到来",
        IssueReason.OTHER: "その他",
    },
    CancellationStatus: {
        CancellationStatus.RECEIVED: "受付",
        CancellationStatus.AWAITING_CERTIFICATE: "確認書交付待ち",
        CancellationStatus.COMPLETED: "完了",
        CancellationStatus.WITHDRAWN: "取下げ",
    },
    LossCircumstance: {
        LossCircumstance.MISLAID: "紛失",
        LossCircumstance.STOLEN: "盗難",
        LossCircumstance.DAMAGED: "き損",
        LossCircumstance.BURNT: "焼失",
        LossCircumstance.OTHER: "その他",
    },
    WithdrawalReason: {
        WithdrawalReason.RETIREMENT: "退職",
        WithdrawalReason.DEATH: "死亡",
        WithdrawalReason.AGE_75: "75歳到達",
        WithdrawalReason.VOLUNTARY_CONTINUATION: "任意継続へ移行",
        WithdrawalReason.OTHER: "その他",
    },
    DependentRemovalReason: {
        DependentRemovalReason.EMPLOYED: "就職",
        DependentRemovalReason.INCOME: "収入超過",
        DependentRemovalReason.SEPARATED: "別居",
        DependentRemovalReason.DEATH: "死亡",
        DependentRemovalReason.AGE_75: "75歳到達",
        DependentRemovalReason.OTHER: "その他",
    },
    CollectionStatus: {
        CollectionStatus.OUTSTANDING: "未回収",
        CollectionStatus.RETURNED: "返却済",
        CollectionStatus.LOST: "滅失",
        CollectionStatus.UNRECOVERABLE: "回収不能",
        CollectionStatus.CANCELLED: "取消",
    },
    ReturnVia: {
        ReturnVia.EMPLOYER: "事業所経由",
        ReturnVia.POST: "郵送",
        ReturnVia.COUNTER: "窓口",
    },
    ClaimStatus: {
        ClaimStatus.INCOMPLETE: "不備",
        ClaimStatus.COMPLETE: "受付完了",
        ClaimStatus.FORWARDED: "回付済",
    },
    AuditKind: {AuditKind.WRITE: "更新", AuditKind.PRINT: "印刷", AuditKind.VIEW: "閲覧"},
    RegisterChange: {
        RegisterChange.ENROLMENT: "資格取得",
        RegisterChange.NAME_CHANGE: "氏名変更",
        RegisterChange.ADDRESS_CHANGE: "住所変更",
        RegisterChange.REMUNERATION: "標準報酬月額改定",
        RegisterChange.CARD_STATUS: "マイナンバーカード状況",
        RegisterChange.MYNUMBER_RECEIVED: "マイナンバー届出",
        RegisterChange.NEEDS_ASSISTANCE: "要配慮者",
        RegisterChange.INCOME_REDUCTION: "基準収入額適用",
        RegisterChange.CORRECTION: "訂正",
    },
    IssueRequestStatus: {
        IssueRequestStatus.PENDING: "交付待ち",
        IssueRequestStatus.ISSUED: "交付済",
        IssueRequestStatus.CANCELLED: "取消",
    },
    IssueCause: {
        IssueCause.ENROLMENT: "資格取得",
        IssueCause.DEPENDENT_ADDED: "扶養追加",
        IssueCause.NAME_CHANGE: "氏名変更",
        IssueCause.RATIO_CHANGE: "負担割合変更",
    },
}
