"""A seeded, synthetic sanctions list in FollowTheMoney form, and suspects screened against it.

Invented people and companies only, drawn from the registry generator's name pools
(ctip/registry/synthetic_data.py) and a few Chinese and Vietnamese pools below: each listed
person has the aliases lists really declare — the name in its own script (汉字, ខ្មែរ), another
romanisation, the name in the other order, a nickname as a weak alias. The labelled sample for
precision and recall is built from those declared aliases: a suspect "is" a listed person when
recorded under one of that person's declared names (possibly in the other order), never from
the matcher's own rules.
"""

import dataclasses
import datetime
import random
from collections.abc import Iterator
from typing import Any

from ctip.registry import synthetic_data as pools

# Pinyin syllables with a character read only that way, so that transliteration is unambiguous.
CHINESE_FAMILY = {
    "Wang": "王", "Li": "李", "Zhang": "张", "Liu": "刘", "Chen": "陈", "Yang": "杨",
    "Huang": "黄", "Zhao": "赵", "Wu": "吴", "Zhou": "周", "Xu": "徐", "Lin": "林", "Sun": "孙",
    "Ma": "马", "Zhu": "朱", "Hu": "胡", "Guo": "郭", "He": "何", "Gao": "高", "Luo": "罗",
}  # fmt: skip
CHINESE_GIVEN = {
    "Wei": "伟", "Fang": "芳", "Na": "娜", "Min": "敏", "Jing": "静", "Qiang": "强", "Lei": "磊",
    "Jun": "军", "Yong": "勇", "Yan": "艳", "Jie": "杰", "Tao": "涛", "Ming": "明", "Chao": "超",
    "Xiu": "秀", "Hua": "华", "Ping": "平", "Gang": "刚", "Hong": "红", "Bin": "斌", "Long": "龙",
    "Hai": "海", "Feng": "峰", "Jian": "建", "Xiao": "小", "Yu": "宇", "Kai": "凯", "Hao": "浩",
    "Peng": "鹏", "Bo": "博", "Dong": "东", "Xin": "鑫", "Rui": "瑞", "Tian": "天", "Zhi": "志",
}  # fmt: skip
VIETNAMESE_FAMILY = {
    "Nguyen": "Nguyễn", "Tran": "Trần", "Le": "Lê", "Pham": "Phạm", "Hoang": "Hoàng",
    "Huynh": "Huỳnh", "Phan": "Phan", "Vu": "Vũ", "Vo": "Võ", "Dang": "Đặng", "Bui": "Bùi",
    "Do": "Đỗ", "Ho": "Hồ", "Ngo": "Ngô", "Duong": "Dương",
}  # fmt: skip
VIETNAMESE_MIDDLE = {"Van": "Văn", "Thi": "Thị", "Duc": "Đức", "Minh": "Minh", "Ngoc": "Ngọc",
                     "Quang": "Quang", "Thanh": "Thanh", "Huu": "Hữu"}  # fmt: skip
VIETNAMESE_GIVEN = {
    "Anh": "Anh", "Hung": "Hùng", "Lan": "Lan", "Hoa": "Hoa", "Mai": "Mai", "Huong": "Hương",
    "Nam": "Nam", "Tuan": "Tuấn", "Huy": "Huy", "Thang": "Thắng", "Long": "Long", "Hai": "Hải",
    "Dung": "Dũng", "Phuong": "Phương", "Linh": "Linh", "Trang": "Trang", "Thu": "Thu",
    "Son": "Sơn", "Khanh": "Khánh", "Cuong": "Cường",
}  # fmt: skip
COMPANY_WORDS = (
    "Golden", "Fortune", "Dragon", "Jinbei", "Prince", "Lucky", "Star", "Royal", "Asia",
    "Mekong", "Angkor", "Silver", "Phoenix", "Harbour", "Oriental", "Crown", "Jade", "Pacific",
    "Heng", "Long", "Bay", "Kaibo", "Xinyuan", "Huiwang", "Taiyang", "Ruby", "Emerald", "Sky",
)  # fmt: skip
COMPANY_KINDS = (
    "Investment Co., Ltd", "Group", "Trading Co., Ltd", "Technology Co., Ltd",
    "Real Estate Development", "Entertainment", "Holdings", "Property Co., Ltd",
)  # fmt: skip
COUNTRIES = {"KHM": "kh", "CHN": "cn", "VNM": "vn", "THA": "th", "MYS": "my", "TWN": "tw"}


@dataclasses.dataclass(frozen=True)
class ListedPerson:
    """A listed person as the truth knows them: the names the list declares, the birth year."""

    entity_id: str
    names: tuple[str, ...]  # the name first, then the declared aliases
    birth_year: int | None
    nationality: str
    # Who the name is, whatever the script or order: two persons with the same canonical name
    # are namesakes, whom only other facts (a year of birth) tell apart.
    canonical: str = ""


