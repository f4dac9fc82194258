"""Deterministic synthetic UN meeting summaries for the scale benchmark (benchmarks/scale.py).

Each document looks like the summaries in ``corpus/``: a title block (document type, meeting, date, venue,
city), 4–7 section headings and exactly 25 body paragraphs of 1–6 sentences (~450 bytes each, never long
enough to be split into two chunks), with country names, speakers, document symbols, numbers, years and
percentages. Words are drawn from hand-written UN-prose word lists with Zipf-like weights, and proper
names from a syllable generator, so that term statistics have a head of very common words ("human",
"security", "United Nations") and a long tail of rare ones, as real text does. Nothing is copied from the
corpus.

Document ``i`` depends only on ``(seed, i)``: the 10k corpus is the first 400 documents of the 50k one.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

GENERATOR_VERSION = 1
PARAGRAPHS_PER_DOC = 25

COUNTRIES = """Afghanistan; Albania; Algeria; Andorra; Angola; Antigua and Barbuda; Argentina; Armenia; Australia;
Austria; Azerbaijan; the Bahamas; Bahrain; Bangladesh; Barbados; Belarus; Belgium; Belize; Benin; Bhutan; Bolivia;
Bosnia and Herzegovina; Botswana; Brazil; Brunei Darussalam; Bulgaria; Burkina Faso; Burundi; Cabo Verde; Cambodia;
Cameroon; Canada; the Central African Republic; Chad; Chile; China; Colombia; the Comoros; the Congo; Costa Rica;
Côte d'Ivoire; Croatia; Cuba; Cyprus; Czechia; the Democratic Republic of the Congo; Denmark; Djibouti; Dominica;
the Dominican Republic; Ecuador; Egypt; El Salvador; Equatorial Guinea; Eritrea; Estonia; Eswatini; Ethiopia; Fiji;
Finland; France; Gabon; the Gambia; Georgia; Germany; Ghana; Greece; Grenada; Guatemala; Guinea; Guinea-Bissau;
Guyana; Haiti; Honduras; Hungary; Iceland; India; Indonesia; Iran; Iraq; Ireland; Israel; Italy; Jamaica; Japan;
Jordan; Kazakhstan; Kenya; Kiribati; Kuwait; Kyrgyzstan; the Lao People's Democratic Republic; Latvia; Lebanon;
Lesotho; Liberia; Libya; Liechtenstein; Lithuania; Luxembourg; Madagascar; Malawi; Malaysia; Maldives; Mali; Malta;
the Marshall Islands; Mauritania; Mauritius; Mexico; Micronesia; Monaco; Mongolia; Montenegro; Morocco; Mozambique;
Myanmar; Namibia; Nauru; Nepal; the Netherlands; New Zealand; Nicaragua; the Niger; Nigeria; North Macedonia; Norway;
Oman; Pakistan; Palau; Panama; Papua New Guinea; Paraguay; Peru; the Philippines; Poland; Portugal; Qatar; the
Republic of Korea; the Republic of Moldova; Romania; the Russian Federation; Rwanda; Saint Kitts and Nevis; Saint
Lucia; Samoa; San Marino; Saudi Arabia; Senegal; Serbia; Seychelles; Sierra Leone; Singapore; Slovakia; Slovenia;
Solomon Islands; Somalia; South Africa; South Sudan; Spain; Sri Lanka; the Sudan; Suriname; Sweden; Switzerland;
the Syrian Arab Republic; Tajikistan; Thailand; Timor-Leste; Togo; Tonga; Trinidad and Tobago; Tunisia; Türkiye;
Turkmenistan; Tuvalu; Uganda; Ukraine; the United Arab Emirates; the United Kingdom; the United Republic of Tanzania;
the United States of America; Uruguay; Uzbekistan; Vanuatu; Venezuela; Viet Nam; Yemen; Zambia; Zimbabwe"""
COUNTRIES = [" ".join(c.split()) for c in COUNTRIES.split(";")]

CITIES = """New York; Geneva; Vienna; Tokyo; Bangkok; Nairobi; Addis Ababa; Santiago; Beirut; Almaty; Dakar; Brussels;
Ljubljana; Graz; Bamako; Oslo; Ottawa; Mexico City; Dublin; Amman; Manila; Jakarta; Kampala; Accra; Suva; Apia;
Port Moresby; Bogotá; Lima; Quito; Panama City; Cairo; Rabat; Tunis; Doha; Islamabad; Dhaka; Kathmandu; Colombo;
Ulaanbaatar; Tashkent; Bishkek; Dushanbe; Tbilisi; Yerevan; Sarajevo; Belgrade; Skopje; Athens; Rome; Madrid;
Lisbon; Paris; Berlin; Bern; Stockholm; Helsinki; Copenhagen; Reykjavik; Warsaw; Prague; Bratislava; Budapest;
Bucharest; Sofia; Kyiv; Chisinau; Canberra; Wellington; Seoul; Beijing; Hanoi; Phnom Penh; Vientiane; Kuala Lumpur;
Singapore; Brasília; Buenos Aires; Montevideo; Asunción; La Paz; Caracas; Kingston; Port-au-Prince; San José;
Guatemala City; Tegucigalpa; Managua; San Salvador; Havana; Kigali; Kinshasa; Lusaka; Harare; Maputo; Windhoek;
Gaborone; Pretoria; Juba; Khartoum; Mogadishu; Djibouti; Asmara; Abuja; Niamey; Ouagadougou; Nouakchott; Freetown;
Monrovia; Conakry; Bissau; Banjul; Praia; Lomé; Cotonou; Yaoundé; Libreville; Malabo; N'Djamena; Bangui"""
CITIES = [" ".join(c.split()) for c in CITIES.split(";")]

