"""Write the ODS-style text file of the second held-out corpus (benchmarks/corpus-fresh2/): the report's text
(written for this corpus) hard-wrapped at 72 columns with hanging paragraph numbers, pages separated by form
feeds, the job number and bar code at the foot of page 1, running headers (the symbol) and footers (page number
and job number), notes under a rule at the foot of their page, and a paragraph running over a page break.

    .venv/bin/python benchmarks/fresh2_txt_make.py
"""
import re
from pathlib import Path
import textwrap
W = 72
def wrap(num, text, indent=0):
    # numbered paragraph: "  12.  text..." hanging under the text
    if num:
        first = f"{num}.".ljust(5)
        lines = textwrap.wrap(text, W - 5 - indent)
        out = [" " * indent + first + lines[0]] + [" " * (indent + 5) + l for l in lines[1:]]
    else:
        out = [" " * indent + l for l in textwrap.wrap(text, W - indent)]
    return out
pages = []
head1 = """United Nations                                                  A/64/701
General Assembly                                          Distr.: General
                                                          8 March 2010

                                                          Original: English

Sixty-fourth session
Agenda items 48 and 114
Integrated and coordinated implementation of and follow-up
to the outcomes of the major United Nations conferences and
summits in the economic, social and related fields
Follow-up to the outcome of the Millennium Summit


          Human security


          Report of the Secretary-General
"""
body = [
 ("h", "I. Introduction"),
 ("p", "1", "In paragraph 143 of the 2005 World Summit Outcome, Heads of State and Government stressed the right of people to live in freedom and dignity, free from poverty and despair, and committed themselves to discussing and defining the notion of human security in the General Assembly.^1 The present report responds to that commitment. It is the first report of the Secretary-General devoted to human security."),
 ("p", "2", "The report draws on consultations held in 2009 with Member States, regional organizations, United Nations entities and civil society, and on the experience of programmes supported by the United Nations Trust Fund for Human Security in more than 70 countries. It does not propose a new institution or a new source of funding."),
 ("h", "II. The changing nature of threats"),
 ("p", "3", "The threats that people face today rarely arrive one at a time. The financial and economic crisis that began in 2008 came on top of high food and fuel prices, and in many countries it coincided with drought, epidemic disease or armed violence. A household that loses its income in such a crisis may also lose access to health care, schooling and a safe place to live."),
 ("p", "4", "Because these threats are interconnected, responses organized sector by sector tend to leave gaps. A vaccination campaign cannot succeed where health workers cannot travel safely; a food distribution will not last where farmers cannot reach their fields. Human security asks that these links be analysed first and that responses be designed around them.^2"),
 ("p", "5", "Some groups are exposed more than others. Women and girls face particular risks of violence during displacement; young people without work are vulnerable to recruitment by armed groups; migrants without legal status are often excluded from public services altogether."),
 ("h", "III. The added value of human security"),
 ("p", "6", "The human security approach is people-centred, comprehensive, context-specific and prevention-oriented. It combines the protection that States and the international community provide with the empowerment of people to act on their own behalf. Protection without empowerment breeds dependence; empowerment without protection leaves people exposed."),
 ("p", "7", "Human security does not replace State security. On the contrary, it depends on States that are able and willing to protect their populations, and it strengthens the legitimacy of those States by improving what they deliver to citizens. It is distinct from the responsibility to protect and does not involve the use of force against the will of a State."),
 ("p", "8", "Since 2006 the Friends of Human Security, an open-ended informal group co-chaired by Japan and Mexico, has met regularly in New York to exchange views and to keep the question on the agenda of the General Assembly."),
 ("h", "IV. Conclusions and recommendations"),
 ("p", "9", "The General Assembly may wish to consider the present report and to agree on the elements of a common understanding of human security, building on the discussion held in the Assembly in May 2008 and on the informal thematic debate planned for 2010."),
 ("p", "10", "Member States are encouraged to contribute to the United Nations Trust Fund for Human Security and to make wider use of the approach in their own development cooperation, in particular in post-conflict countries and in countries exposed to natural disasters."),
]
notes = {"1": "See General Assembly resolution 60/1, para. 143.",
         "2": "See the programmes described in the annual reports of the Human Security Unit, Office for the Coordination of Humanitarian Affairs."}
# lay out: page 1 = head1 + some body; break after ~ lines
lines = head1.splitlines()
import re
page_notes = {1: []}
page = 1
out_pages = []
cur = list(lines) + [""]
LIMIT = {1: 46}
def flush(final=False):
    global cur, page
    ns = page_notes.get(page, [])
    if ns:
        cur += ["", "__________________"]
        for n in ns:
            w = textwrap.wrap(notes[n], W - 5)
            cur += [f"  {n}  " + w[0]] + ["     " + l for l in w[1:]]
        cur = [l for l in cur]
    job = "10-25682 (E)    150310" if page == 1 else None
    if page == 1:
        cur += ["", "10-25682 (E)    150310", "*1025682*"]
    else:
        foot = f"{page}" + " " * 60 + "10-25682" if page % 2 == 0 else "10-25682" + " " * 60 + f"{page}"
        cur += ["", foot]
    out_pages.append("\n".join(cur))
    page += 1
    hdr = "A/64/701" if page % 2 == 0 else " " * 64 + "A/64/701"
    cur = [hdr, "", ""]
for item in body:
    if item[0] == "h":
        block = ["", "          " + item[1], ""]
    else:
        text = item[2]
        for m in re.findall(r"\^(\d)", text):
            page_notes.setdefault(page, []).append(m)
        text = re.sub(r"\^(\d)", r"\1", text)
        block = wrap(item[1], text, indent=10) + [""]
    limit = LIMIT.get(page, 40)
    if len(cur) + len(block) > limit:
        room = max(0, limit - len(cur))
        if room >= 2 and item[0] == "p":  # split the paragraph across the page break
            cur += block[:room]
            rest = block[room:]
            flush()
            cur += rest
            continue
        flush()
    cur += block
flush(final=True)
text = "\f".join(out_pages) + "\n"
OUT = Path(__file__).resolve().parent / "corpus-fresh2" / "2010-03-08-a-64-701-sg-report-human-security-ods-text.txt"
OUT.write_text(text, encoding="utf-8")
