"""Pools the synthetic data generator draws from: names, places, weights. Invented, not real people.

Khmer names come with their Khmer spelling and the Latin spellings officers actually write for
them; every Latin variant of one name reduces to the same search key (the tests check it), so
a person registered as "Sokhar" is found by "Sokha". Weights are rough shares chosen to look
like the NCCT's published figures (docs/decisions/0120-synthetic-data-generator.md).
"""

from .names import skeleton

# Khmer family names: (Khmer script, Latin spellings, most common first).
KHMER_FAMILY: list[tuple[str, tuple[str, ...]]] = [
    ("សុខ", ("Sok", "Sokh")),
    ("ចាន់", ("Chan", "Chann")),
    ("គឹម", ("Kim", "Kym")),
    ("ឆាយ", ("Chhay", "Chay", "Chhai")),
    ("ហេង", ("Heng", "Hheng")),
    ("កែវ", ("Keo", "Kheo")),
    ("មាស", ("Meas", "Mas")),
    ("លី", ("Ly", "Li", "Lee")),
    ("ពេជ្រ", ("Pich", "Phich")),
    ("ប្រាក់", ("Prak", "Phrak")),
    ("សេង", ("Seng", "Sseng")),
    ("សំ", ("Sam", "Samm")),
    ("ទូច", ("Touch", "Toch", "Tuch")),
    ("ជា", ("Chea", "Cha")),
    ("ឡុង", ("Long", "Lung")),
    ("ម៉ៅ", ("Mao", "Mau")),
    ("ញឹម", ("Nhem", "Nem")),
    ("ផាន់", ("Phan", "Pan", "Phann")),
    ("រស់", ("Ros", "Ross")),
    ("ទេព", ("Tep", "Thep")),
    ("វ៉ាន់", ("Vann", "Van", "Wan")),
    ("យឹម", ("Yim", "Im")),
    ("ឃុន", ("Khun", "Khon", "Kun")),
    ("នួន", ("Nuon", "Noun", "Nun")),
    ("អ៊ុក", ("Ouk", "Ok", "Uk")),
    ("ថាច់", ("Thach", "Tach")),
    ("ឈឹម", ("Chhim", "Chim")),
    ("ស៊ុន", ("Sun", "Soun", "Son")),
    ("ហ៊ុន", ("Hun", "Houn")),
    ("ណុប", ("Nop", "Nopp")),
    ("ស្រេង", ("Sreng", "Srengh")),
    ("ឯក", ("Ek", "Ekk")),
    ("ព្រំ", ("Prum", "Prom", "Phrum")),
    ("ឌី", ("Dy", "Di")),
    ("ខៀវ", ("Khiev", "Kiev")),
    ("ស្វាយ", ("Svay", "Svai")),
    ("ទិត្យ", ("Tith", "Tit")),
    ("ឡាយ", ("Lay", "Lai")),
    ("អ៊ឹម", ("Im", "Yim")),
    ("មុំ", ("Mom", "Mum")),
]