def _chinese(rng: random.Random) -> tuple[str, list[str], str]:
    family = rng.choice(list(CHINESE_FAMILY))
    given = [rng.choice(list(CHINESE_GIVEN)) for _ in range(rng.choice((1, 2, 2)))]
    latin = f"{family} {''.join(given).capitalize()}"
    hanzi = CHINESE_FAMILY[family] + "".join(CHINESE_GIVEN[g] for g in given)
    western = f"{''.join(given).capitalize()} {family}"
    aliases = [hanzi, western] if rng.random() < 0.7 else [hanzi]
    return latin, aliases, hanzi


def _khmer(rng: random.Random) -> tuple[str, list[str], str]:
    family_km, family_latin = rng.choice(pools.KHMER_FAMILY)
    given_km, given_latin = rng.choice(pools.KHMER_GIVEN_FEMALE + pools.KHMER_GIVEN_MALE)
    latin = f"{family_latin[0]} {given_latin[0]}"
    aliases = [f"{family_km} {given_km}"]
    if len(given_latin) > 1 and rng.random() < 0.6:
        aliases.append(f"{rng.choice(family_latin)} {rng.choice(given_latin[1:])}")
    return latin, aliases, aliases[0]


def _vietnamese(rng: random.Random) -> tuple[str, list[str], str]:
    family = rng.choice(list(VIETNAMESE_FAMILY))
    middle = rng.choice(list(VIETNAMESE_MIDDLE))
    given = rng.choice(list(VIETNAMESE_GIVEN))
    marked = f"{VIETNAMESE_FAMILY[family]} {VIETNAMESE_MIDDLE[middle]} {VIETNAMESE_GIVEN[given]}"
    return marked, [f"{family} {middle} {given}", f"{given} {family}"], marked


def _other(rng: random.Random, nationality: str) -> tuple[str, list[str], str]:
    families, females, males, _order = pools.FOREIGN_NAMES[nationality]
    given = rng.choice(females + males)
    family = rng.choice(families)
    return f"{given} {family}", [f"{family} {given}"], " ".join(sorted((given, family)))


def listed_people(count: int, *, seed: int = 7) -> list[ListedPerson]:
    """`count` invented listed persons, with the aliases their list entry declares."""
    rng = random.Random(seed)
    people = []
    for number in range(count):
        draw = rng.random()
        if draw < 0.5:
            nationality, (name, aliases, canonical) = "CHN", _chinese(rng)
        elif draw < 0.75:
            nationality, (name, aliases, canonical) = "KHM", _khmer(rng)
        elif draw < 0.9:
            nationality, (name, aliases, canonical) = "VNM", _vietnamese(rng)
        else:
            nationality = rng.choice(("THA", "MYS", "TWN"))
            name, aliases, canonical = _other(rng, nationality)
        year = rng.randrange(1950, 2002) if rng.random() < 0.85 else None
        people.append(
            ListedPerson(f"syn-p{number}", (name, *aliases), year, nationality, canonical)
        )
    return people


def _person_entity(rng: random.Random, person: ListedPerson) -> dict[str, Any]:
    properties: dict[str, list[str]] = {
        "name": [person.names[0]],
        "alias": list(person.names[1:]),
        "nationality": [COUNTRIES.get(person.nationality, "kh")],
        "topics": ["sanction"],
        "notes": ["Synthetic entry for tests and demonstrations: not a real person."],
    }
    if rng.random() < 0.3:
        properties["weakAlias"] = [rng.choice(pools.SUSPECT_ALIASES)]
    if person.birth_year is not None:
        day = datetime.date(person.birth_year, 1, 1) + datetime.timedelta(rng.randrange(365))
        properties["birthDate"] = [day.isoformat() if rng.random() < 0.7 else str(day.year)]
    if rng.random() < 0.2:
        prefix = rng.choice((12, 15, 16, 17, 77, 78, 92))
        properties["phone"] = [f"+855{prefix}{rng.randrange(2 * 10**5, 10**6)}"]
    return {"id": person.entity_id, "schema": "Person", "properties": properties}


