"""Red flags of scam-compound recruitment in a job advertisement, in six languages.

The signs are those the field documents (UNODC 2023 and 2024 reports on online scam operations,
IJM and Chab Dai recruitment alerts, the Cambodian National Police's warnings): high pay for
no qualifications, overseas travel paid for, a vague employer, contact only through messaging
apps, and age and language requirements typical of scam work (young, typing in Chinese or
English). Each sign is a set of phrases in Khmer, English, Chinese, Vietnamese, Thai and
Indonesian, matched case-insensitively after Khmer and Thai digits are made ASCII; amounts of
pay are read with their currency. A flag carries the words that raised it, so the investigator
sees why. Written by hand (decision 0701): no library or model covers these languages and these
signs, and a rule that can be read is one that can be argued with in court.
"""

import dataclasses
import re

from django.utils.translation import gettext_lazy as _

MAX_TEXT = 20_000  # characters read of one advertisement

_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩๐๑๒๓๔๕๖๗๘๙", "01234567890123456789")

FLAGS = {
    "high_pay_no_qualifications": _("High pay for no qualifications"),
    "travel_paid": _("Overseas travel paid"),
    "vague_employer": _("Vague employer or job"),
    "messaging_only": _("Contact only through messaging apps"),
    "age_language": _("Age and language requirements typical of scam work"),
}

LANGUAGES = {
    "km": _("Khmer"),
    "en": _("English"),
    "zh": _("Chinese"),
    "vi": _("Vietnamese"),
    "th": _("Thai"),
    "id": _("Indonesian"),
}