KHMER_GIVEN_FEMALE: list[tuple[str, tuple[str, ...]]] = [
    ("សុខា", ("Sokha", "Sokhar", "Sokhaa")),
    ("ស្រីមុំ", ("Srey Mom", "Srei Mom", "Srey Mum")),
    ("ស្រីនាង", ("Srey Neang", "Srei Neang", "Srey Neangh")),
    ("ស្រីពៅ", ("Srey Pov", "Srei Pov", "Sreiy Pov")),
    ("ស្រីល័ក្ខ", ("Srey Leak", "Srei Leak", "Srey Leakh")),
    ("សុភា", ("Sophea", "Sophear", "Sopha")),
    ("ដារ៉ា", ("Dara", "Darar", "Daraa")),
    ("ចិន្តា", ("Chenda", "Chendar", "Chhenda")),
    ("បុប្ផា", ("Bopha", "Bophar", "Bopa")),
    ("ចន្ទនារី", ("Channary", "Chanary", "Channari")),
    ("កញ្ញា", ("Kanha", "Kanhar", "Khanha")),
    ("លក្ខិណា", ("Leakhena", "Leakena", "Leakhenar")),
    ("មាលា", ("Mealea", "Mealear", "Meallea")),
    ("រចនា", ("Rachana", "Rachanar", "Rachhana")),
    ("ធីតា", ("Thida", "Tida", "Thidar")),
    ("វណ្ណា", ("Vanna", "Vana", "Vannar")),
    ("ពិសី", ("Pisey", "Pisei", "Pisi")),
    ("រស្មី", ("Raksmey", "Raksmei", "Raksmy")),
    ("នារី", ("Nary", "Nari", "Narey")),
    ("សុធា", ("Sothea", "Sotha", "Sotheah")),
    ("សុគន្ធា", ("Sokunthea", "Sokuntha", "Sokunthear")),
    ("ស្រីនិច", ("Srey Nich", "Srei Nich", "Srey Nichh")),
    ("ម៉ានី", ("Many", "Mani", "Maney")),
    ("លីដា", ("Lida", "Lyda", "Lidar")),
    ("សុវណ្ណារី", ("Sovannary", "Sovanary", "Sovannari")),
]

KHMER_GIVEN_MALE: list[tuple[str, tuple[str, ...]]] = [
    ("វុទ្ធី", ("Vuthy", "Vuthi", "Vuty")),
    ("វិបុល", ("Vibol", "Vibul", "Viboll")),
    ("សុវណ្ណ", ("Sovann", "Sovan", "Sowann")),
    ("រិទ្ធី", ("Rithy", "Rithi", "Rity")),
    ("ពិសិដ្ឋ", ("Piseth", "Pisseth", "Pisethh")),
    ("សុផល", ("Sophal", "Sophall", "Sopal")),
    ("វិសាល", ("Visal", "Vissal", "Wisal")),
    ("ប៊ុនធឿន", ("Bunthoeun", "Bunthoeunn", "Boonthoeun")),
    ("ចាន់ថា", ("Chantha", "Chanta", "Chanthar")),
    ("កុសល", ("Kosal", "Kosall", "Khosal")),
    ("មករា", ("Makara", "Makarar", "Makkara")),
    ("ណារិទ្ធ", ("Narith", "Narit", "Naryth")),
    ("រដ្ឋា", ("Ratha", "Rathar", "Rattha")),
    ("សំណាង", ("Samnang", "Samnnang", "Samnhang")),
    ("សម្បត្តិ", ("Sambath", "Sambat", "Sambathh")),
    ("ធារិទ្ធ", ("Thearith", "Tearith", "Thearit")),
    ("វាសនា", ("Veasna", "Veasnar", "Veassna")),
    ("វិជ្ជា", ("Vichea", "Vichear", "Vicha")),
    ("ដារ៉ា", ("Dara", "Darar", "Daraa")),
    ("សុខហេង", ("Sokheng", "Sokhengh", "Sokeng")),
    ("ពៅ", ("Pov", "Pouv", "Povv")),
    ("ឈុនលី", ("Chhunly", "Chunly", "Chhunli")),
    ("សារ៉ុន", ("Saroeun", "Saroeon", "Saroeunn")),
    ("ភារម្យ", ("Phearum", "Phearom", "Pearum")),
    ("ហេងលី", ("Hengly", "Hengli", "Hengley")),
]

# Nicknames Cambodians are known by; police also record a suspect's street name.
KHMER_ALIASES = ("Mom", "Pov", "Toch", "Thom", "Srey", "Bong", "A Khmao", "Mi", "Nang", "Khmao")
SUSPECT_ALIASES = ("Boss", "Lok Thom", "Ah Long", "Bong Thom", "Mekhyol", "Ta", "Ah Hong")

