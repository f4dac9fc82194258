"""The State a question means when it names it by its people or its capital: "the Swedish Deputy
Secretary-General", "Libreville's envoy", "what Tokyo pledged".

Press coverage and readers often name States this way where summaries do not: a summary says "the
representative of Gabon", a reader asks what "the Gabonese delegate" or "Libreville" said. The State's name
is added to the question's search terms and to the text the model embeds, as an acronym's long form is
(:func:`hsqa.text.expand_acronyms`). A capital is not taken as a country the answer must name
(:mod:`hsqa.search.names`), nor is a demonym unless it names a State's delegation, representative,
government or envoy ("What did the Greek delegation say?", :func:`speaking_states`).

The table is general knowledge: every UN Member State and observer, its demonym(s) and capital(s). Left out
are words that name more than one State ("Congolese", "Dominican"; "Guinean" is Guinea's unless a longer
form matches, "Papua New Guinean", "Equatorial Guinean"), capitals spelled like their State ("Kuwait",
"Singapore"), and capitals that are also common words or contested ("Malé", which folds to "male";
"Victoria"; "Jerusalem").
"""

from __future__ import annotations

import re

from .names import SPEECH, fold, left_out

#: ``State: demonyms: capitals`` (comma-separated; either list may be empty)
_TABLE = """
Afghanistan: Afghan: Kabul
Albania: Albanian: Tirana
Algeria: Algerian: Algiers
Andorra: Andorran: Andorra la Vella
Angola: Angolan: Luanda
Antigua and Barbuda: Antiguan: St. John's
Argentina: Argentine, Argentinian: Buenos Aires
Armenia: Armenian: Yerevan
Australia: Australian: Canberra
Austria: Austrian: Vienna
Azerbaijan: Azerbaijani, Azeri: Baku
Bahamas: Bahamian: Nassau
Bahrain: Bahraini: Manama
Bangladesh: Bangladeshi: Dhaka
Barbados: Barbadian: Bridgetown
Belarus: Belarusian: Minsk
Belgium: Belgian: Brussels
Belize: Belizean: Belmopan
Benin: Beninese: Porto-Novo
Bhutan: Bhutanese: Thimphu
Bolivia: Bolivian: La Paz, Sucre
Bosnia and Herzegovina: Bosnian: Sarajevo
Botswana: Botswanan, Motswana: Gaborone
Brazil: Brazilian: Brasília
Brunei: Bruneian: Bandar Seri Begawan
Bulgaria: Bulgarian: Sofia
Burkina Faso: Burkinabe, Burkinabè: Ouagadougou
Burundi: Burundian: Gitega, Bujumbura
Cabo Verde: Cabo Verdean, Cape Verdean: Praia
Cambodia: Cambodian: Phnom Penh
Cameroon: Cameroonian: Yaoundé
Canada: Canadian: Ottawa
Central African Republic: Central African: Bangui
Chad: Chadian: N'Djamena
Chile: Chilean: Santiago
China: Chinese: Beijing
Colombia: Colombian: Bogotá
Comoros: Comorian: Moroni
Congo: : Brazzaville
Costa Rica: Costa Rican: San José
Côte d'Ivoire: Ivorian: Yamoussoukro
Croatia: Croatian: Zagreb
Cuba: Cuban: Havana
Cyprus: Cypriot: Nicosia
Czechia: Czech: Prague
Denmark: Danish: Copenhagen
Djibouti: Djiboutian:
Dominica: : Roseau
Dominican Republic: : Santo Domingo
Ecuador: Ecuadorian, Ecuadorean: Quito
Egypt: Egyptian: Cairo
El Salvador: Salvadoran, Salvadorean: San Salvador
Equatorial Guinea: Equatorial Guinean, Equatoguinean: Malabo
Eritrea: Eritrean: Asmara
Estonia: Estonian: Tallinn
Eswatini: Swazi, Eswatini: Mbabane
Ethiopia: Ethiopian: Addis Ababa
Fiji: Fijian: Suva
Finland: Finnish: Helsinki
France: French: Paris
Gabon: Gabonese: Libreville
Gambia: Gambian: Banjul
Georgia: Georgian: Tbilisi
Germany: German: Berlin
Ghana: Ghanaian: Accra
Greece: Greek: Athens
Grenada: Grenadian: St. George's
Guatemala: Guatemalan: Guatemala City
Guinea: Guinean: Conakry
Guinea-Bissau: Bissau-Guinean: Bissau
Guyana: Guyanese: Georgetown
Haiti: Haitian: Port-au-Prince
Honduras: Honduran: Tegucigalpa
Hungary: Hungarian: Budapest
Iceland: Icelandic, Icelander: Reykjavík
India: Indian: New Delhi
Indonesia: Indonesian: Jakarta
Iran: Iranian: Tehran
Iraq: Iraqi: Baghdad
Ireland: Irish: Dublin
Israel: Israeli:
Italy: Italian: Rome
Jamaica: Jamaican: Kingston
Japan: Japanese: Tokyo
Jordan: Jordanian: Amman
Kazakhstan: Kazakh, Kazakhstani: Astana, Nur-Sultan
Kenya: Kenyan: Nairobi
Kiribati: I-Kiribati: Tarawa
Kuwait: Kuwaiti:
Kyrgyzstan: Kyrgyz, Kyrgyzstani: Bishkek
Lao People's Democratic Republic: Laotian: Vientiane
Latvia: Latvian: Riga
Lebanon: Lebanese: Beirut
Lesotho: Basotho, Mosotho: Maseru
Liberia: Liberian: Monrovia
Libya: Libyan: Tripoli
Liechtenstein: Liechtensteiner: Vaduz
Lithuania: Lithuanian: Vilnius
Luxembourg: Luxembourgish, Luxembourger:
Madagascar: Malagasy: Antananarivo
Malawi: Malawian: Lilongwe
Malaysia: Malaysian: Kuala Lumpur
Maldives: Maldivian:
Mali: Malian: Bamako
Malta: Maltese: Valletta
Marshall Islands: Marshallese: Majuro
Mauritania: Mauritanian: Nouakchott
Mauritius: Mauritian: Port Louis
Mexico: Mexican: Mexico City
Micronesia: Micronesian: Palikir
Monaco: Monegasque:
Mongolia: Mongolian: Ulaanbaatar, Ulan Bator
Montenegro: Montenegrin: Podgorica
Morocco: Moroccan: Rabat
Mozambique: Mozambican: Maputo
Myanmar: Myanmar, Burmese: Nay Pyi Taw, Naypyidaw
Namibia: Namibian: Windhoek
Nauru: Nauruan:
Nepal: Nepali, Nepalese: Kathmandu
Netherlands: Dutch: Amsterdam, The Hague
New Zealand: New Zealander: Wellington
Nicaragua: Nicaraguan: Managua
Niger: Nigerien: Niamey
Nigeria: Nigerian: Abuja
North Macedonia: Macedonian: Skopje
Norway: Norwegian: Oslo
Oman: Omani: Muscat
Pakistan: Pakistani: Islamabad
Palau: Palauan: Ngerulmud
Panama: Panamanian:
Papua New Guinea: Papua New Guinean: Port Moresby
Paraguay: Paraguayan: Asunción
Peru: Peruvian: Lima
Philippines: Filipino, Philippine: Manila
Poland: Polish: Warsaw
Portugal: Portuguese: Lisbon
Qatar: Qatari: Doha
Republic of Korea: South Korean: Seoul
Democratic People's Republic of Korea: North Korean: Pyongyang
Democratic Republic of the Congo: : Kinshasa
Republic of Moldova: Moldovan: Chisinau, Chișinău
Romania: Romanian: Bucharest
Russian Federation: Russian: Moscow
Rwanda: Rwandan: Kigali
Saint Kitts and Nevis: Kittitian: Basseterre
Saint Lucia: Saint Lucian: Castries
Saint Vincent and the Grenadines: Vincentian: Kingstown
Samoa: Samoan: Apia
San Marino: Sammarinese:
Sao Tome and Principe: Santomean: São Tomé
Saudi Arabia: Saudi: Riyadh
Senegal: Senegalese: Dakar
Serbia: Serbian: Belgrade
Seychelles: Seychellois:
Sierra Leone: Sierra Leonean: Freetown
Singapore: Singaporean:
Slovakia: Slovak: Bratislava
Slovenia: Slovenian, Slovene: Ljubljana
Solomon Islands: Solomon Islander: Honiara
Somalia: Somali: Mogadishu
South Africa: South African: Pretoria
South Sudan: South Sudanese: Juba
Spain: Spanish, Spaniard: Madrid
Sri Lanka: Sri Lankan: Colombo
Sudan: Sudanese: Khartoum
Suriname: Surinamese: Paramaribo
Sweden: Swedish: Stockholm
Switzerland: Swiss: Bern, Berne
Syrian Arab Republic: Syrian: Damascus
Tajikistan: Tajik, Tajikistani: Dushanbe
Thailand: Thai: Bangkok
Timor-Leste: Timorese: Dili
Togo: Togolese: Lomé
Tonga: Tongan: Nuku'alofa
Trinidad and Tobago: Trinidadian, Tobagonian: Port of Spain
Tunisia: Tunisian: Tunis
Türkiye: Turkish: Ankara
Turkmenistan: Turkmen: Ashgabat
Tuvalu: Tuvaluan: Funafuti
Uganda: Ugandan: Kampala
Ukraine: Ukrainian: Kyiv, Kiev
United Arab Emirates: Emirati: Abu Dhabi
United Kingdom: British: London
United Republic of Tanzania: Tanzanian: Dodoma
United States: American: Washington
Uruguay: Uruguayan: Montevideo
Uzbekistan: Uzbek: Tashkent
Vanuatu: Ni-Vanuatu: Port Vila
Venezuela: Venezuelan: Caracas
Viet Nam: Vietnamese: Hanoi
Yemen: Yemeni: Sanaa, Sana'a
Zambia: Zambian: Lusaka
Zimbabwe: Zimbabwean: Harare
Holy See: : Vatican City
State of Palestine: Palestinian:
"""