BODIES = [
    "Friends of Human Security", "Human Security Network", "Advisory Board on Human Security",
    "Commission on Human Security", "General Assembly", "Human Security Unit", "Peacebuilding Commission",
    "Economic and Social Council", "Human Rights Council", "Security Council",
    "United Nations Trust Fund for Human Security", "Group of Small Island Developing States",
    "Regional Consultation on Human Security", "Inter-Agency Working Group", "Alliance of Small Island States",
]
ORGS = """UNDP; UNICEF; UNHCR; OCHA; UNFPA; WFP; WHO; FAO; UNESCO; ILO; IOM; UN-Habitat; UN Women; UNEP; UNODC;
OHCHR; DESA; the World Bank; the International Monetary Fund; the African Union; the European Union; ASEAN; the OSCE;
the Organization of American States; the League of Arab States; the Pacific Islands Forum; ECOWAS; IGAD; SADC;
the International Committee of the Red Cross; the Inter-Parliamentary Union; the Commonwealth Secretariat"""
ORGS = [" ".join(o.split()) for o in ORGS.split(";")]

DOC_TYPES = ["Chair's Summary", "Co-Chairs' Summary", "Summary of Discussions", "Meeting Summary", "Summary Record",
             "Press Release", "Outcome Document", "Report of the Meeting", "Note by the Secretariat"]
MEETING_KINDS = ["Meeting", "Ministerial Meeting", "Workshop", "Informal Thematic Debate", "Regional Seminar",
                 "Expert Group Meeting", "Consultation", "Panel Discussion", "High-level Event", "Retreat"]
ORDINALS = ("First Second Third Fourth Fifth Sixth Seventh Eighth Ninth Tenth Eleventh Twelfth Thirteenth "
            "Fourteenth Fifteenth").split()
MONTHS = "January February March April May June July August September October November December".split()
VENUES = ["United Nations Headquarters", "Palais des Nations", "Vienna International Centre", "Conference Room 4",
          "Trusteeship Council Chamber", "UN House", "Ministry of Foreign Affairs", "United Nations Conference Centre",
          "Economic and Social Council Chamber", "Permanent Mission of Japan"]