# Foreign names by nationality (ISO alpha-3):
# (family names, female given names, male given names, family name written first).
FOREIGN_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]] = {
    "CHN": (
        ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Lin"),
        ("Fang", "Jing", "Yan", "Ying", "Lina", "Hui", "Mei", "Xiaoyu", "Na", "Ting"),
        ("Wei", "Lei", "Jun", "Hao", "Xiaoming", "Jie", "Tao", "Qiang", "Yong", "Chao"),
        True,
    ),
    "VNM": (
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Phan", "Vu", "Vo", "Dang", "Bui"),
        ("Thi Lan", "Thi Hoa", "Thi Mai", "Thi Huong", "Ngoc Anh", "Thu Trang", "Thi Thu"),
        ("Van Anh", "Van Minh", "Duc Thang", "Quang Huy", "Van Hung", "Minh Tuan", "Van Nam"),
        True,
    ),
    "IDN": (
        ("Santoso", "Rahayu", "Setiawan", "Lestari", "Pratama", "Wulandari", "Saputra"),
        ("Siti", "Dewi", "Putri", "Nur", "Rina", "Ayu", "Indah"),
        ("Budi", "Agus", "Rizky", "Andi", "Dedi", "Eko", "Fajar"),
        False,
    ),
    "THA": (
        ("Srisuk", "Saetang", "Wongsawat", "Chaiyaporn", "Rattanakorn", "Boonmee", "Suksawat"),
        ("Malee", "Nattaya", "Siriporn", "Kanya", "Pimchanok", "Wanida"),
        ("Somchai", "Somsak", "Anan", "Prasert", "Kittisak", "Nattapong"),
        False,
    ),
    "MYS": (
        ("Tan", "Lim", "Wong", "Abdullah", "Ismail", "Rahman", "Lee"),
        ("Nurul Aina", "Mei Ling", "Kavitha", "Siti Aishah", "Hui Min"),
        ("Ahmad", "Wei Jie", "Hafiz", "Muhammad Amir", "Kumar"),
        False,
    ),
    "PHL": (
        ("dela Cruz", "Santos", "Reyes", "Garcia", "Mendoza", "Bautista", "Villanueva"),
        ("Maria", "Ana", "Kristine", "Angelica", "Jocelyn", "Mary Grace"),
        ("Juan", "Jose", "Mark", "John Paul", "Rodel", "Jerome"),
        False,
    ),
    "MMR": (
        ("",),
        ("Thandar Aye", "Hnin Wai", "Su Myat", "Ei Phyu"),
        ("Aung Kyaw Moe", "Min Htet", "Zaw Lin", "Kyaw Zin"),
        False,
    ),
    "LAO": (
        ("Phommachanh", "Sisouphanh", "Keomany", "Vongsa"),
        ("Souksavanh", "Manivone", "Phonesavanh"),
        ("Somphone", "Khamphet", "Bounmy"),
        False,
    ),
    "BGD": (
        ("Rahman", "Hossain", "Islam", "Ahmed"),
        ("Fatema", "Nasrin"),
        ("Mohammad", "Rafiq"),
        False,
    ),
    "IND": (("Sharma", "Singh", "Kumar", "Patel"), ("Priya", "Anjali"), ("Rahul", "Amit"), False),
    "PAK": (("Khan", "Ali", "Hussain"), ("Ayesha", "Sana"), ("Bilal", "Usman"), False),
    "NPL": (("Thapa", "Gurung", "Shrestha"), ("Sita", "Anita"), ("Bikash", "Ramesh"), False),
    "LKA": (("Perera", "Fernando", "Silva"), ("Nimali", "Dilani"), ("Nuwan", "Kasun"), False),
    "KEN": (
        ("Otieno", "Wanjiru", "Kamau", "Odhiambo"),
        ("Faith", "Mercy"),
        ("Brian", "Kevin"),
        False,
    ),
    "UGA": (("Okello", "Namubiru", "Mugisha"), ("Grace", "Sarah"), ("Moses", "Isaac"), False),
    "TWN": (
        ("Chen", "Lin", "Huang", "Chang"),
        ("Yi-ting", "Hsin-yi"),
        ("Chih-hao", "Chia-wei"),
        True,
    ),
    "KOR": (("Kim", "Lee", "Park", "Choi"), ("Ji-woo", "Seo-yeon"), ("Min-jun", "Ji-ho"), True),
    "USA": (("Smith", "Johnson", "Miller"), ("Jennifer", "Emily"), ("Michael", "David"), False),
    "GBR": (("Taylor", "Brown", "Wilson"), ("Sarah", "Emma"), ("James", "Richard"), False),
    "AUS": (("Williams", "Jones", "Walker"), ("Jessica", "Chloe"), ("Daniel", "Matthew"), False),
    "FRA": (("Martin", "Bernard", "Dubois"), ("Marie", "Camille"), ("Pierre", "Nicolas"), False),
}