# Phrases per sign and language (regular expressions, lower case).
HIGH_PAY: dict[str, tuple[str, ...]] = {
    "en": (r"high (salary|pay|income)", r"earn (big|fast|easy)", r"easy money", r"big commission"),
    "zh": (r"高薪", r"高工资", r"高收入", r"月入过?万", r"轻松赚钱"),
    "vi": (r"lương cao", r"thu nhập cao", r"kiếm tiền (dễ|nhanh)"),
    "th": (r"เงินเดือนสูง", r"รายได้สูง", r"รายได้ดี"),
    "id": (r"gaji (tinggi|besar)", r"penghasilan (tinggi|besar)"),
    "km": (r"ប្រាក់ខែខ្ពស់", r"ប្រាក់ខែ\s*ខ្ពស់", r"ចំណូលខ្ពស់", r"រកលុយងាយ"),
}
NO_QUALIFICATIONS: dict[str, tuple[str, ...]] = {
    "en": (r"no (experience|qualifications?|degree|skills?)( (needed|required))?",
           r"experience not (needed|required)", r"anyone can (apply|do)"),
    "zh": (r"无需经验", r"不需要经验", r"无经验", r"零基础", r"不限学历", r"无需学历"),
    "vi": (r"không cần kinh nghiệm", r"không yêu cầu (kinh nghiệm|bằng cấp)",
           r"không cần bằng cấp"),
    "th": (r"ไม่ต้องมีประสบการณ์", r"ไม่จำเป็นต้องมีประสบการณ์", r"ไม่จำกัดวุฒิ"),
    "id": (r"tanpa pengalaman", r"tidak perlu pengalaman", r"tanpa ijazah"),
    "km": (r"មិនត្រូវការបទពិសោធន៍", r"គ្មានបទពិសោធន៍ក៏បាន", r"មិនទាមទារសញ្ញាបត្រ"),
}  # fmt: skip
TRAVEL_PAID: dict[str, tuple[str, ...]] = {
    "en": (r"(free|paid) (flights?|air ?tickets?|tickets?|visa|travel|transport)",
           r"(flights?|tickets?|visa|travel)( costs?)? (paid|provided|covered|free)",
           r"company pays (the )?(flight|ticket|visa|travel)"),
    "zh": (r"包机票", r"报销机票", r"公司(出|报销)?机票", r"免费机票", r"包签证", r"包路费",
           r"包吃住"),
    "vi": (r"(miễn phí|bao|hỗ trợ) vé máy bay", r"bao (ăn ở|visa)", r"công ty (trả|lo) (vé|visa)"),
    "th": (r"(ออก|จ่าย)ค่า(ตั๋ว)?เครื่องบิน", r"ตั๋วเครื่องบินฟรี", r"มีที่พักฟรี", r"ออกค่าวีซ่า"),
    "id": (r"tiket (pesawat )?gratis", r"(biaya|tiket) (pesawat|perjalanan) ditanggung",
           r"visa ditanggung", r"mess gratis"),
    "km": (r"ចេញថ្លៃសំបុត្រយន្តហោះ", r"សំបុត្រយន្តហោះឥតគិតថ្លៃ", r"ធ្វើដំណើរឥតគិតថ្លៃ",
           r"ចេញថ្លៃធ្វើដំណើរ", r"ស្នាក់នៅឥតគិតថ្លៃ"),
}  # fmt: skip
OVERSEAS: dict[str, tuple[str, ...]] = {
    "en": (r"overseas", r"abroad", r"in (cambodia|myanmar|laos|dubai|thailand|malaysia)"),
    "zh": (r"海外", r"出国", r"国外", r"柬埔寨", r"缅甸", r"迪拜", r"西港"),
    "vi": (r"nước ngoài", r"campuchia", r"xuất khẩu lao động"),
    "th": (r"ต่างประเทศ", r"กัมพูชา", r"เมียนมา", r"พม่า"),
    "id": (r"luar negeri", r"kamboja", r"myanmar"),
    "km": (r"ក្រៅប្រទេស", r"ប្រទេសថៃ", r"ភូមា", r"ឌូបៃ"),
}
VAGUE_EMPLOYER: dict[str, tuple[str, ...]] = {
    "en": (r"(big|large|well[- ]known|international|famous|reputable) company",
           r"(online )?customer service", r"typing jobs?", r"data entry", r"online marketing",
           r"company name (will be )?(given|shared) later"),
    "zh": (r"大公司", r"知名公司", r"正规公司", r"客服", r"打字员", r"网络推广", r"网络营销"),
    "vi": (r"công ty lớn", r"công ty uy tín", r"chăm sóc khách hàng", r"nhân viên đánh máy",
           r"tiếp thị online"),
    "th": (r"บริษัทใหญ่", r"บริษัทชั้นนำ", r"แอดมิน", r"พนักงานพิมพ์งาน", r"การตลาดออนไลน์"),
    "id": (r"perusahaan (besar|ternama|internasional)", r"customer service", r"admin online",
           r"pemasaran online"),
    "km": (r"ក្រុមហ៊ុនធំ", r"ក្រុមហ៊ុនល្បី", r"បម្រើអតិថិជន", r"វាយអក្សរ", r"ទីផ្សារអនឡាញ"),
}  # fmt: skip
MESSAGING: dict[str, tuple[str, ...]] = {
    "any": (r"telegram", r"t\.me/", r"whats ?app", r"wa\.me/", r"wechat", r"weixin", r"\bline\b",
            r"line id", r"zalo", r"signal", r"(?<![\w.])@[a-z0-9_]{4,}"),
    "zh": (r"微信", r"加v", r"飞机", r"纸飞机", r"电报"),
    "vi": (r"liên hệ (qua )?(zalo|telegram)", r"nhắn tin"),
    "th": (r"แอดไลน์", r"ไลน์", r"ทักไลน์"),
    "id": (r"hubungi (wa|whatsapp|telegram)", r"chat (wa|whatsapp)"),
    "km": (r"តេឡេក្រាម", r"ឆាតមក"),
}  # fmt: skip
FORMAL_CONTACT = (
    r"[\w.+-]+@[\w-]+\.[\w.]+", r"https?://(?!t\.me|wa\.me)", r"www\.", r"registration no",
    r"office address", r"公司地址", r"địa chỉ công ty", r"ที่อยู่บริษัท", r"alamat kantor",
    r"អាសយដ្ឋានក្រុមហ៊ុន",
)  # fmt: skip
LANGUAGE_REQUIREMENT: dict[str, tuple[str, ...]] = {
    "en": (r"(speak|fluent|good|basic) (in )?(english|chinese|mandarin|thai|vietnamese)",
           r"(english|chinese|mandarin) (speaker|speaking|typing)", r"typing speed",
           r"(can|able to) type"),
    "zh": (r"会(中文|英文|英语|打字)", r"懂(中文|英文|英语)", r"打字速度", r"会电脑"),
    "vi": (r"biết (tiếng (trung|anh)|đánh máy)", r"nói tiếng (trung|anh)"),
    "th": (r"(พูด|สื่อสาร)ภาษา(จีน|อังกฤษ)", r"พิมพ์ดีด", r"พิมพ์(เร็ว|ได้)"),
    "id": (r"bisa bahasa (inggris|mandarin|cina)", r"bisa mengetik", r"lancar bahasa"),
    "km": (r"ចេះភាសា(ចិន|អង់គ្លេស)", r"ចេះវាយអក្សរ", r"ចេះកុំព្យូទ័រ"),
}  # fmt: skip
# An age range ("18-35", "年龄18至30岁", "usia 18 - 30 tahun"): young upper bounds mark scam work.
AGE_WORDS = r"(age|aged|years old|年龄|岁|tuổi|อายุ|usia|umur|អាយុ)"
AGE_RANGE = re.compile(
    r"(?:"
    + AGE_WORDS
    + r"[^0-9]{0,12})?(1[6-9]|2[0-9])\s*(?:-|\u2013|~|to|至|到|đến|ถึง|sampai|s/d|ដល់)"
    r"\s*(2[0-9]|3[0-9]|4[0-5])\s*(?:" + AGE_WORDS + r")?"
)
# Pay per month at or above these is high for work with no qualifications in the region.
HIGH_AMOUNT = re.compile(
    r"(?:(?P<usd1>\$|usd|us\$)\s*(?P<a1>\d[\d,.\s]*\d|\d)\s*(?P<k1>k)?"
    r"|(?P<a2>\d[\d,.]*)\s*(?P<k2>k|千|万|triệu|tr|juta|พัน|หมื่น)?\s*"
    r"(?P<cur>usd|dollars?|美元|美金|元|rmb|đ|vnd|บาท|baht|rp|idr|ដុល្លារ))"
)
HIGH_MONTHLY = {"usd": 1000.0, "cny": 7000.0, "vnd": 20_000_000.0, "thb": 30_000.0, "idr": 12_000_000.0}  # fmt: skip  # noqa: E501
_CURRENCY = {
    "$": "usd", "usd": "usd", "us$": "usd", "dollar": "usd", "dollars": "usd", "美元": "usd",
    "美金": "usd", "ដុល្លារ": "usd", "元": "cny", "rmb": "cny", "đ": "vnd", "vnd": "vnd",
    "บาท": "thb", "baht": "thb", "rp": "idr", "idr": "idr",
}  # fmt: skip
_MULTIPLIER = {"k": 1e3, "千": 1e3, "万": 1e4, "triệu": 1e6, "tr": 1e6, "juta": 1e6, "พัน": 1e3,
               "หมื่น": 1e4}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Flag:
    """A red flag raised by an advertisement and the words that raised it."""

    code: str
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return str(FLAGS[self.code])