# Content words, most frequent first within each list (weights fall off as 1/rank).
NOUNS = """security development protection people community rights health food poverty violence conflict
peace resilience empowerment approach framework concept governance migration education water climate change
crisis disaster risk prevention response cooperation assistance capacity initiative programme project strategy
policy implementation dialogue partnership support funding mechanism agenda dimension perspective principle
ownership sovereignty vulnerability livelihood displacement refugee trafficking epidemic pandemic drought flood
famine sanitation shelter employment inequality exclusion discrimination dignity freedom fear want accountability
transparency participation inclusion integration coordination coherence consensus definition resolution report
recommendation proposal declaration commitment obligation mandate contribution donor recipient beneficiary
stakeholder practitioner expert researcher academia civil society organization government ministry authority
institution agency office secretariat network forum platform coalition alliance region country state nation border
territory island coast river basin desert forest land agriculture harvest nutrition malnutrition hunger disease
infection vaccine clinic hospital school teacher student child youth woman girl family household elder migrant
worker farmer fisher herder trader entrepreneur market economy growth income debt trade investment finance budget
tax revenue price inflation energy electricity fuel infrastructure road transport communication technology data
statistics indicator target goal baseline survey assessment evaluation monitoring review lesson experience
evidence study analysis methodology tool guideline manual training workshop seminar mission visit consultation
meeting session debate panel event conference summit ministerial roundtable briefing retreat plenary
landmine cluster munition small arms disarmament demobilization reintegration ceasefire mediation negotiation
reconciliation justice tribunal impunity atrocity genocide cholera malaria tuberculosis polio measles vaccination
immunization maternal mortality stunting wasting literacy enrolment curriculum scholarship remittance microfinance
cooperative smallholder irrigation reservoir aquifer groundwater glacier cyclone typhoon hurricane earthquake
tsunami landslide wildfire heatwave desertification deforestation biodiversity ecosystem fishery ocean reef
mangrove salinity erosion sea-level relocation resettlement camp asylum statelessness smuggling exploitation
forced labour child labour recruitment militia insurgency terrorism extremism radicalization cybersecurity
surveillance privacy censorship journalist election parliament constitution judiciary police prison detention
ombudsman decentralization municipality village district province township settlement slum housing tenure
pension insurance safety net cash transfer voucher ration stockpile warehouse logistics corridor checkpoint
convoy airlift pipeline harbour port bridge dam grid solar turbine broadband mobile phone radio literacy
pilot phase cycle window tranche pledge replenishment allocation disbursement audit oversight compliance
benchmark milestone roadmap blueprint toolkit handbook module curriculum fellowship internship exchange
twinning volunteer committee subcommittee bureau taskforce caucus delegation envoy facilitator rapporteur""".split()
ADJECTIVES = """human international national regional local global social economic political environmental
sustainable comprehensive integrated people-centred context-specific prevention-oriented multidimensional
collective individual vulnerable marginalized displaced affected fragile conflict-affected post-conflict
humanitarian financial technical institutional legal operational strategic practical concrete effective
efficient inclusive participatory transparent accountable durable long-term short-term immediate urgent serious
severe growing emerging persistent chronic acute critical important essential fundamental key major significant
broad narrow common shared mutual joint bilateral multilateral intergovernmental civilian military public private
rural urban coastal remote indigenous cultural educational medical nutritional agricultural demographic
innovative traditional modern existing additional further new recent previous upcoming annual biennial
unprecedented catastrophic protracted recurrent seasonal cross-border transboundary landlocked mountainous
arid semi-arid tropical low-lying small-scale large-scale community-based rights-based evidence-based
gender-sensitive age-appropriate disability-inclusive climate-resilient risk-informed market-based
decentralized centralized voluntary mandatory informal formal customary statutory ad hoc standing
interim provisional preliminary final consolidated detailed summary concise candid frank constructive
fruitful lively substantive procedural thematic sectoral cross-cutting holistic systemic structural""".split()
VERBS_PAST = """stressed emphasized underlined highlighted noted recalled welcomed commended reaffirmed recognized
acknowledged expressed proposed suggested recommended urged encouraged invited requested supported
endorsed presented introduced described explained outlined reviewed discussed examined considered addressed
raised shared reported announced launched established strengthened expanded improved promoted advanced
mainstreamed integrated coordinated financed funded implemented adopted approved concluded summarized
deplored condemned regretted lamented cautioned warned questioned challenged clarified elaborated
reiterated echoed seconded applauded praised thanked congratulated acknowledged pledged allocated
disbursed piloted scaled replicated documented mapped surveyed analysed benchmarked validated""".split()
VERBS_BASE = """strengthen promote support protect empower improve address reduce prevent mitigate enhance
ensure build develop expand integrate mainstream coordinate finance implement monitor evaluate assess review
share disseminate advance sustain restore rebuild respond adapt prepare mobilize facilitate complement
safeguard uphold foster nurture accelerate scale replicate localize operationalize institutionalize
harmonize streamline consolidate revitalize reinvigorate bolster underpin leverage channel pool
""".split()
OPENERS = ["In this regard, ", "Furthermore, ", "At the same time, ", "In addition, ", "Moreover, ", "However, ",
           "In that context, ", "Against this background, ", "Nevertheless, ", "Accordingly, ", "Similarly, ",
           "On the other hand, ", "In particular, ", "Notably, ", "By contrast, ", "Finally, ", "", "", "", "", "",
           "", "", "", "", "", ""]