LANGUAGES = {
    "KHM": ["km"],
    "CHN": ["zh"],
    "VNM": ["vi"],
    "IDN": ["id"],
    "THA": ["th"],
    "MYS": ["ms"],
    "PHL": ["tl", "en"],
    "MMR": ["my"],
    "LAO": ["lo"],
    "BGD": ["bn"],
    "IND": ["hi", "en"],
    "PAK": ["ur"],
    "NPL": ["ne"],
    "LKA": ["si"],
    "KEN": ["sw", "en"],
    "UGA": ["en"],
    "TWN": ["zh"],
    "KOR": ["ko"],
    "USA": ["en"],
    "GBR": ["en"],
    "AUS": ["en"],
    "FRA": ["fr"],
}

# Victims of online-scam compounds, by nationality (Cambodians are victims there too).
SCAM_VICTIM_NATIONALITIES = {
    "CHN": 30, "VNM": 15, "IDN": 12, "KHM": 8, "THA": 8, "MYS": 6, "PHL": 6, "MMR": 3,
    "LAO": 2, "BGD": 2, "IND": 2, "TWN": 1.5, "KEN": 1.5, "UGA": 1, "PAK": 1, "NPL": 1, "LKA": 0.5,
}  # fmt: skip
# Foreign suspects: scam bosses are mostly Chinese nationals; sex offenders against children
# include foreign travellers.
SCAM_SUSPECT_NATIONALITIES = {"CHN": 70, "TWN": 8, "MYS": 6, "VNM": 6, "KOR": 4, "IDN": 3, "THA": 3}
OTHER_FOREIGN_SUSPECTS = {"CHN": 35, "VNM": 25, "THA": 15, "USA": 7, "GBR": 6, "AUS": 6, "FRA": 6}

# Case kinds: shares close to NCCT reports (sexual exploitation the largest police series,
# trafficking a fifth of it) plus the scam-compound and labour cases of the later years.
CASE_KIND_WEIGHTS = {
    "sexual_exploitation": 44,
    "forced_criminality": 20,
    "trafficking": 14,
    "forced_labour": 13,
    "forced_marriage": 7,
    "other": 2,
}
# Relative weight of each year before the last (index 0 = oldest year), per kind: scam
# compounds appear from 2020 and peak after the 2022 crackdown.
YEAR_TREND = {
    "forced_criminality": (0.05, 0.1, 0.6, 1.4, 2.2, 2.4, 2.6, 2.2),
    "default": (1.0, 1.0, 0.8, 1.3, 1.1, 1.2, 1.3, 1.3),
}

# Hotspots multiply a province's population weight (ISO 3166-2:KH number -> factor).
HOTSPOTS = {18: 6.0, 12: 1.6, 1: 3.0, 20: 2.5, 9: 2.0, 22: 1.6, 17: 1.3, 2: 1.3, 7: 1.2}
# Where scam compounds are (Sihanoukville, Phnom Penh, Bavet, Poipet, Koh Kong, O'Smach, Bokor).
SCAM_PROVINCES = {18: 40, 12: 16, 20: 12, 1: 10, 9: 6, 22: 4, 7: 3, 8: 3, 24: 2, 21: 2, 17: 2}
# Forced labour by industry: (ISIC code, industry weight, provinces where it happens).
LABOUR_INDUSTRIES = [
    ("F_Construction", 30, {12: 5, 18: 4, 17: 2, 8: 2}),
    ("A_AgricultureForestryAndFishing", 30, {9: 4, 18: 4, 7: 3, 23: 1, 2: 2, 1: 2}),
    ("C_Manufacturing", 25, {8: 5, 4: 4, 12: 2, 3: 1}),  # brick kilns
    ("T_ActivitiesOfHouseholdsAsEmployers", 15, {12: 5, 17: 1, 2: 1}),
]
# Forced marriage: young women from the south-east, taken to China through Phnom Penh.
MARRIAGE_PROVINCES = {3: 5, 14: 5, 21: 4, 25: 4, 8: 3, 20: 2, 5: 2, 12: 2}

