"""Growth curves of the scale benchmark as one SVG, from benchmarks/SCALE.json (no plotting library).

    .venv/bin/python benchmarks/scale_plot.py        # writes benchmarks/scale.svg

Three panels against passages (log scale), hashing embedder rows of ``benchmarks/scale.py``: per-question
CPU time (hybrid p50 and p95, with the issue's 30 / 50 ms targets), the index's bytes on disk per corpus
byte (target 8×), and index build time with its peak memory.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
W, H, PAD = 300, 220, 46
COLORS = ("#1f77b4", "#d62728", "#2ca02c")


def rows(data: dict) -> list[dict]:
    """The hashing rows (no variant), smallest first."""
    out = [r for k, r in data["runs"].items() if r.get("model") == "hashing" and not r.get("variant")]
    return sorted(out, key=lambda r: r["passages_target"])


def panel(x0: int, title: str, xs: list[float], series: list[tuple[str, list[float]]],
          targets: tuple[float, ...] = ()) -> list[str]:
    """One panel at horizontal offset ``x0``: log-x, linear-y lines with dashed target lines."""
    ymax = max([*(v for _, ys in series for v in ys), *targets]) * 1.15 or 1.0
    lx0, lx1 = math.log10(min(xs)), math.log10(max(xs))

    def px(x: float) -> float:
        return x0 + PAD + (math.log10(x) - lx0) / ((lx1 - lx0) or 1.0) * (W - PAD - 12)

    def py(y: float) -> float:
        return 30 + (1 - y / ymax) * (H - 30 - PAD)

    out = [f'<text x="{x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">{title}</text>',
           f'<line x1="{x0 + PAD}" y1="{py(0)}" x2="{x0 + W - 12}" y2="{py(0)}" stroke="#444"/>',
           f'<line x1="{x0 + PAD}" y1="30" x2="{x0 + PAD}" y2="{py(0)}" stroke="#444"/>']
    for x in xs:
        label = f"{x / 1000:g}k"
        out.append(f'<text x="{px(x)}" y="{py(0) + 14}" text-anchor="middle">{label}</text>')
    for frac in (0.0, 0.5, 1.0):
        v = ymax / 1.15 * frac
        out.append(f'<text x="{x0 + PAD - 4}" y="{py(v) + 4}" text-anchor="end">{v:.3g}</text>')
    out.append(f'<text x="{x0 + W / 2}" y="{H - 8}" text-anchor="middle">passages</text>')
    for target in targets:
        out.append(f'<line x1="{x0 + PAD}" y1="{py(target)}" x2="{x0 + W - 12}" y2="{py(target)}" '
                   'stroke="#888" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x0 + W - 14}" y="{py(target) - 3}" text-anchor="end" fill="#666">target {target:g}</text>')
    for i, (name, ys) in enumerate(series):
        c = COLORS[i % len(COLORS)]
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2"/>')
        out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{c}"/>' for x, y in zip(xs, ys)]
        out.append(f'<text x="{x0 + PAD + 6}" y="{44 + 14 * i}" fill="{c}">{name}</text>')
    return out


def svg(data: dict) -> str:
    rs = rows(data)
    xs = [float(r["index"]["report"]["chunks"]) for r in rs]
    hyb = [r["search"]["modes"]["hybrid"] for r in rs]
    parts = [
        *panel(0, "CPU per question (ms)", xs, [("hybrid p50", [h["cpu_p50"] for h in hyb]),
                                                 ("hybrid p95", [h["cpu_p95"] for h in hyb])], (30.0, 50.0)),
        *panel(W, "index on disk (× corpus)", xs, [("SQLite + FAISS", [r["disk_total_per_corpus_byte"] for r in rs])],
               (8.0,)),
        *panel(2 * W, "index build", xs, [("seconds", [r["index"]["index_s"] for r in rs]),
                                          ("peak RSS / 10 MB", [r["index"]["hwm_mb"] / 10 for r in rs])]),
    ]
    when = max(r.get("when", "") for r in rs)
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{3 * W}" height="{H + 16}" font-family="sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>', *parts,
        f'<text x="4" y="{H + 12}" fill="#666">benchmarks/scale.py, hashing embedder, warm, query embedding excluded; '
        f'latest row {when}</text>', "</svg>", ""])


def main() -> None:
    data = json.loads((ROOT / "benchmarks" / "SCALE.json").read_text(encoding="utf-8"))
    out = ROOT / "benchmarks" / "scale.svg"
    out.write_text(svg(data), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