AREAS = ["region", "district", "province", "valley", "islands", "highlands", "municipality", "basin"]
SYMBOL_FORMS = [
    "The {body} took note of document {sym} on {np}",
    "The {body} welcomed the report of the Secretary-General ({sym}) on {np}",
    "Delegations recalled resolution {sym}, which concerns {np}",
    "The draft text ({sym}) on {np} was adopted without a vote",
    "The report contained in document {sym} was introduced by the Secretariat",
    "Reference was made to {sym} and to {np}",
]
_LOWER_AFTER_OPENER = {"The", "It", "He", "She", "Several", "Many", "Some", "A", "Most", "In", "Between", "Figures",
                       "Delegations", "Reference"}
STAT_FORMS = [
    "According to {org}, {num} {pop}{where} were affected by {np} in {y1}, {pct} per cent more than in {y2}",
    "{org} estimated that {num} {pop}{where} lacked access to {np}",
    "Figures from {org} showed that {pct} per cent of {pop}{where} depended on {np}",
    "Some {num} {pop} had been displaced{where} since {y1}, {org} reported",
    "Between {y1} and {y2}, spending on {np} rose from US$ {num} to US$ {num2}",
    "The share of {pop} covered by {np} fell to {pct} per cent in {y1}",
]
REPORT_VERBS = ["stated", "said", "noted", "stressed", "emphasized", "pointed out", "observed", "recalled",
                "underlined", "explained", "argued", "indicated", "reported", "affirmed", "suggested"]
MODALS = ["should", "must", "could", "would", "can", "will", "needed to", "continued to", "sought to", "aimed to"]
ROLES = ["Permanent Representative", "Deputy Permanent Representative", "Minister for Foreign Affairs",
         "Special Adviser", "Ambassador", "Director-General", "Under-Secretary-General", "Special Rapporteur",
         "Chairperson", "Vice-Chair", "Executive Director", "Head of Delegation", "Counsellor", "Minister of Health",
         "Special Representative", "Resident Coordinator", "Secretary-General", "President of the General Assembly"]
TITLES = ["H.E. Mr.", "H.E. Ms.", "Mr.", "Ms.", "Dr.", "Professor", "Ambassador", "Minister"]
POPULATIONS = ["people", "children", "women", "refugees", "internally displaced persons", "migrants", "households",
               "farmers", "young people", "persons with disabilities", "older persons", "communities", "students"]
PREPS = ["in", "for", "through", "with", "across", "within", "among", "at the level of", "in the context of",
         "on the basis of", "in support of", "in cooperation with", "with regard to", "in response to"]
SECTION_HEADS = ["Opening Statements", "General Information and Agenda", "Adoption of the Agenda",
                 "Presentations by Member States", "Statements by Observers", "Interactive Discussion",
                 "Conclusion", "Follow-up Actions", "Other Matters", "Closing Remarks", "Summary of the Debate",
                 "Presentations by United Nations Agencies", "Way Forward", "Recommendations"]
SYLLABLES = """ka ta sa na ma ra la ya ha wa ko to so no mo ro lo yo ho ki ti si ni mi ri li hi ku tu su nu mu ru lu
be de ge fe ve ze je pe ba da ga fa va za ja pa bo do go fo vo zo jo po an en in on un ar er ir or ur al el il ol
ul ash esh ish osh ach ech och ov ev iv ak ek ik ok uk am em im om um""".split()


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _zipf(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (r**s) for r in range(1, n + 1)]