# Province capitals: (town, latitude, longitude), by ISO 3166-2:KH number.
PROVINCE_TOWNS = {
    1: ("Serei Saophoan", 13.58, 102.97),
    2: ("Battambang", 13.10, 103.20),
    3: ("Kampong Cham", 12.00, 105.46),
    4: ("Kampong Chhnang", 12.25, 104.67),
    5: ("Chbar Mon", 11.46, 104.52),
    6: ("Stueng Saen", 12.71, 104.89),
    7: ("Kampot", 10.61, 104.18),
    8: ("Ta Khmau", 11.48, 104.95),
    9: ("Khemarak Phoumin", 11.62, 102.98),
    10: ("Kratie", 12.49, 106.02),
    11: ("Sen Monorom", 12.45, 107.19),
    12: ("Phnom Penh", 11.56, 104.92),
    13: ("Tbeng Meanchey", 13.80, 104.98),
    14: ("Prey Veng", 11.48, 105.33),
    15: ("Pursat", 12.54, 103.92),
    16: ("Banlung", 13.74, 106.98),
    17: ("Siem Reap", 13.36, 103.86),
    18: ("Sihanoukville", 10.63, 103.52),
    19: ("Stung Treng", 13.53, 105.97),
    20: ("Svay Rieng", 11.09, 105.80),
    21: ("Doun Kaev", 10.99, 104.78),
    22: ("Samraong", 14.18, 103.52),
    23: ("Kep", 10.48, 104.32),
    24: ("Pailin", 12.85, 102.61),
    25: ("Suong", 11.91, 105.66),
}
# Places of exploitation that officers name in reports, by kind.
PLACES = {
    "sexual_exploitation": ("karaoke parlour", "massage parlour", "guesthouse", "beer garden",
                            "rented room", "hotel"),
    "forced_criminality": ("online-scam compound", "casino building", "condominium tower",
                           "special economic zone compound"),
    "forced_labour": ("construction site", "fishing boat", "brick kiln", "private house",
                      "plantation"),
    "forced_marriage": ("husband's family home", "marriage broker's house"),
    "trafficking": ("rented room", "border crossing", "bus station", "factory"),
    "other": ("private house", "market"),
}  # fmt: skip
BORDER_CROSSINGS = {1: "Poipet international checkpoint", 20: "Bavet international checkpoint",
                    22: "O'Smach checkpoint", 9: "Cham Yeam checkpoint",
                    19: "Trapeang Kriel checkpoint",
                    12: "Phnom Penh (Techo) International Airport"}  # fmt: skip
ABROAD = {
    "forced_labour": {"THA": 70, "MYS": 20, "KOR": 5, "CHN": 5},
    "sexual_exploitation": {"THA": 50, "MYS": 30, "CHN": 20},
    "trafficking": {"THA": 55, "MYS": 20, "CHN": 15, "VNM": 10},
    "forced_criminality": {"MMR": 60, "LAO": 40},
}
PLATFORMS = ("Facebook", "Telegram", "TikTok", "WeChat", "WhatsApp", "Line", "Zalo", "Messenger")
NGO_CODES = ("NGO-LAC", "NGO-CWCC", "NGO-CHABDAI", "NGO-HAGAR", "NGO-APLE", "NGO-IJM")