def entities(size: int, *, seed: int = 7) -> tuple[list[dict[str, Any]], list[ListedPerson]]:
    """A list of `size` entities: about 70 % persons, 20 % companies, 10 % accounts, with
    ownerships, directorships and sanctions linking them; and the listed persons."""
    rng = random.Random(seed)
    people = listed_people(int(size * 0.7), seed=seed)
    out = [_person_entity(rng, person) for person in people]
    companies = []
    for number in range(int(size * 0.2)):
        words = rng.sample(COMPANY_WORDS, 2)
        name = f"{' '.join(words)} {rng.choice(COMPANY_KINDS)}"
        company_id = f"syn-c{number}"
        companies.append(company_id)
        properties = {
            "name": [name],
            "alias": [" ".join(words).upper()],
            "jurisdiction": [rng.choice(("kh", "kh", "cn", "hk", "vg"))],
            "registrationNumber": [f"{rng.randrange(10**7, 10**8)}"],
            "topics": ["sanction"],
        }
        out.append({"id": company_id, "schema": "Company", "properties": properties})
    remaining = size - len(out)
    for number in range(remaining):
        holder = rng.choice(companies) if companies and rng.random() < 0.5 else None
        if holder is None and people:
            holder = rng.choice(people).entity_id
        if number % 3 == 0:
            out.append(
                {
                    "id": f"syn-l{number}",
                    "schema": "Ownership",
                    "properties": {
                        "owner": [rng.choice(people).entity_id],
                        "asset": [rng.choice(companies) if companies else holder],
                    },
                }
            )
        elif number % 3 == 1:
            out.append(
                {
                    "id": f"syn-w{number}",
                    "schema": "CryptoWallet",
                    "properties": {
                        "publicKey": [f"T{rng.randrange(16**30, 16**31):x}"[:34]],
                        "currency": ["USDT"],
                        "holder": [holder],
                    },
                }
            )
        else:
            out.append(
                {
                    "id": f"syn-b{number}",
                    "schema": "BankAccount",
                    "properties": {
                        "accountNumber": [f"{rng.randrange(10**11, 10**12)}"],
                        "bankName": ["Synthetic Commercial Bank"],
                    },
                }
            )
    return out, people


def _swap(name: str) -> str:
    parts = name.split()
    return " ".join(parts[1:] + parts[:1]) if len(parts) > 1 else name


@dataclasses.dataclass(frozen=True)
class Suspect:
    """A screened suspect: names, birth year, nationality; `truth` the listed id, or None."""

    ref: str
    names: tuple[str, ...]
    birth_year: int | None
    nationality: str
    truth: str | None
    canonical: str = ""


def suspects(
    people: list[ListedPerson], count: int, *, listed_share: float = 0.1, seed: int = 11
) -> Iterator[Suspect]:
    """`count` suspects; `listed_share` of them are listed persons recorded under one of the
    names their entry declares (in either order, sometimes without a birth year), the others
    fresh people drawn from the same pools (who may share a listed person's name: namesakes)."""
    rng = random.Random(seed)
    fresh = listed_people(count, seed=seed + 1000)
    for number in range(count):
        if rng.random() < listed_share:
            person = rng.choice(people)
            name = rng.choice(person.names)
            if rng.random() < 0.3:
                name = _swap(name)
            year = person.birth_year if rng.random() < 0.6 else None
            if year is not None and rng.random() < 0.2:
                year += rng.choice((-1, 1))  # an age estimated by eye
            yield Suspect(
                f"s{number}", (name,), year, person.nationality, person.entity_id, person.canonical
            )
        else:
            person = fresh[number]
            year = person.birth_year if rng.random() < 0.6 else None
            yield Suspect(
                f"s{number}", (person.names[0],), year, person.nationality, None, person.canonical
            )


# The demo list: a few entries that the demo network (investigations.demo) meets — a
# recruiter's Chinese name and alias, the compound's operator, a phone — and a small synthetic
# list around them. Invented; regenerated with `python -m ctip.investigations.sanctions.synthetic`.
DEMO_ENTRIES: list[dict[str, Any]] = [
    {
        "id": "demo-wei-li",
        "schema": "Person",
        "properties": {
            "name": ["Wei Li"],
            "alias": ["李伟", "Lee Wei"],
            "weakAlias": ["Ah Wei"],
            "nationality": ["cn"],
            "birthDate": ["1981"],
            "topics": ["sanction"],
            "program": ["Demo programme: scam-centre networks (synthetic)"],
            "notes": ["Synthetic entry for the demonstration: not a real person."],
        },
    },
    {
        "id": "demo-gf-tech",
        "schema": "Company",
        "properties": {
            "name": ["Golden Fortune Technology Co., Ltd"],
            "alias": ["GF Tech"],
            "jurisdiction": ["kh"],
            "topics": ["sanction"],
            "program": ["Demo programme: scam-centre networks (synthetic)"],
        },
    },
    {
        "id": "demo-phone-holder",
        "schema": "Person",
        "properties": {
            "name": ["Zhou Jianguo"],
            "alias": ["周建国"],
            "phone": ["+8613800138000"],
            "topics": ["sanction"],
            "notes": ["Synthetic entry for the demonstration: not a real person."],
        },
    },
    {
        "id": "demo-ownership",
        "schema": "Ownership",
        "properties": {"owner": ["demo-wei-li"], "asset": ["demo-gf-tech"], "percentage": ["60"]},
    },
]


def demo_list(size: int = 300) -> list[dict[str, Any]]:
    """The shipped demo list: DEMO_ENTRIES and `size` synthetic entities."""
    rows, _people = entities(size, seed=2024)
    return [*DEMO_ENTRIES, *rows]


if __name__ == "__main__":
    import json
    import sys

    for row in demo_list():
        sys.stdout.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