class _Words:
    """Zipf-weighted choosers over the word lists, and a long tail of generated proper names."""

    def __init__(self, seed: int):
        names = random.Random(seed * 7919 + 1)
        self.surnames = sorted({self._name(names, 2, 4) for _ in range(30000)})
        names.shuffle(self.surnames)
        self.given = sorted({self._name(names, 2, 3) for _ in range(3000)})
        names.shuffle(self.given)
        self.places = sorted({self._name(names, 2, 4) for _ in range(8000)})
        names.shuffle(self.places)
        self.w = {
            "noun": _zipf(len(NOUNS), 0.75), "adj": _zipf(len(ADJECTIVES), 0.75), "past": _zipf(len(VERBS_PAST), 0.8),
            "base": _zipf(len(VERBS_BASE), 0.8), "country": _zipf(len(COUNTRIES), 0.6), "org": _zipf(len(ORGS), 0.8),
            "surname": _zipf(len(self.surnames), 1.0), "given": _zipf(len(self.given), 1.0),
            "place": _zipf(len(self.places), 1.0), "city": _zipf(len(CITIES), 0.9),
        }

    @staticmethod
    def _name(rng: random.Random, lo: int, hi: int) -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(lo, hi))).capitalize()


class _Doc:
    def __init__(self, words: _Words, rng: random.Random):
        self.W, self.r = words, rng
        # each document has a few "home" countries and topics it keeps returning to (topical burstiness)
        self.home = [self.country() for _ in range(4)]
        self.topics = [self.np() for _ in range(5)]

    def pick(self, seq, key):
        return self.r.choices(seq, weights=self.W.w[key])[0]

    def noun(self) -> str:
        return self.pick(NOUNS, "noun")

    def nouns(self) -> str:
        n = self.noun()
        if n.endswith(("y",)) and n[-2:-1] not in "aeiou":
            return n[:-1] + "ies"
        if n.endswith(("s", "sh", "ch", "x")):
            return n + "es"
        return n + "s"

    def adj(self) -> str:
        return self.pick(ADJECTIVES, "adj")

    def country(self) -> str:
        return self.pick(COUNTRIES, "country")

    def person(self) -> str:
        return f"{self.r.choice(TITLES)} {self.pick(self.W.given, 'given')} {self.pick(self.W.surnames, 'surname')}"

    def np(self) -> str:
        k = self.r.random()
        if k < 0.12:
            return "human security"
        if k < 0.35:
            return f"the {self.adj()} {self.noun()}"
        if k < 0.5:
            return f"{self.adj()} {self.nouns()}"
        if k < 0.65:
            return f"the {self.noun()} of {self.adj()} {self.nouns()}"
        if k < 0.75:
            return f"{self.noun()} {self.noun()}"
        if k < 0.85:
            return f"the {self.noun()} of {self.r.choice(POPULATIONS)}"
        return f"the {self.adj()} {self.noun()} {self.noun()}"

    def topic(self) -> str:
        return self.r.choice(self.topics) if self.r.random() < 0.45 else self.np()

    def where(self) -> str:
        r, k = self.r, self.r.random()
        if k < 0.4:
            return f" in {self.r.choice(self.home)}"
        if k < 0.47:
            return f" in the {self.pick(self.W.places, 'place')} {r.choice(AREAS)} of {self.country()}"
        if k < 0.7:
            return f" {self.r.choice(PREPS)} {self.np()}"
        return ""

    def clause(self) -> str:
        return f"{self.topic()} {self.r.choice(MODALS)} {self.pick(VERBS_BASE, 'base')} {self.np()}{self.where()}"

    def year(self) -> int:
        return self.r.randint(1994, 2024)

    def symbol(self) -> str:
        k = self.r.random()
        if k < 0.4:
            return f"A/RES/{self.r.randint(48, 79)}/{self.r.randint(1, 320)}"
        if k < 0.65:
            return f"A/{self.r.randint(48, 79)}/{self.r.randint(100, 999)}"
        if k < 0.8:
            return f"S/RES/{self.r.randint(1200, 2750)} ({self.year()})"
        if k < 0.9:
            return f"E/{self.year()}/{self.r.randint(10, 99)}"
        return f"SG/SM/{self.r.randint(8000, 22000)}"

    def number(self) -> str:
        k = self.r.random()
        if k < 0.3:
            return str(self.r.randint(2, 99))
        if k < 0.6:
            return f"{self.r.randint(100, 999):,}"
        if k < 0.85:
            return f"{self.r.randint(1000, 999999):,}"
        return f"{self.r.randint(1, 950)} million"

    def sentence(self) -> str:
        r, k = self.r, self.r.random()
        if k < 0.22:
            who = r.choice(["The representative of", "The delegate of", "The observer for", "The Minister of",
                            "The delegation of", "The Ambassador of", "The speaker from", "The representative of"])
            s = f"{who} {self.r.choice(self.home)} {r.choice(REPORT_VERBS)} that {self.clause()}"
        elif k < 0.36:
            s = (f"{self.person()}, {r.choice(ROLES)} of {self.country()}, {self.pick(VERBS_PAST, 'past')} "
                 f"{self.topic()}{self.where()}")
        elif k < 0.48:
            s = r.choice(STAT_FORMS).format(
                org=self.pick(ORGS, "org"), num=self.number(), num2=self.number(), pop=r.choice(POPULATIONS),
                where=self.where(), np=self.np(), y1=self.year(), y2=self.year(), pct=r.randint(2, 97))
        elif k < 0.58:
            s = r.choice(SYMBOL_FORMS).format(body=r.choice(BODIES), sym=self.symbol(), np=self.topic())
        elif k < 0.7:
            s = f"{r.choice(['Several', 'Many', 'Some', 'A number of', 'Most'])} participants " \
                f"{self.pick(VERBS_PAST, 'past')} {self.topic()} and {self.np()}{self.where()}"
        elif k < 0.8:
            s = f"It was {r.choice(['agreed', 'recognized', 'noted', 'suggested', 'stressed'])} that {self.clause()}"
        elif k < 0.88:
            s = (f"{self.pick(ORGS, 'org')} {self.pick(VERBS_PAST, 'past')} {_a(self.adj())} {self.noun()} on "
                 f"{self.np()}, funded with US$ {self.number()}{self.where()}")
        elif k < 0.94:
            s = f"In {self.year()}, {self.clause()}, {r.choice(['he', 'she', 'the delegate'])} {r.choice(REPORT_VERBS)}"
        else:
            s = f"{r.choice(['He', 'She', 'The speaker'])} {r.choice(REPORT_VERBS)} that {self.clause()} and " \
                f"that {self.clause()}"
        opener = r.choice(OPENERS)
        if opener and s.split(" ", 1)[0] in _LOWER_AFTER_OPENER:
            s = s[0].lower() + s[1:]
        s = opener + s
        return s[0].upper() + s[1:] + "."

    def paragraph(self, first: bool) -> str:
        if first and self.r.random() < 0.5:
            cs = sorted({self.country() for _ in range(self.r.randint(6, 22))})
            return f"The meeting was attended by delegates from {', '.join(cs[:-1])} and {cs[-1]}."
        n = self.r.choices([1, 2, 3, 4, 5, 6], weights=[6, 16, 26, 26, 16, 10])[0]
        text = " ".join(self.sentence() for _ in range(n))
        while len(text) > 900:  # never long enough for the chunker to split (220 units)
            text = text[: text.rfind(". ", 0, len(text) - 1) + 1]
        return text