# Per case kind: extra victims beyond the first (mean of a geometric draw), share of minors
# among victims, share of women and girls. NCCT half-years show about 2.8 victims a case,
# close to half of them minors and more than four in five female; scam-compound rescues are
# larger and mostly men.
EXTRA_VICTIMS = {"forced_criminality": 2.0, "sexual_exploitation": 0.7, "forced_labour": 0.6,
                 "trafficking": 0.5, "forced_marriage": 0.05, "other": 0.2}  # fmt: skip
MINOR_SHARE = {"sexual_exploitation": 0.45, "trafficking": 0.35, "forced_labour": 0.2,
               "forced_marriage": 0.2, "forced_criminality": 0.03, "other": 0.3}  # fmt: skip
FEMALE_SHARE = {"sexual_exploitation": 0.95, "trafficking": 0.7, "forced_labour": 0.35,
                "forced_marriage": 1.0, "forced_criminality": 0.3, "other": 0.6}  # fmt: skip

# Victim profile vocabularies (HTCDS codes) by case kind.
RELATIONSHIPS = {
    "sexual_exploitation": ("Friend", "Stranger", "IntimatePartner", "Family", "Employer"),
    "forced_criminality": ("Stranger", "Friend", "Employer"),
    "forced_labour": ("Employer", "Friend", "Family"),
    "forced_marriage": ("Family", "Friend", "Stranger"),
    "default": ("Friend", "Stranger", "Family", "Other"),
}
RECRUITMENT_METHODS = {
    "forced_criminality": ("ThroughOnlineSocialNetworks", "ThroughAnOnlineAdvertisement",
                           "ThroughFriendsOrSocialEvents"),
    "sexual_exploitation": ("ThroughFriendsOrSocialEvents", "ThroughFamilyOrFamilyEvents",
                            "AtAPlaceOfBusiness", "ThroughOnlineSocialNetworks"),
    "forced_labour": ("AtWork", "ThroughFriendsOrSocialEvents", "ThroughFamilyOrFamilyEvents"),
    "forced_marriage": ("ThroughFamilyOrFamilyEvents", "ThroughFriendsOrSocialEvents"),
    "default": ("ThroughFriendsOrSocialEvents", "Other"),
}  # fmt: skip
MEANS_OF_CONTROL = {
    "forced_criminality": ("WithholdsDocuments", "DebtBondage", "PhysicalAbuse",
                           "PhysicalThreats", "ExcessiveWorkingHours", "FalsePromises"),
    "sexual_exploitation": ("DebtBondage", "PsychologicalAbuse", "TakesEarnings",
                            "FalsePromises", "PsychoactiveSubstance", "PhysicalThreats"),
    "forced_labour": ("DebtBondage", "TakesEarnings", "ExcessiveWorkingHours",
                      "WithholdsDocuments", "WithholdsNecessities"),
    "forced_marriage": ("FalsePromises", "ThreatensChildrenFamily", "SexualAbuse",
                        "RestrictsFinancialAccess"),
    "default": ("FalsePromises", "PhysicalThreats", "Other"),
}  # fmt: skip
EXPLOITATION_TYPES = {
    "sexual_exploitation": ["SexualExploitation"],
    "forced_criminality": ["ForcedLabour", "Other"],
    "forced_labour": ["ForcedLabour"],
    "forced_marriage": ["ForcedMarriage"],
}

# --- wider Khmer name pools, drawn with realistic frequencies ------------------------------
#
# The lists above are the most common names. Cambodians share fewer names than English
# speakers but many more than a few dozen: family names are often a father's or grandfather's
# given name, and given names are often two syllables joined (Sok + Heng, Chan + Tha, Srey +
# Mom). So the pools below add rarer family names and build given names from syllables, and
# every pool is drawn with Zipf-like weights (rank r weighs 1 / (r + ZIPF_OFFSET)): a few
# names are very common, most are rare, so that unrelated people share a name about as often
# as they do in a real registry.