def _entries() -> tuple[dict[str, str], frozenset[str]]:
    """Folded, lower-cased demonym or capital -> the State's name; and which of them are capitals."""
    out: dict[str, str] = {}
    capitals: set[str] = set()
    for line in _TABLE.strip().splitlines():
        state, demonyms, caps = (part.strip() for part in line.split(":"))
        for word, capital in [(w, False) for w in demonyms.split(",")] + [(w, True) for w in caps.split(",")]:
            key = fold(word.strip()).lower()
            if key and key != fold(state).lower():
                out.setdefault(key, state)
                if capital:
                    capitals.add(key)
    return out, frozenset(capitals)


_STATE_OF, _CAPITALS = _entries()
#: what follows a capital that stands for its government: a possessive, one who speaks for it, or a verb of
#: saying (:data:`hsqa.search.names.SPEECH`) or of giving
_ACTOR = re.compile(
    r"(?:'s|’s)|\s+(?:envoys?|delegat(?:e|es|ion|ions)|representatives?|governments?|authorities|officials?|"
    r"ambassadors?|missions?|ministers?|ministry|administration|leaders?|negotiators?)\b|\s+(?:"
    + SPEECH.pattern + r"|\b(?:pledged?|pledges|gave|gives?|contribut(?:e|ed|es)|insist(?:ed|s)?|wants?|wanted)\b)",
    re.I,
)
#: what a capital names when it names an instrument or a process agreed there, not its State ("the Rome
#: Statute", "the Beijing Platform for Action", "the Addis Ababa Action Agenda")
_INSTRUMENTS = (
    "Statute|Agreement|Declaration|Conventions?|Protocols?|Principles|Platform|Programme|Program|Plan|Agenda|"
    "Framework|Accords?|Consensus|Document|Process|Charter|Compact|Rules|Commitments?|Outcome|Action|Treaty|Appeal"
)
#: a demonym or capital (any case: :func:`states_meant` checks); "American" not after "South"/"Latin"/…,
#: "Indian" not before "Ocean": a region or a sea is not a State
_PLACE = re.compile(
    r"(?<![\w-])(?<!South )(?<!North )(?<!Latin )(?<!Central )(?<!East )(?<!West )(?<!Southeast )(?<!Pan-)"
    r"(?:" + "|".join(re.escape(fold(w)).replace(r"\ ", r"\s+") for w in sorted(_STATE_OF, key=len, reverse=True)) + r")"
    r"(?![\w-])(?!\s+(?:Ocean|Sea|Gulf|Peninsula|Basin|International|" + _INSTRUMENTS + r")\b)",
    re.I,
)


