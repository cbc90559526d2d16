#!/usr/bin/env python3
"""The footprint history as a plot: bench/results/footprint-history.csv (bench/budget.sh)
-> docs/benchmarks-footprint.svg. Standard library only (an SVG written by hand, like
bench/report.py's plot). One point per history line, in file order; one line per
configuration; the dashed lines are the issue-16 budgets.

  python3 bench/plot_footprint.py [HISTORY.csv [OUT.svg]]
"""
import csv
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HISTORY = os.path.join(REPO, "bench", "results", "footprint-history.csv")
SVG = os.path.join(REPO, "docs", "benchmarks-footprint.svg")
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def panel(x0, y0, w, h, title, ylabel, rows, series, ymax, budget):
    """series: [(name, colour, dash, key(row) -> value or None)]; x = the row's index."""
    n = max(len(rows), 2)
    o = ['<g font-family="sans-serif" font-size="11">',
         f'<text x="{x0 + w / 2}" y="{y0 - 12}" text-anchor="middle" font-size="14" '
         f'font-weight="bold">{esc(title)}</text>',
         f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#444"/>']

    def sx(i):
        return x0 + w * (i + 0.5) / n

    def sy(y):
        return y0 + h - h * y / ymax
    for k in range(6):
        t = ymax * k / 5
        o.append(f'<line x1="{x0}" y1="{sy(t):.1f}" x2="{x0 + w}" y2="{sy(t):.1f}" stroke="#ddd"/>')
        o.append(f'<text x="{x0 - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    o.append(f'<text x="{x0 - 40}" y="{y0 + h / 2}" text-anchor="middle" '
             f'transform="rotate(-90 {x0 - 40} {y0 + h / 2})">{esc(ylabel)}</text>')
    for i, r in enumerate(rows):
        lx, ly = sx(i), y0 + h + 10
        o.append(f'<text x="{lx:.1f}" y="{ly}" text-anchor="end" font-size="9" '
                 f'transform="rotate(-45 {lx:.1f} {ly})">{esc(r["commit"] + " " + r["config"])}</text>')
    o.append(f'<line x1="{x0}" y1="{sy(budget):.1f}" x2="{x0 + w}" y2="{sy(budget):.1f}" '
             f'stroke="#888" stroke-dasharray="8,4"/>')
    o.append(f'<text x="{x0 + w - 4}" y="{sy(budget) - 4:.1f}" text-anchor="end" '
             f'fill="#555">budget {budget:g}</text>')
    ly = y0 + 14
    for name, colour, dash, key in series:
        pts = [(i, key(r)) for i, r in enumerate(rows) if key(r) is not None]
        if not pts:
            continue
        d = " ".join(f"{'M' if j == 0 else 'L'}{sx(i):.1f},{sy(y):.1f}" for j, (i, y) in enumerate(pts))
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        o.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"{extra}/>')
        for i, y in pts:
            o.append(f'<circle cx="{sx(i):.1f}" cy="{sy(y):.1f}" r="3" fill="{colour}"/>')
        o.append(f'<line x1="{x0 + 10}" y1="{ly - 4}" x2="{x0 + 34}" y2="{ly - 4}" '
                 f'stroke="{colour}" stroke-width="2"{extra}/>')
        o.append(f'<text x="{x0 + 40}" y="{ly}">{esc(name)}</text>')
        ly += 15
    o.append("</g>")
    return o


def num(v, scale):
    try:
        return float(v) / scale
    except (TypeError, ValueError):
        return None


def main():
    hist = sys.argv[1] if len(sys.argv) > 1 else HISTORY
    out = sys.argv[2] if len(sys.argv) > 2 else SVG
    with open(hist) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"{hist}: no history lines")
    configs = list(dict.fromkeys(r["config"] for r in rows))
    size_series, rss_series = [], []
    for c, cfg in enumerate(configs):
        col = COLOURS[c % len(COLOURS)]

        def pick(field, scale, cfg=cfg):
            return lambda r: num(r[field], scale) if r["config"] == cfg else None
        size_series += [(f"{cfg}: ctrd-daemon + ctrctl", col, None, pick("budget_sum_bytes", 1 << 20)),
                        (f"{cfg}: ctrd-daemon", col, "5,4", pick("ctrd_daemon_bytes", 1 << 20))]
        rss_series += [(f"{cfg}: daemon idle RSS", col, None, pick("base_rss_kib", 1024))]
    smax = max([4.0] + [num(r["budget_sum_bytes"], 1 << 20) or 0 for r in rows]) * 1.15
    rmax = max([8.0] + [num(r["base_rss_kib"], 1024) or 0 for r in rows]) * 1.15
    W, H = 980, 470
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">',
         f'<rect width="{W}" height="{H}" fill="white"/>']
    o += panel(70, 50, 390, 280, "Stripped binaries (MiB)", "MiB", rows, size_series,
               round(smax + 0.5), 4)
    o += panel(570, 50, 390, 280, "Daemon idle RSS (MiB)", "MiB", rows, rss_series,
               round(rmax + 0.5), 8)
    o.append(f'<text x="{W / 2}" y="{H - 10}" text-anchor="middle" font-family="sans-serif" '
             f'font-size="11" fill="#555">bench/budget.sh history, one point per run '
             f'({len(rows)} runs, {esc(rows[0]["date"][:10])} to {esc(rows[-1]["date"][:10])}); '
             f'shared 2-vCPU machine</text>')
    o.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(o) + "\n")
    print(f"wrote {out} ({len(rows)} history lines)")


if __name__ == "__main__":
    main()