def document(seed: int, i: int, words: _Words) -> tuple[str, str]:
    """``(file name, text)`` of document ``i``."""
    r = random.Random(f"{seed}:{i}")
    d = _Doc(words, r)
    year = r.randint(2003, 2024)
    month, day = r.randint(1, 12), r.randint(1, 28)
    body = r.choice(BODIES)
    kind = r.choice(MEETING_KINDS)
    ordinal = r.choice(ORDINALS)
    city = d.pick(CITIES, "city")
    head = [r.choice(DOC_TYPES), f"{ordinal} {kind} of the {body}", "",
            f"{day} {MONTHS[month - 1]} {year}", r.choice(VENUES), city, ""]
    n_sections = r.randint(4, 7)
    cuts = sorted(r.sample(range(1, PARAGRAPHS_PER_DOC), n_sections - 1))
    heads = r.sample(SECTION_HEADS, n_sections)
    lines = list(head)
    section = 0
    for p in range(PARAGRAPHS_PER_DOC):
        if p == 0 or p in cuts:
            title = heads[section]
            if r.random() < 0.3:
                title = f"{d.adj().capitalize()} {d.noun()} and {d.noun()}"
            lines += [title, ""]
            section += 1
        lines += [d.paragraph(first=p == 0), ""]
    slug = f"{body} {ordinal} {kind}".lower().replace("'", "").replace(" ", "-")
    name = f"{year}/{year}-{month:02d}-{day:02d}-{slug}-{i:06d}.txt"
    return name, "\n".join(lines)