#: the States of the table by name: one named already needs no adding
_STATE_NAME = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(fold(s)).replace(r"\ ", r"\s+") for s in sorted(set(_STATE_OF.values()), key=len, reverse=True))
    + r")(?![\w-])",
    re.I,
)


def _mentions(question: str):
    """``(key, match)`` for each demonym or capital of the (folded) question that counts: capitalised (any case
    in a question typed all in lower case), and not named to be left out ("besides Tokyo")."""
    text = fold(question)
    lower = not any(ch.isupper() for ch in text)
    for m in _PLACE.finditer(text):
        if (lower or m.group(0)[0].isupper()) and not left_out(text, m.start()):
            yield " ".join(m.group(0).lower().split()), m


def states_meant(question: str) -> list[str]:
    """The States ``question`` names by a demonym or capital and not by name, in order of mention. A capital
    names its State only as an actor: "Libreville's envoy", "the Tokyo delegation", "what Beijing said";
    elsewhere it is a place ("the Bamako ministerial", "held in Suva")."""
    out: list[str] = []
    for key, m in _mentions(question):
        if (key not in _CAPITALS or _ACTOR.match(m.string, m.end())) and _STATE_OF[key] not in out:
            out.append(_STATE_OF[key])
    if not out:
        return out
    named = {" ".join(n.lower().split()) for n in _STATE_NAME.findall(fold(question))}
    return [s for s in out if fold(s).lower() not in named]


#: one who speaks for a State, after its demonym: "the Thai delegation", "the Canadian representative"
_SPEAKS_FOR = re.compile(
    r"\s+(?:delegations?|delegates?|representatives?|envoys?|government|ministers?|ambassadors?|authorities)\b", re.I
)


def speaking_states(question: str) -> list[str]:
    """The States whose delegation, government or envoy the question asks about by demonym ("What did the
    Thai delegation say?"): like a State named, a passage must name it to answer (:mod:`hsqa.search.names`)."""
    out: list[str] = []
    for key, m in _mentions(question):
        if key not in _CAPITALS and _SPEAKS_FOR.match(m.string, m.end()) and _STATE_OF[key] not in out:
            out.append(_STATE_OF[key])
    return out
