"""Verify qa-a.jsonl / followups-a.jsonl against benchmarks/corpus."""
import json, re, sys, unicodedata
from pathlib import Path
CORPUS = Path(__file__).resolve().parent.parent / 'corpus'
STOP = set("""a about above after again against all am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours yourself yourselves also per say said says according whose let us mr ms mrs s t don among""".split())
def norm(s):
    s = unicodedata.normalize('NFC', s).replace('\r\n', '\n').replace('\r', '\n')
    return re.sub(r'\s+', ' ', s).strip().lower()
def raw_paragraphs(path):
    t = path.read_text(encoding='utf-8').replace('\r\n', '\n').replace('\f', '\n\n')
    return [b.strip() for b in re.split(r'\n\s*\n', t) if b.strip()]
def paragraphs(path):
    return [norm(b) for b in raw_paragraphs(path)]
def stem(w):
    for suf in ('ations','ation','ments','ment','ings','ing','ions','ion','ies','ied','ers','er','ed','es','ly','s'):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            return w[:-len(suf)]
    return w
def words(s):
    return [w for w in re.findall(r"[a-z]+", norm(s).replace("'s", "")) if w not in STOP and len(w) > 1]
def shared(q, para):
    pw = set(words(para)); out = []
    for w in words(q):
        sw = stem(w)
        for p in pw:
            sp = stem(p)
            if w == p or sw == sp or (len(sw) >= 4 and len(sp) >= 4 and (sp.startswith(sw) or sw.startswith(sp))):
                out.append((w, p)); break
    return out
_cache = {}
def paras(doc):
    if doc not in _cache:
        _cache[doc] = paragraphs(CORPUS / doc)
    return _cache[doc]
def check(doc, ans, q=None, kind=None, errs=None, tag=''):
    p = CORPUS / doc
    if not p.exists():
        errs.append(f'{tag}: missing document {doc}'); return
    n = len(ans.split())
    if not 2 <= n <= 12:
        errs.append(f'{tag}: answer has {n} words: {ans!r}')
    hits = [x for x in paras(doc) if norm(ans) in x]
    if not hits:
        errs.append(f'{tag}: phrase not in one paragraph of {doc}: {ans!r}'); return
    if kind == 'paraphrase':
        # the answering paragraph; a page-broken paragraph is judged with its continuation too
        ps = paras(doc); raw = raw_paragraphs(p); i = ps.index(hits[0])
        # a block ending mid-sentence continues after a page-number line ("- 3 -") in a lower-case block
        def cont(k):
            return k < len(raw) and raw[k][:1].islower()
        ctx = [hits[0]]
        j = i + 1
        while j < len(raw) and (re.fullmatch(r'-\s*\d+\s*-', raw[j]) or cont(j)):
            ctx.append(ps[j]); j += 1
        j = i - 1
        if raw[i][:1].islower():
            while j >= 0:
                ctx.append(ps[j])
                if not re.fullmatch(r'-\s*\d+\s*-', raw[j]): break
                j -= 1
        ctx = ' '.join(ctx)
        sh = shared(q, ctx)
        if sh:
            errs.append(f'{tag}: paraphrase shares content words {sh}')
def main():
    errs = []; kinds = {}; ids = set()
    qa = [json.loads(l) for l in open(str(Path(__file__).resolve().parent / 'qa-a.jsonl'), encoding='utf-8') if l.strip()]
    for r in qa:
        if r['id'] in ids: errs.append(f"duplicate id {r['id']}")
        ids.add(r['id'])
        kinds[r['kind']] = kinds.get(r['kind'], 0) + 1
        if r['kind'].startswith('unanswerable'):
            if r['document'] is not None or r['answer'] is not None:
                errs.append(f"{r['id']}: unanswerable with an answer")
            continue
        check(r['document'], r['answer'], r['question'], r['kind'], errs, r['id'])
        if r['kind'] == 'multi-doc':
            a = r.get('answers') or []
            if len({x['document'] for x in a}) < 2: errs.append(f"{r['id']}: multi-doc with <2 documents")
            if not a or a[0]['document'] != r['document'] or a[0]['answer'] != r['answer']:
                errs.append(f"{r['id']}: first of answers differs from document/answer")
            for x in a:
                check(x['document'], x['answer'], None, None, errs, r['id'])
    fu = [json.loads(l) for l in open(str(Path(__file__).resolve().parent / 'followups-a.jsonl'), encoding='utf-8') if l.strip()]
    for r in fu:
        if len(r['turns']) != 2: errs.append(f"{r['id']}: not two turns")
        for i, t in enumerate(r['turns']):
            check(t['document'], t['answer'], None, None, errs, f"{r['id']}.{i+1}")
    docs = {r['document'] for r in qa if r.get('document')}
    print('questions:', len(qa), 'kinds:', dict(sorted(kinds.items())))
    print('follow-ups:', len(fu), '| documents with questions:', len(docs))
    for e in errs: print('FAIL', e)
    print('failures:', len(errs))
    return 1 if errs else 0
if __name__ == '__main__':
    sys.exit(main())
