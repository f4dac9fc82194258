"""Verify qa-b.jsonl and followups-b.jsonl against benchmarks/corpus."""
import json, re, sys, collections
from pathlib import Path
C = Path(__file__).resolve().parent.parent / 'corpus'
MINE = sorted(p.name for p in C.iterdir() if p.name[:4].isdigit() and 2012 <= int(p.name[:4]) <= 2024)
STOP = set("""a an the of to in on at by for from with and or but not no is are was were be been being do does did done
what which who whom whose when where why how that this these those it its it's he she they them his her their our we us you your i
as about into than then there here also any all some each such would could should will shall can may might must has have had
if so per according say said says tell told between after before during over under up down out off again more most other own same
only just very too s t don now new one ever via vs whether while both either neither upon among""".split())
def norm(s): return re.sub(r'\s+', ' ', s.replace('\r', '')).strip().lower()
def paragraphs(text):
    text = text.replace('\r\n', '\n').replace('\f', '\n\n')
    return [norm(b) for b in re.split(r'\n\s*\n', text) if b.strip()]
def toks(s): return re.findall(r"[a-zà-ÿ0-9]+", s.lower())
def stem(w):
    for suf in ('ations','ation','ments','ment','ings','ing','ies','ied','ed','es','s','ly','er','ers'):
        if len(w) > len(suf) + 3 and w.endswith(suf): return w[:-len(suf)]
    return w
def content(s): return {stem(w) for w in toks(s) if w not in STOP and len(w) > 2}
cache = {}
def paras(doc):
    if doc not in cache: cache[doc] = paragraphs((C / doc).read_text(encoding='utf-8'))
    return cache[doc]
errors = []
def check(qid, doc, ans, question=None, kind=None):
    if doc not in MINE: errors.append(f'{qid}: document {doc!r} not one of mine'); return
    n = len(ans.split())
    if not 2 <= n <= 12: errors.append(f'{qid}: answer has {n} words')
    hits = [p for p in paras(doc) if norm(ans) in p]
    if not hits: errors.append(f'{qid}: answer not in any paragraph of {doc}: {ans!r}'); return
    if kind == 'paraphrase':
        shared = content(question) & set().union(*(content(p) for p in hits))
        if shared: errors.append(f'{qid}: paraphrase shares {sorted(shared)} with paragraph')
counts = collections.Counter(); ids = set(); perdoc = collections.Counter()
for line in open(str(Path(__file__).resolve().parent / 'qa-b.jsonl'), encoding='utf-8'):
    q = json.loads(line); qid = q['id']
    if qid in ids: errors.append(f'duplicate id {qid}')
    ids.add(qid); counts[q['kind']] += 1
    if q['kind'].startswith('unanswerable'):
        if q['document'] is not None or q['answer'] is not None: errors.append(f'{qid}: unanswerable with answer')
        continue
    check(qid, q['document'], q['answer'], q['question'], q['kind']); perdoc[q['document']] += 1
    if q['kind'] == 'multi-doc':
        a = q.get('answers', [])
        if len(a) < 2: errors.append(f'{qid}: multi-doc with <2 answers')
        if len({x['document'] for x in a}) != len(a): errors.append(f'{qid}: multi-doc repeats a document')
        if a and (a[0]['document'], a[0]['answer']) != (q['document'], q['answer']): errors.append(f'{qid}: first answer mismatch')
        for x in a: check(qid, x['document'], x['answer']); perdoc[x['document']] += 0
fu = 0
for line in open(str(Path(__file__).resolve().parent / 'followups-b.jsonl'), encoding='utf-8'):
    f = json.loads(line); fu += 1
    if f['id'] in ids: errors.append(f'duplicate id {f["id"]}')
    ids.add(f['id'])
    if len(f['turns']) != 2: errors.append(f'{f["id"]}: not two turns')
    for i, t in enumerate(f['turns']): check(f'{f["id"]}.{i+1}', t['document'], t['answer'])
print('kinds:', dict(sorted(counts.items())), 'total', sum(counts.values()))
print('answerable', sum(v for k, v in counts.items() if not k.startswith('unanswerable')), 'follow-ups', fu)
missing = [d for d in MINE if perdoc[d] == 0]
print('documents', len(MINE), 'without a question:', missing)
print('errors:', len(errors)); print('\n'.join(errors))
