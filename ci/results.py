# SPDX-License-Identifier: MIT
"""Reading scenario results (`storlab scenario run --results`) for ci/nightly:
the perf steps grouped into points, the same way `storlab perf compare` groups
them (perf/compare.h), and the readable table `make bench` prints."""

import statistics

# The workload fields a sweep can vary, in the order a point's label names them.
SWEEP_KEYS = ("rw", "bs", "iodepth", "queues", "rwmixread")
AXIS_NAMES = {"bs": "block size (bytes)", "iodepth": "queue depth",
              "queues": "queues", "rwmixread": "reads (%)"}


def point_label(params):
    """What compare calls a point: "randread 4k qd32 q1" (perf/compare.c point_key)."""
    bs = params["bs"]
    size = "%dk" % (bs // 1024) if bs % 1024 == 0 else str(bs)
    size = params.get("bs_spec", size)       # a range or split, as given
    label = "%s %s qd%d q%d" % (params["rw"], size, params["iodepth"], params["queues"])
    if "rwmixread" in params:
        label += " mix%d" % params["rwmixread"]
    return label


def directions(result):
    """The directions a perf result exercised: {"read": {...}, "write": {...}}."""
    job = result["jobs"][0]
    return {d: job[d] for d in ("read", "write") if job[d]["total_ios"] > 0}


class Point:
    """One workload of one scenario, and each endpoint's runs of it, in order."""

    def __init__(self, scenario, params):
        self.scenario = scenario
        self.params = params
        self.label = point_label(params)
        self.runs = {}        # endpoint -> [perf result]
        self.histograms = {}  # endpoint -> [histogram]

    def iops(self, endpoint):
        """Per run: IOPS of every direction together."""
        return [sum(d["iops"] for d in directions(r).values()) for r in self.runs[endpoint]]

    def bw_mib(self, endpoint):
        """Per run: MiB/s of every direction together."""
        return [sum(d["bw_bytes"] for d in directions(r).values()) / (1 << 20)
                for r in self.runs[endpoint]]

    def metric(self, endpoint, fn):
        return [fn(r) for r in self.runs[endpoint]]


class Scenario:
    def __init__(self, doc):
        self.name = doc["scenario"]
        self.description = doc.get("description") or ""
        self.endpoints = [(e["name"], e["type"]) for e in doc["endpoints"]]
        self.variables = doc.get("variables", {})
        self.points = []
        by_label = {}
        for step in doc["steps"]:
            if step.get("op") != "perf" or not step.get("ok"):
                continue
            label = point_label(step["params"])
            if label not in by_label:
                by_label[label] = Point(self.name, step["params"])
                self.points.append(by_label[label])
            p = by_label[label]
            p.runs.setdefault(step["endpoint"], []).append(step["result"])
            if "histogram" in step:
                p.histograms.setdefault(step["endpoint"], []).append(step["histogram"])

    @property
    def subject(self):
        return self.endpoints[0][0]

    @property
    def peers(self):
        return [name for name, _ in self.endpoints[1:]]

    def sweep_key(self):
        """The workload field that varies between the points (None: one point)."""
        for key in SWEEP_KEYS:
            if len({p.params.get(key) for p in self.points}) > 1:
                return key
        return None


def load(doc):
    """Scenarios of a results document: one scenario's, or {"scenarios": [...]}."""
    return [Scenario(d) for d in doc.get("scenarios", [doc])]


def spread(values):
    return statistics.median(values), min(values), max(values)


def mean_us(result):
    return result["jobs"][0]["read"]["clat_ns"]["mean"] / 1000


def p99_us(result):
    return result["jobs"][0]["read"]["clat_ns"]["percentile"]["99.000000"] / 1000


def paired_ratio(num, den):
    """num / den as "median [min-max]" of the ratios round by round (the i-th
    run of each was taken in the same round), or the ratio of the medians
    when the rounds do not pair up."""
    if len(num) != len(den):
        return "%.2fx" % (statistics.median(num) / statistics.median(den))
    return "%.2fx [%.2f-%.2f]" % spread([a / b for a, b in zip(num, den)])


def bench_table(sc):
    """The table `make bench` prints (scripts/bench before it): per queue depth and target, medians over
    rounds with the spread (min-max), then the ratio subject / peer, taken round
    by round so that what moved the whole machine between rounds cancels out."""
    lines = []
    head = "%-20s %4s  %-26s %-24s %-24s" % ("target", "QD", "IOPS", "mean latency us",
                                            "p99 latency us")
    lines.append(head)
    types = [t for _, t in sc.endpoints]
    kind = {ep: t if types.count(t) == 1 else "%s (%s)" % (t, ep) for ep, t in sc.endpoints}
    for p in sc.points:
        for ep, _ in sc.endpoints:
            if ep not in p.runs:
                continue
            i, m, t = (spread(p.iops(ep)), spread(p.metric(ep, mean_us)),
                       spread(p.metric(ep, p99_us)))
            lines.append("%-20s %4s  %-26s %-24s %-24s" % (
                kind[ep], p.params["iodepth"], "%.0f [%.0f-%.0f]" % i, "%.2f [%.2f-%.2f]" % m,
                "%.2f [%.2f-%.2f]" % t))
        for peer in sc.peers:
            if sc.subject in p.runs and peer in p.runs:
                lines.append("%-20s %4s  %-26s %-24s" % (
                    "ratio to %s" % peer, p.params["iodepth"],
                    paired_ratio(p.iops(sc.subject), p.iops(peer)),
                    paired_ratio(p.metric(sc.subject, mean_us), p.metric(peer, mean_us))))
    return "\n".join(lines)