KHMER_FAMILY_MORE: list[tuple[str, tuple[str, ...]]] = [
    ("ហ៊ុយ", ("Huy", "Houy")),
    ("ម៉ម", ("Mam", "Mamm")),
    ("ប៉ែន", ("Pen", "Penn")),
    ("ហ៊ាង", ("Hang", "Hangh")),
    ("ស៊ឹម", ("Sim", "Simm")),
    ("ឈាង", ("Chheang", "Cheang")),
    ("អ៊ុំ", ("Um", "Oum")),
    ("ប៉ុក", ("Pok", "Pokk")),
    ("សារ៉ាត់", ("Sarat", "Sarath")),
    ("យ៉ង", ("Yong", "Young")),
    ("ហួត", ("Huot", "Hout", "Hut")),
    ("ម៉ុក", ("Mok", "Mokk")),
    ("ផុន", ("Phon", "Pon", "Phonn")),
    ("ស៊ុយ", ("Suy", "Souy")),
    ("ចេង", ("Cheng", "Chheng")),
    ("ទាវ", ("Teav", "Theav")),
    ("ពុំ", ("Pum", "Poum", "Pom")),
    ("គង់", ("Kong", "Kung")),
    ("ម៉ាង", ("Mang", "Maang")),
    ("រិន", ("Rin", "Rinn")),
    ("លឹម", ("Lim", "Lym")),
    ("សយ", ("Soy", "Soi")),
    ("ទុំ", ("Tum", "Toum", "Tom")),
    ("ណាក់", ("Nak", "Nakk")),
    ("ហម", ("Hom", "Hum")),
    ("ម៉េង", ("Meng", "Mengh")),
    ("សួស", ("Suos", "Sous")),
    ("ឈន", ("Chhorn", "Chorn")),
    ("ពុធ", ("Puth", "Pouth", "Put")),
    ("អាង", ("Ang", "Aang")),
    ("ខេង", ("Kheng", "Keng")),
    ("វង្ស", ("Vong", "Wong")),
    ("ថន", ("Thon", "Ton")),
    ("ណែត", ("Net", "Nett")),
    ("ហ៊ួរ", ("Hour", "Huor")),
    ("ទឹម", ("Tim", "Thim")),
    ("សាន", ("San", "Sann")),
    ("ពេញ", ("Penh", "Phenh")),
    ("ស៊ាង", ("Sang", "Saang")),
    ("ម៉ៅ", ("Mau", "Mao")),
]

# Syllables of given names: (Khmer script, Latin spellings, most common first).
FEMALE_FIRST_SYLLABLES: list[tuple[str, tuple[str, ...], bool]] = [
    # (Khmer, Latin spellings, written as two words)
    ("ស្រី", ("Srey", "Srei"), True),
    ("សុខ", ("Sok", "Sokh"), False),
    ("ចាន់", ("Chan", "Chann"), False),
    ("គឹម", ("Kim", "Kym"), False),
]
FEMALE_SECOND_SYLLABLES: list[tuple[str, tuple[str, ...]]] = [
    ("មុំ", ("Mom", "Mum")),
    ("នាង", ("Neang", "Neangh")),
    ("ល័ក្ខ", ("Leak", "Leakh")),
    ("ពៅ", ("Pov", "Pouv")),
    ("និច", ("Nich", "Nichh")),
    ("ណា", ("Na", "Nha")),
    ("ដា", ("Da", "Dar")),
    ("រ៉ា", ("Ra", "Raa")),
    ("នី", ("Ny", "Ni", "Ney")),
    ("ម៉ី", ("My", "Mey", "Mei")),
    ("លីន", ("Lin", "Linn")),
    ("ធា", ("Thea", "Tha")),
    ("វី", ("Vy", "Vi")),
    ("ពិន", ("Pin", "Phin")),
]
MALE_FIRST_SYLLABLES: list[tuple[str, tuple[str, ...], bool]] = [
    ("សុខ", ("Sok", "Sokh"), False),
    ("ចាន់", ("Chan", "Chann"), False),
    ("ប៊ុន", ("Bun", "Boun"), False),
    ("គឹម", ("Kim", "Kym"), False),
    ("វណ្ណ", ("Vann", "Van"), False),
]
MALE_SECOND_SYLLABLES: list[tuple[str, tuple[str, ...]]] = [
    ("ហេង", ("Heng", "Hengh")),
    ("លី", ("Ly", "Li")),
    ("រិទ្ធ", ("Rith", "Rit")),
    ("ធឿន", ("Thoeun", "Thoeunn")),
    ("ធា", ("Tha", "Thea")),
    ("ណា", ("Na", "Nha")),
    ("រ៉ា", ("Ra", "Raa")),
    ("ដា", ("Da", "Dar")),
    ("វុធ", ("Vuth", "Vut", "Vouth")),
    ("ផល", ("Phal", "Pal")),
    ("សាក់", ("Sak", "Sakk")),
    ("ម៉េង", ("Meng", "Mengh")),
    ("ធី", ("Thy", "Thi", "Ty")),
]
ZIPF_OFFSET = 10.0


