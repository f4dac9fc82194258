"""Command line: a thin layer mapping arguments to the library and library errors to one-line messages.

Exit codes: 0 success, 2 usage error, 1 anything else (with a message that says what to do).
Heavy imports (torch, sentence-transformers, faiss, textual) happen only inside the commands that need them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import textwrap
import time
from pathlib import Path

from .config import Config
from .corpus import display_path
from .errors import HsqaError


# ---------------------------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------------------------


class MigrationNotice:
    """The schema migrations of an index made by an older hsqa, on stderr: some take a minute on a large
    index, and a silent CLI looks hung. A redrawn line on a terminal; the first and last steps otherwise."""

    def __init__(self, index_dir: Path, stream=None):
        self.index_dir = index_dir
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started: float | None = None

    def __call__(self, step) -> None:
        if self.started is None:
            self.started = time.perf_counter()
            self.stream.write(f"hsqa: upgrading the index at {display_path(str(self.index_dir))}/, made by an older hsqa\n")
        line = f"hsqa: {step}"
        if step.done:
            line += f" ({time.perf_counter() - self.started:.1f} s)"
        if self.tty:
            self.stream.write("\r\x1b[K" + line + ("\n" if step.done else ""))
        elif step.done or step.step == 0:
            self.stream.write(line + "\n")
        self.stream.flush()


def upgrade_index(config: Config, stream=None) -> bool:
    """Run the migrations of an old index now, with a notice (opening it later would run them silently)."""
    from .store import Store

    return Store(config, readonly=True).upgrade(MigrationNotice(config.index_dir, stream))


class ProgressBar:
    """Progress on stderr: a redrawn bar on a terminal, one line per stage otherwise."""

    def __init__(self, stream=None, enabled: bool = True):
        from .indexer import STAGE_LABELS

        self.labels = STAGE_LABELS
        self.stream = stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = stream.isatty()
        self.stage = None
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        label = self.labels.get(stage, stage)
        if self.tty:
            now = time.monotonic()
            if stage == self.stage and done < total and now - self.last < 0.05:
                return
            self.last = now
            width = 30
            filled = int(width * done / total) if total else width
            self.stream.write(f"\r{label:>10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}  ")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
        elif done >= total and total and stage != self.stage:
            self.stream.write(f"{label}: {total}\n")
            self.stream.flush()
        if done >= total:
            self.stage = stage
        elif stage != self.stage and self.tty:
            self.stage = None


def _style(enabled: bool):
    def s(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if enabled and text else text

    return s


def render_passage(
    text: str, terms, highlight, width: int, color: bool, indent: str = "    ", first: str | None = None
) -> str:
    """Wrap ``text`` (whitespace collapsed) with query terms bold and the answering sentence underlined."""

    style = _style(color)
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    lines, cur, cur_len = [], [], 0
    for a, b in words:
        w = text[a:b]
        codes = []
        if highlight and highlight[0] <= a < highlight[1]:
            codes.append("4")
        if any(ta < b and a < tb for ta, tb in terms):
            codes.append("1")
        w_out = style(w, ";".join(codes)) if codes else w
        if cur and cur_len + 1 + (b - a) > width - len(indent):
            lines.append(indent + " ".join(cur))
            cur, cur_len = [], 0
        cur.append(w_out)
        cur_len += (b - a) + (1 if cur_len else 0)
    if cur:
        lines.append(indent + " ".join(cur))
    if first is not None and lines:
        lines[0] = first + lines[0][len(indent) :]
    return "\n".join(lines)


def _print_response(resp, answer, color: bool, out=None, gone: set[int] = frozenset(), note: str | None = None) -> None:
    from .answer import citation

    out = out or sys.stdout
    style = _style(color)
    width = min(shutil.get_terminal_size((100, 24)).columns, 110)
    out.write(style(f"Q: {resp.query}", "1") + "\n")
    if resp.scope:
        out.write(f"   scope: {', '.join(resp.scope.labels) or 'custom'}\n")
    if not resp.results:
        out.write("   No passage matches this question.\n\n")
        return
    if not resp.any_relevant:
        out.write("   Nothing in the corpus answers this clearly; the nearest passages are:\n")
    elif answer is not None:
        quote = " ".join(answer.sentence.split())
        out.write(render_passage(f'"{quote}" [{answer.result.rank}]', [], None, width, color, first="A:  ") + "\n")
    elif note:
        out.write(f"   {note}\n")
    if resp.mode == "lexical":
        out.write(style("   (lexical search only)", "2") + "\n")
    out.write("\n")
    for r in resp.results:
        # the calibrated confidence, as the app's dots and the JSON show it (not the raw sentence similarity)
        head = textwrap.fill(
            f"[{r.rank}] {citation(r, with_text=False)}  confidence {r.confidence:.2f}", width=width, subsequent_indent="    "
        )
        out.write(style(head, "1" if r.relevant else "2") + "\n")
        out.write(style(f"    {display_path(r.source)}" + (f" · {r.place}" if r.place else ""), "2") + "\n")
        if r.rank in gone:  # its words as indexed, not as the file now reads: no quotation, a warning
            out.write(style("    ⚠ no longer in its file (changed since the last index): run 'hsqa index'", "1") + "\n")
        body = render_passage(r.text, r.terms, r.highlight, width, color)
        out.write((body if r.relevant else style(body, "2")) + "\n\n")


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------


def cmd_index(args, config: Config) -> int:
    from .indexer import Indexer

    if args.if_missing and config.db_path.exists():
        from .indexer import outdated
        from .store import Store

        info = Store(config).info()
        if info is not None and not outdated(info):  # an index an older hsqa made is brought up to date
            return 0
    bar = ProgressBar(enabled=not args.quiet)
    report = Indexer(config, progress=bar).run(wait=args.wait, rebuild=args.rebuild)
    if report.rebuild:
        print(f"hsqa: rebuilt the whole index: {report.rebuild}", file=sys.stderr)
    if report.repaired:
        print("hsqa: the vector file did not match the database and was rebuilt from stored embeddings", file=sys.stderr)
    for s in report.new_skips:  # each skip is reported once, by the run that first meets it
        print(f"hsqa: skipped {display_path(s['path'])}: {s['reason']}", file=sys.stderr)
    if args.json:
        keys = ["added", "updated", "removed", "unchanged", "documents", "chunks", "skipped", "seconds"]
        d = report.as_json()
        out = {k: d[k] for k in keys}
        out.update({k: d[k] for k in d if k not in keys})
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(
            f"{report.documents} documents, {report.chunks} passages in {config.index_dir}/ "
            f"(added {report.added}, updated {report.updated}, removed {report.removed}, "
            f"renamed {report.renamed}, unchanged {report.unchanged}; embedded {report.embedded}, "
            f"reused {report.reused}; {report.seconds:.2f} s)"
        )
    return 0


#: in a --questions file, a line that is only "#", or "#" followed by a space, is a comment; "#MeToo ..." is
#: a question (hashtags are common in questions about campaigns)
_COMMENT = re.compile(r"#(\s|$)")


def _questions(args) -> list[tuple[str, str]]:
    """``(where, question)`` pairs: ``where`` names the question's source for error messages."""
    qs = [(f"question {i}", q) for i, q in enumerate(args.question or [], 1)]
    if args.questions:
        name = "standard input" if args.questions == "-" else args.questions
        try:
            data = sys.stdin.buffer.read() if args.questions == "-" else Path(args.questions).read_bytes()
        except OSError as e:
            raise HsqaError(f"cannot read questions file {args.questions}: {e.strerror}") from None
        for n, raw in enumerate(data.splitlines(), 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8").strip()
            except UnicodeDecodeError as e:
                raise HsqaError(
                    f"{name}, line {n}: not valid UTF-8 (byte {e.start + 1}): save the file as UTF-8"
                ) from None
            if line and not _COMMENT.match(line):
                qs.append((f"{name}, line {n}", line))
    return qs


def _open_searcher(config: Config, mode: str):
    from .embedding import make_embedder
    from .search import Searcher

    embedder = None if mode == "lexical" else make_embedder(config.model)
    searcher = Searcher(config, embedder=embedder)
    if embedder is not None and hasattr(embedder, "load"):
        embedder.load()
    return searcher


def _warn_stale(config: Config, searcher):
    """Say on stderr when the corpus changed since the last index, or the index was made by an older hsqa;
    the :class:`Staleness` (None if unknown)."""
    from .indexer import outdated, staleness

    try:
        st = staleness(config, searcher.store)
        info = searcher.store.info()
    except HsqaError:
        return None
    old = outdated(info) if info is not None else ""
    if old:
        print(f"hsqa: the index was made by an older hsqa ({old}): 'hsqa index' brings it up to date", file=sys.stderr)
    if st.stale:
        print(
            f"hsqa: the corpus changed since the last index ({st.summary()}): answers may be out of date; "
            "run 'hsqa index'",
            file=sys.stderr,
        )
    return st


def cmd_ask(args, config: Config) -> int:
    from .engine import Engine

    qs = _questions(args)
    if not qs:
        raise UsageError("ask needs a QUESTION or --questions FILE")
    engine = Engine(config, lexical_only=args.mode == "lexical")
    engine.load_model()
    stale = _warn_stale(config, engine.searcher)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    failed = 0
    for where, q in qs:
        try:
            reply = engine.ask_text(q, k=args.k, mode=args.mode)
            if stale is not None and (stale.changed or stale.deleted):
                reply = engine.check_files(reply, stale)
        except HsqaError as e:  # one bad question (an unknown doc: filter…) does not stop the batch
            failed += 1
            print(f"hsqa: {where}: {e}", file=sys.stderr)
            if args.json:
                print(json.dumps({"question": q, "error": str(e), "results": []}, ensure_ascii=False), flush=True)
            continue
        resp, answer = reply.response, reply.best
        if args.json:
            obj = {
                "question": q,
                "mode": reply.mode,
                "answer": reply.answer if answer and reply.relevant else None,
                "results": reply.results,
                "scope": reply.scope.labels,
            }
            if reply.note:
                obj["note"] = reply.note
            print(json.dumps(obj, ensure_ascii=False), flush=True)
        elif resp is None:
            print(f"Q: {q}\n   {reply.note}\n")
        else:
            _print_response(resp, answer, color, gone={r["rank"] for r in reply.results if r.get("in_file") is False},
                            note=reply.note)
    if failed and len(qs) > 1:
        print(f"hsqa: {failed} of {len(qs)} questions could not be answered (see above)", file=sys.stderr)
    return 1 if failed else 0


def cmd_eval(args, config: Config) -> int:
    from .evaluate import evaluate, format_table, load_qa

    items = load_qa(Path(args.file))
    searcher = _open_searcher(config, "hybrid")
    report = evaluate(searcher, items, k=args.k)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(format_table(report, args.file))
    return 0


def cmd_doctor(args, config: Config) -> int:
    from .doctor import diagnose

    report = diagnose(config)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for line in report["lines"]:
            print(line)
    return 0 if report["ok"] else 1


def cmd_watch(args, config: Config) -> int:
    from .watch import watch

    return watch(config, interval=args.interval, debounce=args.debounce)


def cmd_show(args, config: Config) -> int:
    """A document's text as indexed (extracted, for PDF and HTML), or one paragraph of it."""
    from .store import Store

    store = Store(config, readonly=True)
    rows = store.documents_matching(args.source)
    if not rows:
        raise HsqaError(f"no indexed document matches '{args.source}': give its path in the corpus or a part of it")
    if len(rows) > 1:
        names = ", ".join(r["path"] for r in rows[:8]) + (", ..." if len(rows) > 8 else "")
        raise HsqaError(f"'{args.source}' matches {len(rows)} documents ({names}): give more of the path")
    d = rows[0]
    stored = store.document_text(d["id"])
    if stored is None:
        raise HsqaError(f"{d['path']} was indexed by an older hsqa without its text: run 'hsqa index --rebuild'")
    pages = [tuple(x) for x in json.loads(stored["pages"])] if stored["pages"] else []
    paras = store.paragraphs(d["id"])
    head = {"source": d["path"], "title": d["title"], "date": d["date"], "kind": stored["kind"]}
    if args.paragraph is not None:
        p = next((p for p in paras if p["number"] == args.paragraph), None)
        if p is None:
            raise HsqaError(f"{d['path']} has paragraphs 1 to {len(paras)}, not {args.paragraph}")
        obj = {"number": p["number"], "page": p["page"], "section": p["section"], "start": p["start"], "end": p["end"], "text": p["text"]}
        if args.json:
            print(json.dumps({**head, "paragraph": obj}, ensure_ascii=False))
        else:
            where = " · ".join(x for x in (f"p. {p['page']}" if p["page"] else "", f"¶{p['number']}", p["section"]) if x)
            print(f"{d['title']} — {where}\n\n{p['text']}")
        return 0
    if args.json:
        plist = [{"number": p["number"], "page": p["page"], "section": p["section"], "start": p["start"], "end": p["end"]} for p in paras]
        print(json.dumps({**head, "text": stored["text"], "pages": pages, "paragraphs": plist}, ensure_ascii=False))
        return 0
    text, out, last = stored["text"], [], 0
    for offset, page in pages:  # PDF: an inline marker where each page's text starts
        out.append(text[last:offset])
        out.append(f"[p. {page}] ")
        last = offset
    out.append(text[last:])
    sys.stdout.write("".join(out).rstrip("\n") + "\n")
    return 0


def cmd_tui(args, config: Config) -> int:
    from .engine import Engine

    engine = Engine(config)
    preload = getattr(engine.embedder, "preload", None)
    if preload:  # the model opens while the app is imported and painted (its worker then finds it loaded)
        preload()
    from .tui.app import run_app

    return run_app(config, engine)


class UsageError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------


def _common(p: argparse.ArgumentParser, suppress: bool) -> None:
    d = argparse.SUPPRESS if suppress else None
    p.add_argument("--corpus", metavar="DIR", default=d, help="corpus folder (env HSQA_CORPUS, default ./corpus)")
    p.add_argument("--index", metavar="DIR", default=d, help="index folder (env HSQA_INDEX, default ./index)")
    p.add_argument("--model", metavar="M", default=d, help="sentence-transformers model name or path (env HSQA_MODEL)")


def _positive(v: str) -> int:
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{v}' is not a number") from None
    if not 1 <= n <= 1000:
        raise argparse.ArgumentTypeError(f"{n} is out of range (1..1000)")
    return n


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hsqa",
        description="Ask questions of UN human-security meeting summaries; get cited passages. "
        "With no command, opens the chat app.",
    )
    _common(p, suppress=False)
    from . import __version__

    p.add_argument("--version", action="version", version=f"hsqa {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    pi = sub.add_parser("index", help="build or update the index of the corpus")
    _common(pi, suppress=True)
    pi.add_argument("--json", action="store_true", help="print a JSON summary as the last stdout line")
    pi.add_argument("--wait", action="store_true", help="wait for another index run instead of exiting")
    pi.add_argument("--rebuild", action="store_true", help="re-parse everything (embeddings are reused from cache)")
    pi.add_argument("--if-missing", action="store_true",
                    help="do nothing when an index already exists (and this hsqa parses and tokenizes as it was made)")
    pi.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    pi.set_defaults(func=cmd_index)

    pa = sub.add_parser("ask", help="answer questions with cited passages")
    _common(pa, suppress=True)
    pa.add_argument("question", nargs="*", help="question(s) to ask")
    pa.add_argument("-k", type=_positive, default=5, help="passages per question (default 5)")
    pa.add_argument("--json", action="store_true", help="one JSON object per question per line")
    pa.add_argument(
        "--questions", metavar="FILE",
        help="read one question per line, UTF-8 ('-' for stdin); lines starting '# ' are comments",
    )
    pa.add_argument("--mode", choices=["hybrid", "lexical", "dense"], default="hybrid", help="retrieval mode")
    pa.set_defaults(func=cmd_ask)

    pe = sub.add_parser("eval", help="Recall@1, Recall@5, MRR of lexical, dense and hybrid retrieval")
    _common(pe, suppress=True)
    pe.add_argument("file", metavar="FILE.jsonl")
    pe.add_argument("-k", type=_positive, default=5)
    pe.add_argument("--json", action="store_true")
    pe.set_defaults(func=cmd_eval)

    pd = sub.add_parser("doctor", help="check the index against the corpus; non-zero exit on a problem")
    _common(pd, suppress=True)
    pd.add_argument("--json", action="store_true")
    pd.set_defaults(func=cmd_doctor)

    ps = sub.add_parser("show", help="print a document's indexed text (as extracted from PDF/HTML) or one paragraph")
    _common(ps, suppress=True)
    ps.add_argument("source", metavar="SOURCE", help="the document's path in the corpus, or a unique part of it")
    ps.add_argument("--paragraph", "-p", type=_positive, metavar="N", help="only paragraph N (the ¶ of a citation)")
    ps.add_argument("--json", action="store_true", help="JSON: text, pages and paragraph offsets")
    ps.set_defaults(func=cmd_show)

    pw = sub.add_parser("watch", help="keep the index in sync with the corpus folder")
    _common(pw, suppress=True)
    pw.add_argument("--interval", type=float, default=1.0, help="seconds between scans (default 1)")
    pw.add_argument("--debounce", type=float, default=1.5, help="quiet seconds before indexing (default 1.5)")
    pw.set_defaults(func=cmd_watch)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = Config.resolve(corpus=args.corpus, index=args.index, model=args.model)
    func = getattr(args, "func", cmd_tui)
    try:
        if func is not cmd_tui:  # the app shows the migrations in its status line
            upgrade_index(config)
        return func(args, config)
    except UsageError as e:
        parser.print_usage(sys.stderr)
        print(f"hsqa: error: {e}", file=sys.stderr)
        return 2
    except HsqaError as e:
        print(f"hsqa: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("hsqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 - last resort: one line, never a traceback for users
        if os.environ.get("HSQA_DEBUG"):
            raise
        print(f"hsqa: unexpected error: {type(e).__name__}: {e} (set HSQA_DEBUG=1 to see where)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