def _prepare(text: str) -> str:
    return (text or "")[:MAX_TEXT].translate(_DIGITS).lower()


def _found(text: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    hits: list[str] = []
    for patterns in table.values():
        for pattern in patterns:
            match = re.search(pattern, text)
            if match and match.group(0).strip() not in hits:
                hits.append(match.group(0).strip())
    return hits


def _amount(match: re.Match[str]) -> tuple[float, str] | None:
    raw = match.group("a1") or match.group("a2") or ""
    digits = re.sub(r"[,.\s]", "", raw)
    if not digits.isdigit() or len(digits) > 12:
        return None
    value = float(digits)
    multiplier = match.group("k1") or match.group("k2")
    if multiplier:
        value *= _MULTIPLIER.get(multiplier, 1.0)
    currency = _CURRENCY.get(match.group("usd1") or match.group("cur") or "", "")
    return (value, currency) if currency else None


def high_amounts(text: str) -> list[str]:
    """Amounts of pay at or above a month's high pay in their currency, as written."""
    found = []
    for match in HIGH_AMOUNT.finditer(text):
        amount = _amount(match)
        if amount and amount[0] >= HIGH_MONTHLY[amount[1]]:
            found.append(match.group(0).strip())
    return found


def detect_language(text: str) -> str:
    """The advertisement's main language, from its script or its common words ("" unknown)."""
    counts = {
        "km": len(re.findall(r"[\u1780-\u17ff]", text)),
        "th": len(re.findall(r"[\u0e00-\u0e7f]", text)),
        "zh": len(re.findall(r"[\u4e00-\u9fff]", text)),
        "vi": len(
            re.findall(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", text.lower())
        ),
    }
    script, count = max(counts.items(), key=lambda item: item[1])
    if count >= 3:
        return script
    words = set(re.findall(r"[a-z]+", text.lower()))
    indonesian = {"dan", "yang", "untuk", "dengan", "gaji", "kerja", "lowongan", "tanpa", "bisa"}
    english = {"the", "and", "for", "with", "salary", "job", "work", "apply", "no"}
    if len(words & indonesian) > len(words & english):
        return "id"
    return "en" if words & english else ""


def flags(text: str) -> list[Flag]:
    """The red flags the advertisement raises, each with its reasons."""
    plain = _prepare(text)
    raised: list[Flag] = []
    pay = _found(plain, HIGH_PAY) + high_amounts(plain)
    easy = _found(plain, NO_QUALIFICATIONS)
    if pay and easy:
        raised.append(Flag("high_pay_no_qualifications", tuple(pay + easy)))
    travel = _found(plain, TRAVEL_PAID)
    if travel:
        raised.append(Flag("travel_paid", tuple(travel + _found(plain, OVERSEAS))))
    vague = _found(plain, VAGUE_EMPLOYER)
    if vague:
        raised.append(Flag("vague_employer", tuple(vague)))
    messaging = _found(plain, MESSAGING)
    if messaging and not any(re.search(p, plain) for p in FORMAL_CONTACT):
        raised.append(Flag("messaging_only", tuple(messaging)))
    # A bare "18-35" may be part of a number; an age range names itself (age, 岁, tuổi...).
    ages = [
        m.group(0).strip() for m in AGE_RANGE.finditer(plain) if re.search(AGE_WORDS, m.group(0))
    ]
    languages = _found(plain, LANGUAGE_REQUIREMENT)
    if ages or languages:
        raised.append(Flag("age_language", tuple(ages + languages)))
    return raised
