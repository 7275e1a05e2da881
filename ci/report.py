# SPDX-License-Identifier: MIT
"""The nightly's HTML report: one self-contained file (plots inline as SVG,
drawn by matplotlib): the verdict and the regressions first, the conformance
suites' mutation score and its trend (when the history has one), the other
device kinds' IOPS against vhost-user-blk's with their goals, then IOPS along
each sweep for the subject and its peers, latency CDFs from the histogram
buckets, each metric's trend over the history, and the whole comparison."""

import html
import io

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from results import AXIS_NAMES, spread  # noqa: E402

CSS = """
body { font-family: sans-serif; margin: 2em; max-width: 1200px; }
table { border-collapse: collapse; margin: 1em 0; font-size: 90%; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.regressed { background: #fdd; } .improved { background: #dfd; }
.verdict { font-size: 130%; padding: 0.5em; border-radius: 4px; display: inline-block; }
.bad { background: #fbb; } .good { background: #bfb; } .none { background: #eee; }
figure { display: inline-block; margin: 0.5em; }
"""

_figures = 0


def svg(fig):
    """The figure as inline SVG (no XML prologue; ids unique in the page)."""
    global _figures
    _figures += 1
    matplotlib.rcParams["svg.hashsalt"] = "fig%d" % _figures
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return "<figure>" + text[text.index("<svg"):] + "</figure>"


def fmt(v):
    return "%.0f" % v if abs(v) >= 1000 else "%.4g" % v


def regressions(compare):
    """The rows that make the verdict: a peer's own figures do not count."""
    return [r for r in (compare or {}).get("metrics", [])
            if r["verdict"] == "regressed" and r["counted"]]


def verdict_table(rows, css_id):
    out = ['<table id="%s"><tr><th>metric</th><th>base</th><th>new</th><th>change</th>'
           '<th>noise</th><th>verdict</th></tr>' % css_id]
    for r in rows:
        cls = r["verdict"] if r["verdict"] in ("regressed", "improved") else ""
        out.append('<tr class="%s"><td>%s</td><td>%s</td><td>%s</td><td>%+.2f%%</td>'
                   '<td>%.2f%%</td><td>%s</td></tr>' % (
                       cls, html.escape(r["metric"]), fmt(r["base"]["median"]),
                       fmt(r["new"]["median"]), r["change_pct"], r["noise_pct"],
                       r["verdict"] + ("" if r["counted"] else " (peer: not counted)")))
    out.append("</table>")
    return "\n".join(out)


def sweep_plot(sc):
    """IOPS (bandwidth along block sizes), medians with min-max bars, along the
    scenario's sweep, one line per endpoint."""
    key = sc.sweep_key()
    if not key or key == "rw":
        return ""
    what = "bandwidth (MiB/s)" if key == "bs" else "IOPS"
    fig, ax = plt.subplots(figsize=(6, 4))
    for ep, etype in sc.endpoints:
        pts = [p for p in sc.points if ep in p.runs]
        xs = [p.params[key] for p in pts]
        meds, los, his = [], [], []
        for p in pts:
            med, lo, hi = spread(p.bw_mib(ep) if key == "bs" else p.iops(ep))
            meds.append(med)
            los.append(med - lo)
            his.append(hi - med)
        ax.errorbar(xs, meds, yerr=[los, his], marker="o", capsize=3,
                    label="%s (%s)" % (ep, etype))
    if key in ("iodepth", "bs", "queues"):
        ax.set_xscale("log", base=2)
        ticks = sorted({p.params[key] for p in sc.points})
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
    ax.set_xlabel(AXIS_NAMES[key])
    ax.set_ylabel("%s, all directions" % what)
    ax.set_title("%s: %s vs %s" % (sc.name, what.split(" ")[0], AXIS_NAMES[key]))
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return svg(fig)


def cdf(histograms, direction):
    """Latency CDF (us, fraction) of the buckets of every run together."""
    counts = {}
    for h in histograms:
        for b in h.get(direction, {}).get("buckets", []):
            counts[b["high_ns"]] = counts.get(b["high_ns"], 0) + b["count"]
    total = sum(counts.values())
    xs, ys, acc = [], [], 0
    for high in sorted(counts):
        acc += counts[high]
        xs.append(high / 1000)
        ys.append(acc / total)
    return xs, ys


def cdf_plots(sc):
    """One plot per point: the completion latency CDF of each endpoint."""
    out = []
    for p in sc.points:
        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        drawn = False
        for ep, _ in sc.endpoints:
            for d in ("read", "write"):
                xs, ys = cdf(p.histograms.get(ep, []), d)
                if xs:
                    ax.step(xs, ys, where="post", label="%s %s" % (ep, d))
                    drawn = True
        if not drawn:
            plt.close(fig)
            continue
        ax.set_xscale("log")
        ax.set_xlabel("completion latency (us)")
        ax.set_ylabel("fraction of I/Os")
        ax.set_title("%s" % p.label, fontsize=9)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
        out.append(svg(fig))
    return "\n".join(out)


