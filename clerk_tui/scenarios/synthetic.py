"""Synthetic members, employers and documents as plain row tuples, drawn from weighted name and
address lists (names.py): realistic families, ages, card situations and documents for load tests."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import peewee

from clerk_tui.domain import kana, rules
from clerk_tui.domain.codes import (
    CardStatus,
    DocumentKind,
    DocumentStatus,
    IssueReason,
    Relationship,
    Route,
    Sex,
)
from clerk_tui.domain.errors import DomainError
from clerk_tui.scenarios import names as N

__all__ = ["REFERENCE_DAY", "generate_file", "generate_into", "generate_rows"]

# The synthetic data's "today". Fixed, not the clock: the same seed must give the same rows on any
# day. Chosen after the legacy cards died (2025-12-01) and after the November 2025 certificate run.
REFERENCE_DAY = date(2026, 10, 1)

MEMBERS_PER_EMPLOYER = 200
BULK_CACHE_KIB = 200_000  # page-cache ceiling while loading (the clerks' default is 32 MB)
FIRST_SYMBOL = 1000
MAX_DEPENDENTS = 4

# 健康保険 標準報酬月額 grades 1–50 (yen).
REMUNERATION_GRADES = (
    58_000, 68_000, 78_000, 88_000, 98_000, 104_000, 110_000, 118_000, 126_000, 134_000,
    142_000, 150_000, 160_000, 170_000, 180_000, 190_000, 200_000, 220_000, 240_000, 260_000,
    280_000, 300_000, 320_000, 340_000, 360_000, 380_000, 410_000, 440_000, 470_000, 500_000,
    530_000, 560_000, 590_000, 620_000, 650_000, 680_000, 710_000, 750_000, 790_000, 830_000,
    880_000, 930_000, 980_000, 1_030_000, 1_090_000, 1_150_000, 1_210_000, 1_270_000,
    1_330_000, 1_390_000,
)
_GRADE_MIDPOINTS = tuple((a + b) / 2 for a, b in zip(REMUNERATION_GRADES, REMUNERATION_GRADES[1:]))

# Age of the insured (employees) on REFERENCE_DAY: (from, to, weight %).
_INSURED_AGES = (
    (18, 19, 1.0), (20, 24, 8.0), (25, 29, 12.0), (30, 34, 12.0), (35, 39, 11.0), (40, 44, 11.0),
    (45, 49, 12.0), (50, 54, 11.0), (55, 59, 9.0), (60, 64, 6.0), (65, 69, 2.5), (70, 74, 0.8),
)

# Card situation (R3) of members still covered, by age band; most can use マイナ保険証.
_CARD_STATUSES = (
    CardStatus.USABLE, CardStatus.NOT_REGISTERED, CardStatus.NO_CARD, CardStatus.CARD_LOST,
    CardStatus.CARD_RENEWING, CardStatus.CERT_EXPIRED, CardStatus.CARD_RETURNED,
    CardStatus.REGISTRATION_CANCELLED,
)
_CARD_WEIGHTS_CHILD = (55, 12, 30, 1, 1, 1, 0, 0.5)
_CARD_WEIGHTS_ADULT = (72, 10, 9, 1.5, 1.5, 2.5, 1, 2.5)
_CARD_WEIGHTS_ELDER = (60, 15, 15, 2, 1.5, 3, 1.5, 2)

P_INSURED_MALE = 0.62
P_FAMILY_RETIRED = 0.025  # whole family lost by the insured's withdrawal
P_FAMILY_AGED_OUT = 0.002  # insured reached 75 (後期高齢者医療制度)
P_DEPENDENT_REMOVED = 0.009
P_NOTICE = 0.96
P_MYNUMBER = 0.95

ONE_YEAR = 365.2425

# Stored codes as plain strings: an enum's .value costs about a microsecond in the hot loop.
_SELF, _SPOUSE, _CHILD, _PARENT = (Relationship.SELF.value, Relationship.SPOUSE.value,
                                   Relationship.CHILD.value, Relationship.PARENT.value)
_CARD_CODES = tuple(c.value for c in _CARD_STATUSES)
# card code → (certificate due without / with 要配慮者), decided by the R3 rule itself.
_CERTIFICATE_DUE = {c.value: (rules.certificate_eligibility(c, False).eligible,
                              rules.certificate_eligibility(c, True).eligible) for c in CardStatus}
_LEGACY, _NOTICE, _CERTIFICATE = (DocumentKind.LEGACY_CARD.value, DocumentKind.ELIGIBILITY_NOTICE.value,
                                  DocumentKind.ELIGIBILITY_CERTIFICATE.value)
_SERIAL_PREFIX = {_LEGACY: "GEN-L-", _NOTICE: "GEN-N-", _CERTIFICATE: "GEN-C-"}
_VIA_EMPLOYER, _TO_MEMBER = Route.VIA_EMPLOYER.value, Route.TO_MEMBER.value
_VALID, _RETURNED, _EXPIRED = (DocumentStatus.VALID.value, DocumentStatus.RETURNED.value,
                               DocumentStatus.EXPIRED.value)
_NEW = IssueReason.NEW.value
assert {s.value for s in Sex} == {"male", "female"}  # the generator's own sex codes

# Column order of the raw inserts (and of the row tuples `generate_rows` yields).
EMPLOYER_COLUMNS = ("id", "version", "code", "name", "name_kana", "postal_code", "address", "phone",
                    "contact_person", "name_key")
MEMBER_COLUMNS = (
    "id", "version", "symbol", "number", "branch", "insured_id", "employer_id", "relationship",
    "family_name", "given_name", "family_name_kana", "given_name_kana", "birth_date", "sex",
    "postal_code", "address", "phone", "acquired_on", "lost_on", "loss_reason", "registered_on",
    "standard_monthly_remuneration", "income_reduction", "card_status", "mynumber_received_on",
    "needs_assistance", "name_key", "kana_key", "given_name_key", "given_kana_key",
)
DOCUMENT_COLUMNS = ("id", "version", "member_id", "kind", "serial", "issued_on", "valid_until",
                    "route", "reason", "status", "status_changed_on", "returned_on", "copay_ratio",
                    "ratio_effective_from")

M = {name: i for i, name in enumerate(MEMBER_COLUMNS)}  # member column → tuple index
D = {name: i for i, name in enumerate(DOCUMENT_COLUMNS)}
E = {name: i for i, name in enumerate(EMPLOYER_COLUMNS)}


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(columns))})'


@dataclass(frozen=True)
class StartAt:
    """Where appended data begins so that it never collides with rows already present."""

    employer_id: int = 0
    member_id: int = 0
    document_id: int = 0
    employer_code: int = 0  # the last E##### number in use
    symbol: int = FIRST_SYMBOL  # the first 記号 to hand out

    @classmethod
    def of(cls, db: peewee.Database) -> StartAt:
        def scalar(sql: str) -> Any:
            return db.execute_sql(sql).fetchone()[0]

        codes = [c for (c,) in db.execute_sql("SELECT code FROM employer WHERE code LIKE 'E%'")]
        code_numbers = [int(c[1:]) for c in codes if c[1:].isdigit()]
        # Numeric symbols only: any other 記号 cannot collide with the digits handed out here.
        max_symbol = scalar(
            "SELECT MAX(CAST(symbol AS INTEGER)) FROM member WHERE symbol NOT GLOB '*[^0-9]*'"
        )
        return cls(
            employer_id=scalar("SELECT COALESCE(MAX(id), 0) FROM employer"),
            member_id=scalar("SELECT COALESCE(MAX(id), 0) FROM member"),
            document_id=scalar("SELECT COALESCE(MAX(id), 0) FROM document"),
            employer_code=max(code_numbers, default=0),
            symbol=max(FIRST_SYMBOL, (max_symbol or 0) + 1),
        )


@dataclass
class Chunk:
    """Rows produced since the previous chunk (employers come in the first chunk only)."""

    employers: list[tuple] = field(default_factory=list)
    members: list[tuple] = field(default_factory=list)
    documents: list[tuple] = field(default_factory=list)


def _cum(weights) -> tuple[list[float], float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out, total


class _DateText(dict):
    """Day ordinal → ISO text (None → None). A few tens of thousands of distinct days serve
    millions of dates, so each is formatted once."""

    def __init__(self) -> None:
        super().__init__({None: None})

    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = date.fromordinal(ordinal).isoformat()
        return text


@dataclass(frozen=True)
class _Keyed:
    """A name's forms and readings with their search keys, computed once per run rather than per
    person: a million members share a few thousand distinct names."""

    forms: tuple[tuple[str, str], ...]
    form_cum: tuple[float, ...]
    readings: tuple[tuple[str, str], ...]
    reading_cum: tuple[float, ...]

    @classmethod
    def of(cls, name: N.Surname | N.GivenName) -> _Keyed:
        return cls(tuple((f, kana.name_key(f)) for f in name.forms), name.form_cum,
                   tuple((r, kana.kana_key(r)) for r in name.readings), name.reading_cum)

    def draw(self, rand) -> tuple[str, str, str, str]:
        forms, readings = self.forms, self.readings
        form, form_key = forms[0] if len(forms) == 1 else forms[bisect(self.form_cum, rand())]
        reading, reading_key = (readings[0] if len(readings) == 1
                                else readings[bisect(self.reading_cum, rand())])
        return form, reading, form_key, reading_key


class _Generator:
    """Holds the random stream and the caches; `run` yields the rows chunk by chunk."""

    def __init__(self, members: int, seed: int, start: StartAt, as_of: date):
        self.rng = random.Random(seed)
        rand = self.rng.random

        # random.randint/choice cost ~1 µs each, a third of the run: plain arithmetic on random()
        # keeps the stream deterministic and is five times faster.
        def ri(lo: int, hi: int) -> int:
            return lo + int(rand() * (hi - lo + 1))

        def one_of(seq):
            return seq[int(rand() * len(seq))]

        self.ri = ri
        self.one_of = one_of
        self.members = members
        self.start = start
        self.as_of = as_of
        self.as_of_ord = as_of.toordinal()
        # Nobody covered on as_of may have reached 75 (loss on the 75th birthday).
        self.min_active_birth = _years_before(as_of, 75).toordinal() + 1
        self.legacy_stop = rules.LEGACY_ISSUE_STOPPED.toordinal()
        self.legacy_last = rules.LEGACY_CARD_LAST_VALID.toordinal()
        self.legacy_last_s = rules.LEGACY_CARD_LAST_VALID.isoformat()
        self.batch_first = date(2025, 11, 4).toordinal()  # the November 2025 certificate run
        self.linkage_first = date(2020, 10, 1).toordinal()  # My Number linkage of existing members
        self.linkage_last = date(2021, 9, 30).toordinal()
        self.linkage_needed_before = date(2021, 3, 1).toordinal()
        self.notice_mass_last = date(2025, 9, 30).toordinal()

        self.ds = _DateText()
        self.surnames = [_Keyed.of(s) for s in N.SURNAMES]
        self.surname_cum, self.surname_total = _cum(s.weight for s in N.SURNAMES)
        self.given_cum: dict[tuple[str, int], tuple[list[float], float, list[_Keyed]]] = {}
        for sex in ("male", "female"):
            pool = [g for g in N.GIVEN_NAMES if g.sex == sex]
            for gen in range(5):
                chosen = [g for g in pool if g.weights[gen] > 0]
                cum, total = _cum(g.weights[gen] for g in chosen)
                self.given_cum[(sex, gen)] = (cum, total, [_Keyed.of(g) for g in chosen])
        self.age_cum, self.age_total = _cum(w for _, _, w in _INSURED_AGES)
        self.card_cums = {k: _cum(w) for k, w in (("child", _CARD_WEIGHTS_CHILD),
                                                   ("adult", _CARD_WEIGHTS_ADULT),
                                                   ("elder", _CARD_WEIGHTS_ELDER))}
        self.kind_cum, self.kind_total = _cum(int(k[2]) for k in N.EMPLOYER_KINDS)
        self.form_cum, self.form_total = _cum(w for _, w in N.EMPLOYER_FORMS)
        self.gen_starts = [date(y, 1, 1).toordinal() for y in N.GENERATION_STARTS]

        self.next_member_id = start.member_id + 1
        self.next_document_id = start.document_id + 1
        self.employers: list[tuple] = []
        self.employer_symbols: list[str] = []
        self.employer_next_number: list[int] = []
        self.employer_cum: list[float] = []
        self.employer_total = 0.0

    # --- small helpers ------------------------------------------------------------------------

    def pick(self, cum: list[float], total: float) -> int:
        return bisect(cum, self.rng.random() * total)

    def surname(self) -> tuple[str, str, str, str]:
        """(name, reading, name key, kana key) of a family."""
        return self.surnames[self.pick(self.surname_cum, self.surname_total)].draw(self.rng.random)

    def given_name(self, sex: str, birth_ord: int) -> tuple[str, str, str, str]:
        """A given name of the person's sex and generation, with its reading and keys."""
        cum, total, pool = self.given_cum[(sex, bisect(self.gen_starts, birth_ord))]
        return pool[self.pick(cum, total)].draw(self.rng.random)

    def between(self, lo: int, hi: int) -> int:
        """A day ordinal in [lo, hi] (hi < lo gives lo)."""
        return lo if hi <= lo else lo + int(self.rng.random() * (hi - lo + 1))

    # --- employers ----------------------------------------------------------------------------

    def make_employers(self, count: int) -> list[tuple]:
        rng = self.rng
        rows = []
        weights = []
        for i in range(count):
            emp_id = self.start.employer_id + 1 + i
            code = f"E{self.start.employer_code + 1 + i:05d}"
            symbol = str(self.start.symbol + i)
            if len(symbol) > 8:
                raise DomainError("記号が8桁を超えるため、これ以上生成できません。")
            core, core_kana = self.one_of(N.EMPLOYER_CORES)
            kind_name, kind_kana, _ = N.EMPLOYER_KINDS[self.pick(self.kind_cum, self.kind_total)]
            form = N.EMPLOYER_FORMS[self.pick(self.form_cum, self.form_total)][0]
            name = form.format(core + kind_name)
            postal, town = self.one_of(N.WARD_TOWNS)
            building = self.one_of(N.OFFICE_BUILDINGS)
            address = (f"{town}{self.ri(1, 5)}-{self.ri(1, 30)}-{self.ri(1, 20)} "
                       f"{core}{building}{self.ri(1, 12)}階")
            phone = f"03-{self.ri(3000, 6999)}-{self.ri(0, 9999):04d}"
            contact = self.surname()[0]
            rows.append((emp_id, 1, code, name, core_kana + kind_kana, postal, address, phone,
                         f"総務部 {contact}", kana.name_key(name)))
            # Company sizes are heavy-tailed: a few large employers, many small ones.
            weights.append(min(rng.paretovariate(1.1), 100.0))
            self.employer_symbols.append(symbol)
            self.employer_next_number.append(1)
        self.employers = rows
        self.employer_cum, self.employer_total = _cum(weights)
        return rows

    # --- people -------------------------------------------------------------------------------

    def card_status(self, age_years: float) -> str:
        band = "child" if age_years < 15 else ("elder" if age_years >= 65 else "adult")
        cum, total = self.card_cums[band]
        return _CARD_CODES[self.pick(cum, total)]

    def remuneration(self, age: float, sex: str) -> int:
        rng = self.rng
        mu = 12.45 + 0.028 * (min(age, 52.0) - 22.0)
        if sex == "female":
            mu -= 0.15
        if age >= 60:
            mu -= 0.3
        pay = rng.lognormvariate(mu, 0.33)
        return REMUNERATION_GRADES[bisect(_GRADE_MIDPOINTS, pay)]

    def home(self) -> tuple[str, str]:
        rng = self.rng
        postal, town = self.one_of(N.HOME_TOWNS)
        address = f"{town}{self.ri(1, 5)}-{self.ri(1, 30)}-{self.ri(1, 25)}"
        if rng.random() < 0.45:
            floor = self.ri(1, 12)
            address += (f" {self.one_of(N.BUILDING_PREFIXES)}{self.one_of(N.BUILDING_SUFFIXES)}"
                        f"{floor}{self.ri(1, 12):02d}")
        return postal, address

    def family(self, room: int) -> list[dict]:
        """One insured person and up to four dependents (at most `room` people)."""
        rng = self.rng
        r = rng.random
        as_of = self.as_of_ord
        people: list[dict] = []

        aged_out = r() < P_FAMILY_AGED_OUT
        ins_sex = "male" if r() < P_INSURED_MALE else "female"
        if aged_out:
            # Turned 75 within the last two years: lost on the 75th birthday, whole family too.
            loss75 = as_of - int(r() * 700)
            birth = _years_before(date.fromordinal(loss75), 75).toordinal()
        else:
            lo, hi, _ = _INSURED_AGES[self.pick(self.age_cum, self.age_total)]
            age = lo + r() * (hi - lo + 1)
            birth = max(as_of - int(age * ONE_YEAR), self.min_active_birth)
        age_now = (as_of - birth) / ONE_YEAR
        min_acq = birth + int(18 * ONE_YEAR)
        last_day = as_of - 1 if not aged_out else loss75 - 30
        tenure = int(rng.expovariate(1.0 / (8 * ONE_YEAR)))
        acq = max(min_acq, last_day - tenure)
        if r() < 0.35:  # many join on 1 April with the new graduates
            d = date.fromordinal(acq)
            april = date(d.year if d.month >= 4 else d.year - 1, 4, 1).toordinal()
            if april >= min_acq:
                acq = april
        acq = min(acq, last_day)
        insured = dict(rel=_SELF, sex=ins_sex, birth=birth, acq=acq, family=self.surname())
        insured["smr"] = self.remuneration(age_now, ins_sex)
        people.append(insured)

        # Spouse: married rates rise with age; a dependent spouse is mostly a wife.
        married_p = (0.08 if age_now < 25 else 0.3 if age_now < 30 else 0.55 if age_now < 35
                     else 0.65 if age_now < 40 else 0.7)
        married = r() < married_p
        spouse = None
        if married and r() < (0.55 if ins_sex == "male" else 0.06):
            sp_sex = "female" if ins_sex == "male" else "male"
            offset = rng.gauss(-2.0 if ins_sex == "male" else 2.0, 3.0)
            sp_birth = birth - int(offset * ONE_YEAR) + self.ri(-180, 180)
            sp_birth = min(sp_birth, as_of - int(20 * ONE_YEAR))
            # Nobody covered today is 75; in a family that left at the insured's 75th birthday,
            # an older spouse would have left (and joined) on dates of their own: keep them younger.
            sp_birth = max(sp_birth, birth + 1 if aged_out else self.min_active_birth)
            sp_acq = acq if r() < 0.6 else self.between(acq, last_day)
            sp_acq = min(max(sp_acq, sp_birth + int(18 * ONE_YEAR)), last_day)
            if sp_acq >= acq:
                spouse = dict(rel=_SPOUSE, sex=sp_sex, birth=sp_birth, acq=sp_acq)
                people.append(spouse)

        # Children of the household, while they are still dependents (under about 22).
        if not aged_out and (married or (age_now >= 28 and r() < 0.04)):
            covered = ins_sex == "male" or spouse is not None or not married or r() < 0.35
            if covered:
                mother_birth = (spouse["birth"] if spouse is not None and spouse["sex"] == "female"
                                else birth if ins_sex == "female" else birth + int(2 * ONE_YEAR))
                n_kids = bisect((0.25, 0.55, 0.9, 1.0), r())
                at = mother_birth + int((26 + r() * 8) * ONE_YEAR)
                for _ in range(n_kids):
                    if at > as_of - 1:
                        break
                    kid_age = (as_of - at) / ONE_YEAR
                    if kid_age < 22 or (kid_age < 23 and r() < 0.5):
                        kid_acq = min(max(acq, at + self.ri(3, 30)), as_of - 1)
                        kid_acq = max(kid_acq, at)
                        people.append(dict(rel=_CHILD,
                                           sex="male" if r() < 0.512 else "female",
                                           birth=at, acq=kid_acq))
                    at += int((1.5 + r() * 3) * ONE_YEAR)

        # Sometimes a parent lives on the insured's income; some of them reach 75.
        if not aged_out and age_now <= 50 and r() < 0.03:
            p_age = age_now + self.ri(24, 36) + r()
            p_birth = as_of - int(p_age * ONE_YEAR)
            if p_age < 77:
                p_loss75 = rules.loss_on_reaching_75(date.fromordinal(p_birth)).toordinal()
                p_last = min(as_of - 1, p_loss75 - 30)
                if p_last >= acq:
                    parent = dict(rel=_PARENT, sex="female" if r() < 0.65 else "male",
                                  birth=p_birth, acq=self.between(acq, p_last),
                                  family=insured["family"])
                    if p_loss75 <= as_of:
                        parent["lost"] = p_loss75
                        parent["reason"] = "age_75"
                    people.append(parent)

        del people[1 + min(MAX_DEPENDENTS, room - 1):]

        # Losses: the insured's withdrawal (or 75th birthday) takes the whole family.
        family_lost = None
        reason = None
        if aged_out:
            family_lost, reason = loss75, "age_75"
        elif r() < P_FAMILY_RETIRED:
            latest = max(p["acq"] for p in people)
            if latest + 1 < as_of:
                family_lost, reason = self.between(latest + 1, as_of), "retirement"
        for p in people:
            if family_lost is not None:
                if "lost" not in p or p["lost"] > family_lost:
                    p["lost"], p["reason"] = family_lost, reason
            elif p["rel"] != _SELF and "lost" not in p and r() < P_DEPENDENT_REMOVED:
                if p["acq"] + 1 < as_of:
                    p["lost"] = self.between(p["acq"] + 1, as_of)
                    p["reason"] = {_CHILD: "employed", _SPOUSE: "income"}.get(p["rel"], "other")
        return people

    # --- rows ---------------------------------------------------------------------------------

    def member_rows(self, people: list[dict], out: Chunk) -> None:
        rng = self.rng
        r = rng.random
        as_of = self.as_of_ord
        emp_index = self.pick(self.employer_cum, self.employer_total)
        employer_id = self.employers[emp_index][0]
        symbol = self.employer_symbols[emp_index]
        number = str(self.employer_next_number[emp_index])
        self.employer_next_number[emp_index] += 1
        postal, address = self.home()

        insured = people[0]
        insured_id = self.next_member_id
        family = insured["family"]
        for branch, p in enumerate(people):
            member_id = self.next_member_id
            self.next_member_id += 1
            fam, fam_kana, fam_key, fam_kana_key = p.get("family", family)
            sex = p["sex"]
            birth = p["birth"]
            given, given_kana, given_key, given_kana_key = self.given_name(sex, birth)
            acq = p["acq"]
            lost = p.get("lost")
            age_now = (as_of - birth) / ONE_YEAR
            is_insured = branch == 0
            smr = p.get("smr")
            income_reduction = bool(smr and age_now >= 70 and smr >= rules.ACTIVE_INCOME_REMUNERATION
                                    and r() < 0.2)
            p["income_reduction"] = income_reduction
            card = self.card_status(age_now)
            needs_assistance = r() < (0.01 if age_now >= 65 else 0.002)
            registered = min(acq + self.ri(3, 15), as_of)
            mynumber = None
            if r() < P_MYNUMBER:
                if acq < self.linkage_needed_before:
                    mynumber = self.between(max(self.linkage_first, acq), self.linkage_last)
                else:
                    mynumber = min(acq + self.ri(2, 40), as_of)
            phone = None
            if is_insured and r() < 0.85:
                phone = f"0{self.one_of('789')}0-{self.ri(1000, 9999)}-{self.ri(0, 9999):04d}"
            ds = self.ds
            out.members.append((
                member_id, 1, symbol, number, f"{branch:02d}",
                None if is_insured else insured_id, employer_id, p["rel"],
                fam, given, fam_kana, given_kana, ds[birth], sex,
                postal, address, phone, ds[acq], ds[lost], p.get("reason"), ds[registered],
                smr, int(income_reduction), card, ds[mynumber], int(needs_assistance),
                fam_key + given_key, fam_kana_key + given_kana_key, given_key, given_kana_key,
            ))
            self.document_rows(member_id, p, insured, card, needs_assistance, out)

    def _doc(self, out: Chunk, member_id: int, kind: str, issued: int, valid_until: str | None,
             route: str, status: str, changed: int | None = None, returned: int | None = None,
             ratio: int | None = None, ratio_from: str | None = None) -> None:
        doc_id = self.next_document_id
        self.next_document_id += 1
        # Nine digits: a serial must never look like a 12-digit My Number.
        out.documents.append((
            doc_id, 1, member_id, kind, f"{_SERIAL_PREFIX[kind]}{doc_id:09d}", self.ds[issued],
            valid_until, route, _NEW, status, self.ds[changed], self.ds[returned], ratio, ratio_from,
        ))

    def document_rows(self, member_id: int, p: dict, insured: dict, card: str,
                      needs_assistance: bool, out: Chunk) -> None:
        rng = self.rng
        r = rng.random
        as_of = self.as_of_ord
        acq, lost, birth = p["acq"], p.get("lost"), p["birth"]
        end = as_of if lost is None else min(as_of, lost - 1)  # nothing issued after the loss

        # 健康保険証 issued to everyone who joined before new issue stopped (R6).
        if acq < self.legacy_stop:
            issued = max(acq, min(acq + self.ri(5, 20), self.legacy_stop - 1))
            if issued <= end:
                back = lost + self.ri(3, 25) if lost is not None else as_of + 1
                if lost is not None and lost <= self.legacy_last and back <= as_of and r() < 0.93:
                    # R10: a loss up to 2025-12-01 required the card back; most came back.
                    self._doc(out, member_id, _LEGACY, issued, self.legacy_last_s,
                              _VIA_EMPLOYER, _RETURNED, back, back)
                elif as_of > self.legacy_last:
                    self._doc(out, member_id, _LEGACY, issued, self.legacy_last_s,
                              _VIA_EMPLOYER, _EXPIRED, self.legacy_last + 1)
                else:
                    self._doc(out, member_id, _LEGACY, issued, self.legacy_last_s,
                              _VIA_EMPLOYER, _VALID)

        # 資格情報のお知らせ for nearly everyone (R1): at joining, or printed for existing members.
        if r() < P_NOTICE:
            if acq >= self.legacy_stop:
                issued = acq + self.ri(5, 20)
                route = _VIA_EMPLOYER
            else:
                issued = self.between(self.legacy_stop, self.notice_mass_last)
                route = _VIA_EMPLOYER if r() < 0.7 else _TO_MEMBER
            if issued <= end:
                self._doc(out, member_id, _NOTICE, issued, None, route, _VALID)

        # 資格確認書 for those who cannot use マイナ保険証 (R3), with the R4 expiry.
        if _CERTIFICATE_DUE[card][needs_assistance]:
            if acq >= self.legacy_stop:
                issued = acq + self.ri(5, 20)
            elif r() < 0.7:
                issued = self.batch_first + self.ri(0, 17)
            else:
                issued = self.between(max(acq, self.legacy_stop), as_of)
            loss75 = rules.loss_on_reaching_75(date.fromordinal(birth)).toordinal()
            if issued <= end and issued < loss75:
                issued_d = date.fromordinal(issued)
                expiry = rules.certificate_valid_until(issued_d, date.fromordinal(birth))
                valid_until = expiry.valid_until.toordinal()
                ratio = ratio_from = None
                if issued - birth >= int(69.9 * ONE_YEAR):  # R5: printed from 70 only
                    copay = rules.copay_ratio(
                        date.fromordinal(birth), issued_d, is_insured=p is insured,
                        remuneration=p.get("smr"),
                        insured_birth_date=date.fromordinal(insured["birth"]),
                        insured_remuneration=insured.get("smr"),
                        income_reduction=p.get("income_reduction", False),
                        insured_income_reduction=insured.get("income_reduction", False),
                        acquired_on=date.fromordinal(acq),
                    )
                    if copay.printed:
                        ratio = copay.ratio
                        ratio_from = copay.effective_from.isoformat() if copay.effective_from else None
                status, changed, returned = _VALID, None, None
                if lost is not None:
                    back = lost + self.ri(3, 30)
                    if back <= as_of and back <= valid_until and r() < 0.85:  # R9: returned
                        status, changed, returned = _RETURNED, back, back
                    elif valid_until < as_of:
                        status, changed = _EXPIRED, valid_until + 1
                elif valid_until < as_of:
                    status, changed = _EXPIRED, valid_until + 1
                self._doc(out, member_id, _CERTIFICATE, issued,
                          self.ds[valid_until], _VIA_EMPLOYER, status, changed, returned,
                          ratio, ratio_from)

    def run(self, chunk_members: int) -> Iterator[Chunk]:
        n_employers = max(1, round(self.members / MEMBERS_PER_EMPLOYER))
        chunk = Chunk(employers=self.make_employers(n_employers))
        made = 0
        while made < self.members:
            people = self.family(self.members - made)
            self.member_rows(people, chunk)
            made += len(people)
            if len(chunk.members) >= chunk_members:
                yield chunk
                chunk = Chunk()
        yield chunk


def _years_before(d: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)



def generate_rows(members: int, *, seed: int = 1, start: StartAt | None = None,
                  as_of: date = REFERENCE_DAY, chunk_members: int = 20_000) -> Iterator[Chunk]:
    """The synthetic rows as plain tuples (columns: EMPLOYER/MEMBER/DOCUMENT_COLUMNS), in chunks."""
    if members < 1:
        raise DomainError("生成する加入員数は1以上を指定してください。")
    return _Generator(members, seed, start or StartAt(), as_of).run(chunk_members)
