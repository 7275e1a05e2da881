# SPDX-License-Identifier: MIT
"""Reading scenario results (`storlab scenario run --results`) for ci/nightly:
the perf steps grouped into points, the same way `storlab perf compare` groups
them (perf/compare_scenario.c), and the readable table `make bench` prints."""

import statistics

# The workload fields a sweep can vary, in the order a point's label names them.
SWEEP_KEYS = ("rw", "bs", "iodepth", "queues", "rwmixread")
AXIS_NAMES = {"bs": "block size (bytes)", "iodepth": "queue depth",
              "queues": "queues", "rwmixread": "reads (%)"}
# The device kind the others are set against (its points' labels name no kind).
REF_SCHEME = "vhost-user-blk"
# A kind's goal for its IOPS over vhost-user-blk's in the same run: issue 12,
# "vhost-user-scsi within 10 % of our own vhost-user-blk".
RATIO_GOALS = {"scsi": 0.90}


def point_label(params, kind=""):
    """What compare calls a point: "randread 4k qd32 q1", "randread 4k qd32 q1
    scsi" on vhost-user-scsi (perf/compare_scenario.c)."""
    bs = params["bs"]
    size = "%dk" % (bs // 1024) if bs % 1024 == 0 else str(bs)
    size = params.get("bs_spec", size)       # a range or split, as given
    label = "%s %s qd%d q%d" % (params["rw"], size, params["iodepth"], params["queues"])
    if "rwmixread" in params:
        label += " mix%d" % params["rwmixread"]
    return label + (" " + kind if kind else "")


def step_kind(step):
    """The device kind of a perf step, from the URI storlab perf names as its
    filename: "" for vhost-user-blk, else the scheme without "vhost-user-"."""
    uri = step["result"]["jobs"][0]["job options"].get("filename", "")
    scheme = uri.split(":", 1)[0] if ":" in uri else REF_SCHEME
    return "" if scheme == REF_SCHEME else scheme.removeprefix("vhost-user-")


def directions(result):
    """The directions a perf result exercised: {"read": {...}, "write": {...}}."""
    job = result["jobs"][0]
    return {d: job[d] for d in ("read", "write") if job[d]["total_ios"] > 0}


class Point:
    """One workload on one device kind in one scenario, and each endpoint's
    runs of it, in order."""

    def __init__(self, scenario, params, kind):
        self.scenario = scenario
        self.params = params
        self.kind = kind
        self.label = point_label(params, kind)
        self.runs = {}        # endpoint -> [perf result]
        self.histograms = {}  # endpoint -> [histogram]
        self.subject = None   # the first of the scenario's endpoints that ran it
        self.ref = None       # another kind: the vhost-user-blk point of the workload

    def iops(self, endpoint):
        """Per run: IOPS of every direction together."""
        return [sum(d["iops"] for d in directions(r).values()) for r in self.runs[endpoint]]

    def bw_mib(self, endpoint):
        """Per run: MiB/s of every direction together."""
        return [sum(d["bw_bytes"] for d in directions(r).values()) / (1 << 20)
                for r in self.runs[endpoint]]

    def metric(self, endpoint, fn):
        return [fn(r) for r in self.runs[endpoint]]

    @property
    def peers(self):
        return [ep for ep in self.runs if ep != self.subject]

    @property
    def ref_endpoint(self):
        """Whose vhost-user-blk runs this kind's are set against, or None."""
        return self.ref.subject if self.ref else None


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
            kind = step_kind(step)
            label = point_label(step["params"], kind)
            if label not in by_label:
                by_label[label] = Point(self.name, step["params"], kind)
                self.points.append(by_label[label])
            p = by_label[label]
            p.runs.setdefault(step["endpoint"], []).append(step["result"])
            if "histogram" in step:
                p.histograms.setdefault(step["endpoint"], []).append(step["histogram"])
        for p in self.points:
            p.subject = next(ep for ep, _ in self.endpoints if ep in p.runs)
            if p.kind:
                p.ref = by_label.get(point_label(p.params))

    def sweep_key(self):
        """The workload field that varies between the points (None: one point)."""
        for key in SWEEP_KEYS:
            if len({p.params.get(key) for p in self.points}) > 1:
                return key
        return None

    def kind_ratios(self):
        """Per point of another kind than vhost-user-blk: (point, its IOPS
        over the vhost-user-blk point's subject's, round by round, the goal
        or None)."""
        return [(p, [a / b for a, b in zip(p.iops(p.subject), p.ref.iops(p.ref_endpoint))],
                 RATIO_GOALS.get(p.kind))
                for p in self.points if p.ref and p.ref_endpoint
                and len(p.runs[p.subject]) == len(p.ref.runs[p.ref_endpoint])]


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


def goal_text(ratios, goal):
    """Whether the median of the ratios meets the goal ("" without one)."""
    if goal is None:
        return ""
    return "IOPS goal >= %.2f: %s" % (goal, "met" if statistics.median(ratios) >= goal
                                      else "NOT met")


def bench_table(sc):
    """The table `make bench` prints (scripts/bench before it): per queue depth and target, medians over
    rounds with the spread (min-max), then the ratio subject / peer, taken round
    by round so that what moved the whole machine between rounds cancels out;
    for another device kind than vhost-user-blk, its ratio to vhost-user-blk
    and the goal. The first column is as wide as its longest label."""
    rows = [("target", "QD", "IOPS", "mean latency us", "p99 latency us")]
    types = [t for _, t in sc.endpoints]
    kind = {ep: t if types.count(t) == 1 else "%s (%s)" % (t, ep) for ep, t in sc.endpoints}
    kinds = {p.label: (ratios, goal) for p, ratios, goal in sc.kind_ratios()}
    for p in sc.points:
        for ep, _ in sc.endpoints:
            if ep not in p.runs:
                continue
            i, m, t = (spread(p.iops(ep)), spread(p.metric(ep, mean_us)),
                       spread(p.metric(ep, p99_us)))
            rows.append((kind[ep], p.params["iodepth"], "%.0f [%.0f-%.0f]" % i,
                         "%.2f [%.2f-%.2f]" % m, "%.2f [%.2f-%.2f]" % t))
        for peer in p.peers:
            rows.append(("ratio to %s" % peer, p.params["iodepth"],
                         paired_ratio(p.iops(p.subject), p.iops(peer)),
                         paired_ratio(p.metric(p.subject, mean_us), p.metric(peer, mean_us))))
        if p.label in kinds:
            ratios, goal = kinds[p.label]
            rows.append(("%s / %s blk" % (p.kind, p.ref_endpoint), p.params["iodepth"],
                         "%.2fx [%.2f-%.2f]" % spread(ratios),
                         paired_ratio(p.metric(p.subject, mean_us),
                                      p.ref.metric(p.ref_endpoint, mean_us)),
                         goal_text(ratios, goal)))
    width = max(20, max(len(r[0]) for r in rows))
    lines = []
    for r in rows:
        cols = ["%-*s" % (width, r[0]), "%4s" % r[1], " %-26s" % r[2]]
        lines.append(" ".join(cols + ["%-24s" % c for c in r[3:]]).rstrip())
    return "\n".join(lines)