def trend_plot(title, series):
    """series: {label: [(run_id, median, min, max)]} over the history."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for label, pts in series.items():
        ax.errorbar([p[0] for p in pts], [p[1] for p in pts],
                    yerr=[[p[1] - p[2] for p in pts], [p[3] - p[1] for p in pts]],
                    marker="o", capsize=2, label=label)
    ax.set_xlabel("run")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    return svg(fig)


def mutation_plot(runs):
    """The score of each mutation run, with the goal of each."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ids = [r["id"] for r in runs]
    ax.plot(ids, [r["score"] for r in runs], marker="o", label="caught (%)")
    ax.step(ids, [r["goal"] for r in runs], where="mid", linestyle="--", label="goal")
    ax.set_xlabel("mutation run")
    ax.set_ylabel("mutants caught (%)")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_ylim(min([r["score"] for r in runs] + [r["goal"] for r in runs] + [80]) - 5, 101)
    ax.set_title("conformance suites: mutation score", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    return svg(fig)


def mutation_section(mutation):
    """mutation: {"runs": the history's mutation runs (storlab perf history
    mutants --json), "tonight": ci/mutants' results of this run or None}."""
    runs, tonight = mutation["runs"], mutation["tonight"]
    if not runs:
        return ""
    last = runs[-1]
    met = last["score"] >= last["goal"]
    when = "this run" if tonight else "last measured %s (revision %s)" % (
        html.escape(last["time"]), html.escape(last["git_rev"]))
    parts = ["<h2>Conformance catch rate</h2>",
             '<p class="verdict %s" id="mutation-score">mutation score: %.1f%% (%d of %d '
             'mutants caught, %d equivalent; goal %.0f%%)</p> <p>%s; <code>make mutants</code>, '
             'tests/mutants/README.md.</p>' % (
                 "good" if met else "bad", last["score"], last["caught"],
                 last["total"] - last["equivalent"], last["equivalent"], last["goal"], when)]
    if tonight:
        missed = [m for m in tonight["mutants"] if m["verdict"] == "missed"]
        if missed:
            parts.append('<table id="missed-mutants"><tr><th>missed mutant</th><th>area</th>'
                         '<th>defect</th></tr>%s</table>' % "".join(
                             "<tr><td>%s</td><td>%s</td><td>%s</td></tr>" % tuple(
                                 html.escape(m[k]) for k in ("name", "area", "defect"))
                             for m in missed))
    parts.append(mutation_plot(runs))
    return "\n".join(parts)


def kind_section(scenarios):
    """Each point of another device kind than vhost-user-blk: its IOPS over
    vhost-user-blk's in the same rounds, and the goal."""
    rows = [(sc, p, ratios, goal) for sc in scenarios for p, ratios, goal in sc.kind_ratios()]
    if not rows:
        return ""
    out = ["<h2>Device kinds against vhost-user-blk</h2><p>IOPS of each point over the "
           "same workload on vhost-user-blk in the same round: median over the rounds "
           "[lowest-highest].</p>",
           '<table id="kind-ratios"><tr><th>point</th><th>over</th><th>IOPS ratio</th>'
           '<th>goal</th><th>met</th></tr>']
    for sc, p, ratios, goal in rows:
        med, lo, hi = spread(ratios)
        met = "" if goal is None else ("yes" if med >= goal else "no")
        out.append('<tr class="%s"><td>%s</td><td>%s vhost-user-blk</td><td>%.2f [%.2f-%.2f]'
                   '</td><td>%s</td><td>%s</td></tr>' % (
                       "regressed" if met == "no" else "", html.escape("%s %s (%s)" % (
                           sc.name, p.label, p.subject)), html.escape(p.ref_endpoint), med, lo,
                       hi, "" if goal is None else "&ge; %.2f" % goal, met))
    out.append("</table>")
    return "\n".join(out)


def write(path, meta, scenarios, compare, trends, mutation=None):
    """meta: {title, time, git_rev, machine, verdict, baseline, options};
    compare: perf compare's JSON or None; trends: [(title, series)];
    mutation: see mutation_section, or None."""
    verdict = meta["verdict"]
    cls = {"regressed": "bad", "ok": "good"}.get(verdict, "none")
    rows = compare["metrics"] if compare else []
    regressed = regressions(compare)
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>%s</title>"
             "<style>%s</style></head><body>" % (html.escape(meta["title"]), CSS),
             "<h1>%s</h1>" % html.escape(meta["title"]),
             "<p>%s &middot; revision %s &middot; machine %s &middot; %s</p>" % tuple(
                 html.escape(str(meta[k])) for k in ("time", "git_rev", "machine", "options")),
             '<p class="verdict %s" id="verdict">verdict: %s</p>' % (cls, html.escape(verdict)),
             "<h2>Regressions</h2>"]
    if not compare:
        parts.append("<p>No baseline to compare with (%s): this run became the baseline.</p>"
                     % html.escape(meta["baseline"]))
    elif regressed:
        parts.append(verdict_table(regressed, "regressions"))
    else:
        parts.append("<p>None: %d metric(s) compared with %s, %d improved.</p>" % (
            len(rows), html.escape(meta["baseline"]), compare["improved"]))
    if mutation:
        parts.append(mutation_section(mutation))
    parts.append(kind_section(scenarios))
    parts.append("<h2>Along each sweep</h2><p>IOPS (bandwidth along block sizes): medians "
                 "over the rounds, bars from the lowest to the highest round; every endpoint "
                 "measured in the same run.</p>")
    parts += [sweep_plot(sc) for sc in scenarios]
    parts.append("<h2>Latency CDFs</h2><p>Completion latency of every I/O of every round, "
                 "from the histogram buckets.</p>")
    for sc in scenarios:
        parts.append("<h3>%s</h3>%s" % (html.escape(sc.name), cdf_plots(sc)))
    parts.append("<h2>Trends over the history</h2><p>Medians per run (bars: lowest and "
                 "highest round), from <code>storlab perf history</code>.</p>")
    parts += [trend_plot(t, s) for t, s in trends if s]
    if rows:
        parts.append("<h2>Every metric</h2><details><summary>%d metric(s)</summary>%s"
                     "</details>" % (len(rows), verdict_table(rows, "all-metrics")))
    parts.append("</body></html>")
    with open(path, "w") as f:
        f.write("\n".join(parts))