def questions(seed: int, n: int) -> list[str]:
    """Questions shaped like a user's, in the generator's vocabulary (speakers, topics, symbols, years)."""
    words = _Words(seed)
    r = random.Random(f"{seed}:questions")
    d = _Doc(words, r)
    out = []
    for _ in range(n):
        k = r.random()
        if k < 0.25:
            q = f"What did {d.country()} say about {d.np()}?"
        elif k < 0.4:
            q = f"Which countries called for {d.np()} in {r.randint(2003, 2024)}?"
        elif k < 0.55:
            q = f"What does {d.symbol().split(' ')[0]} say on {d.noun()}?"
        elif k < 0.7:
            q = f"How many {r.choice(POPULATIONS)} were affected by {d.np()} according to {d.pick(ORGS, 'org')}?"
        elif k < 0.85:
            q = f"Who spoke about {d.np()} at the {r.choice(ORDINALS).lower()} meeting of the {r.choice(BODIES)}?"
        else:
            q = f"What was said in {d.pick(CITIES, 'city')} about {d.adj()} {d.nouns()}?"
        out.append(q)
    return out


def term_stats(texts: list[str]) -> dict:
    """Word types, tokens and head share of a text sample (to compare with the real corpus)."""
    import re
    from collections import Counter

    toks = [t.lower() for x in texts for t in re.findall(r"\w+", x)]
    c = Counter(toks)
    top = sorted(c.values(), reverse=True)
    return {"bytes": sum(len(x.encode()) for x in texts), "tokens": len(toks), "types": len(c),
            "top100_share": round(sum(top[:100]) / max(1, len(toks)), 3),
            "hapax_share": round(sum(1 for v in c.values() if v == 1) / max(1, len(c)), 3)}


def compare_with(real_texts: list[str], seed: int = 12) -> dict:
    """Term statistics of the real texts and of as many synthetic bytes."""
    words = _Words(seed)
    want = sum(len(x.encode()) for x in real_texts)
    syn, got, i = [], 0, 0
    while got < want:
        syn.append(document(seed, i, words)[1])
        got += len(syn[-1].encode())
        i += 1
    return {"real": term_stats(real_texts), "synthetic": term_stats(syn)}


def generate(n_docs: int, out: Path, seed: int = 12) -> dict:
    """Write ``n_docs`` documents under ``out`` (reused when its manifest matches); return the manifest."""
    manifest = {"generator": GENERATOR_VERSION, "seed": seed, "documents": n_docs}
    mpath = out / ".manifest.json"
    if mpath.exists():
        try:
            old = json.loads(mpath.read_text())
            if {k: old.get(k) for k in manifest} == manifest:
                return old
        except ValueError:
            pass
    if out.exists():
        import shutil

        shutil.rmtree(out)
    out.mkdir(parents=True)
    words = _Words(seed)
    total, h = 0, hashlib.sha256()
    for i in range(n_docs):
        name, text = document(seed, i, words)
        p = out / name
        p.parent.mkdir(exist_ok=True)
        data = text.encode("utf-8")
        p.write_bytes(data)
        total += len(data)
        h.update(data)
    manifest |= {"bytes": total, "sha256": h.hexdigest()}
    mpath.write_text(json.dumps(manifest))
    return manifest