def _search_key(spelling: str) -> str:
    return " ".join(sorted(skeleton(part) for part in spelling.split()))


def _compounds(
    first: list[tuple[str, tuple[str, ...], bool]], second: list[tuple[str, tuple[str, ...]]]
) -> list[tuple[str, tuple[str, ...]]]:
    """Given names of two syllables. Only spellings with the search key of the most common
    one are kept (Sokh + heng would not reduce to Sokheng's key), so that search and the
    pool's tests treat every spelling as the same name; slips of the pen come on top."""
    names = []
    for first_km, first_latin, spaced in first:
        for second_km, second_latin in second:
            spellings = [
                f"{a} {b}" if spaced else f"{a}{b.lower()}"
                for a in first_latin
                for b in second_latin
            ]
            key = _search_key(spellings[0])
            kept = tuple(dict.fromkeys(s for s in spellings if _search_key(s) == key))
            names.append((first_km + second_km, kept))
    return names


def _merged(*lists: list[tuple[str, tuple[str, ...]]]) -> list[tuple[str, tuple[str, ...]]]:
    """The lists one after the other, each Khmer name once (its first entry wins)."""
    seen: set[str] = set()
    merged = []
    for entries in lists:
        for khmer, spellings in entries:
            if khmer not in seen:
                seen.add(khmer)
                merged.append((khmer, spellings))
    return merged


def zipf_weights(count: int) -> list[float]:
    return [1 / (rank + ZIPF_OFFSET) for rank in range(count)]


# Interleaved so that common single names stay common and compounds spread over the ranks.
def _interleave(
    a: list[tuple[str, tuple[str, ...]]], b: list[tuple[str, tuple[str, ...]]]
) -> list[tuple[str, tuple[str, ...]]]:
    out: list[tuple[str, tuple[str, ...]]] = []
    for i in range(max(len(a), len(b))):
        out.extend(x[i] for x in (a, b) if i < len(x))
    return out


KHMER_GIVEN_FEMALE_ALL = _merged(
    _interleave(KHMER_GIVEN_FEMALE, _compounds(FEMALE_FIRST_SYLLABLES, FEMALE_SECOND_SYLLABLES))
)
KHMER_GIVEN_MALE_ALL = _merged(
    _interleave(KHMER_GIVEN_MALE, _compounds(MALE_FIRST_SYLLABLES, MALE_SECOND_SYLLABLES))
)
# Family names: the common ones, the rarer ones, then men's given names of one word (a
# father's given name passed on as the family name), rarest of all.
KHMER_FAMILY_ALL = _merged(
    KHMER_FAMILY,
    KHMER_FAMILY_MORE,
    [(km, latin) for km, latin in KHMER_GIVEN_MALE_ALL if " " not in latin[0]],
)
KHMER_FAMILY_WEIGHTS = zipf_weights(len(KHMER_FAMILY_ALL))
KHMER_GIVEN_FEMALE_WEIGHTS = zipf_weights(len(KHMER_GIVEN_FEMALE_ALL))
KHMER_GIVEN_MALE_WEIGHTS = zipf_weights(len(KHMER_GIVEN_MALE_ALL))
