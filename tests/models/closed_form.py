#!/usr/bin/env python3
"""tests/models/closed_form.py: cjm's simulation of two textbook customer-base models against
their closed forms, which this script derives itself (Python 3 standard library only; nothing is
taken from a statistics package). Run by tests/models/closed-form.sh; docs/models.md explains it.

    closed_form.py check CJM
        runs CJM on examples/bgnbd.journey and examples/sbg.journey and prints "PASS label",
        "FAIL label<TAB>why" and "NOTE ..." lines.
    closed_form.py table CJM
        the same runs, as a Markdown table of closed form against simulation (for docs/models.md).

The models:

- BG/NBD (Fader, Hardie and Lee 2005): while active, a customer buys as a Poisson process of
  rate lambda ~ Gamma(r, alpha); after each repeat purchase they drop out with probability
  p ~ Beta(a, b). The expected number of repeat purchases by time t (weeks) is

      E[X(t)] = (a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r * 2F1(r, b; a+b-1; t/(alpha+t))]

  and the share still active at t (the customer drops out at rate lambda*p, so the lifetime is
  exponential given lambda and p; the gamma mixture gives (alpha/(alpha+p*t))^r, and its beta
  mixture is Euler's integral for 2F1, taken through Pfaff's transformation to a series that
  converges):

      P(active at t) = (alpha/(alpha+t))^r * 2F1(r, b; a+b; t/(alpha+t)).

  cjm's ARPU (one unit of revenue per repeat purchase, horizon t weeks) estimates E[X(t)], and
  its customer retention R(d) estimates P(active at d days).

- sBG (Fader and Hardie 2007): theta ~ Beta(alpha, beta) per customer, churn with probability
  theta at each renewal; the share surviving t renewals is

      S(t) = E[(1-theta)^t] = B(alpha, beta+t) / B(alpha, beta)

  computed with lgamma. cjm's customer retention R(d) for d inside contract year t+1 estimates
  S(t), and its LTV (one unit a contract year, horizon 12 years) S(0) + ... + S(12).

Each closed form is checked twice before cjm is: the 2F1 series against functions known in
elementary terms, both BG/NBD formulas against a direct numerical integration over p of the
conditional expectations, and S(t) against its product form. Then each simulated figure's
interval must hold the closed form. There are 33 comparisons, so each uses cjm's 95% interval
widened to 99.9% (the same centre, each half 3.2905/1.9600 times as long): were cjm exactly
right, 95% intervals would miss one or more of 33 closed forms in most seeds (1 - 0.95^33 = 82%),
while at 99.9% the chance that any misses is at most 33 * 0.1% = 3.3% (Bonferroni). How many fall inside
the 95% intervals themselves is printed as a NOTE. The seed is fixed, so the verdict is the same
on every run and for any number of threads. Power: a parameter 30% off (BG/NBD's b, sBG's
beta) must be rejected by the same intervals, both as a wrong closed form against the right
simulation and as a wrong journey's simulation against the right closed form.
"""

import json
import math
import os
import subprocess
import sys

Z95 = 1.959963984540054
Z999 = 3.290526731491926
WIDEN = Z999 / Z95

COHORT = 100000
SEED = 16

BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
BGNBD_WEEKS = (13, 26, 39, 52, 78)

# Under make memcheck every cjm command runs under valgrind: three small runs show the memory is
# clean (their intervals still hold the closed forms), and the power checks, which need the large
# cohort, are left to make test and make asan.
MEMCHECK = bool(os.environ.get("MEMCHECK"))
if MEMCHECK:
    COHORT = 2000
    BGNBD_WEEKS = (78,)
BGNBD_RETENTION_DAYS = (30, 90, 180, 365)  # customers.retention's days, from the 78-week run

SBG = {"Regular": (0.704, 1.182), "HighEnd": (0.668, 3.806)}
SBG_HORIZON_YEARS = 12  # the journey's horizon
SBG_YEARS = SBG_HORIZON_YEARS - 1  # renewals checked on the retention curve: S(1) .. S(11)
DAYS_PER_YEAR = 365  # docs/language.md: 1 year = 365 days


# ---------------------------------------------------------------- closed forms

def hyp2f1(a, b, c, z):
    """Gauss's hypergeometric 2F1(a, b; c; z) by its series, for 0 <= z < 1 and c > 0.

    Term n+1 = term n * (a+n)(b+n) / ((c+n)(n+1)) * z. Once (a+n)(b+n) <= (c+n)(n+1) holds it
    holds for every later n (their difference is linear in n, with slope a+b-c-1, negative when
    it has become negative), so every later ratio is at most z and the rest of the series is at
    most |term| * z / (1 - z): the loop stops when that bound is below 1e-16 of the sum.
    """
    if not (0 <= z < 1) or c <= 0:
        raise ValueError("hyp2f1: series used outside 0 <= z < 1, c > 0")
    total, term, n = 0.0, 1.0, 0
    while n < 1000000:
        total += term
        shrinking = (a + n) * (b + n) <= (c + n) * (n + 1)
        if shrinking and abs(term) * z / (1 - z) <= 1e-16 * abs(total):
            return total
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        n += 1
    raise ArithmeticError("hyp2f1(%g, %g; %g; %g): series did not converge" % (a, b, c, z))


def bgnbd_expected(t, r, alpha, a, b):
    """E[X(t)]: expected repeat purchases by t (the time unit of alpha)."""
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))


def bgnbd_active(t, r, alpha, a, b):
    """P(still active at t)."""
    return (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b, t / (alpha + t))


def log_beta(x, y):
    return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)


def sbg_survival(t, alpha, beta):
    """S(t) = B(alpha, beta + t) / B(alpha, beta): the share surviving t renewals."""
    return math.exp(log_beta(alpha, beta + t) - log_beta(alpha, beta))


# ---------------------------------------------------------------- their own checks

def beta_mixture(g, a, b, intervals=20000):
    """E[g(p)] for p ~ Beta(a, b), b > 1, by Simpson's rule after p = u^(1/a), which takes the
    density's p^(a-1) away: p^(a-1) dp = du / a."""
    def f(u):
        p = u ** (1 / a)
        return g(p) * (1 - p) ** (b - 1)
    h = 1.0 / intervals
    s = f(0.0) + f(1.0)
    for i in range(1, intervals):
        s += (4 if i % 2 else 2) * f(i * h)
    return s * h / 3 / a / math.exp(log_beta(a, b))


def self_checks(report):
    # 2F1 against elementary functions: 2F1(1,1;2;z) = -ln(1-z)/z, 2F1(a,b;b;z) = (1-z)^-a
    for z in (0.1, 0.5, 0.9, 0.99):
        report.close("2F1(1,1;2;%g) = -ln(1-z)/z" % z, hyp2f1(1, 1, 2, z), -math.log1p(-z) / z, 1e-12)
        report.close("2F1(0.243,2.4;2.4;%g) = (1-z)^-0.243" % z, hyp2f1(0.243, 2.4, 2.4, z),
                     (1 - z) ** -0.243, 1e-12)
    # BG/NBD: given lambda and p, E[X(t)] = (1 - exp(-lambda p t)) / p and P(active) =
    # exp(-lambda p t); over lambda ~ Gamma(r, alpha), exp(-lambda p t) averages to
    # (alpha / (alpha + p t))^r; the beta mixture over p is done numerically here.
    m = BGNBD
    for t in BGNBD_WEEKS:
        def x_given_p(p):
            if p == 0:
                return m["r"] * t / m["alpha"]
            return (1 - (m["alpha"] / (m["alpha"] + p * t)) ** m["r"]) / p
        report.close("BG/NBD E[X(%d)]: closed form = numerical integral" % t,
                     bgnbd_expected(t, **m), beta_mixture(x_given_p, m["a"], m["b"]), 1e-8)
        report.close("BG/NBD P(active at %d weeks): closed form = numerical integral" % t,
                     bgnbd_active(t, **m),
                     beta_mixture(lambda p: (m["alpha"] / (m["alpha"] + p * t)) ** m["r"], m["a"], m["b"]),
                     1e-8)
    # sBG: S(t) = prod_{k<t} (beta + k) / (alpha + beta + k)
    for name, (alpha, beta) in SBG.items():
        for t in range(0, SBG_YEARS + 1):
            product = 1.0
            for k in range(t):
                product *= (beta + k) / (alpha + beta + k)
            report.close("sBG %s S(%d): lgamma = product form" % (name, t),
                         sbg_survival(t, alpha, beta), product, 1e-12)


# ---------------------------------------------------------------- running cjm

def run_cjm(cjm, journey, *options):
    threads = str(os.cpu_count() or 1)
    command = [cjm, "run", "--format", "json", "--cohort", str(COHORT), "--seed", str(SEED),
               "--threads", threads] + list(options) + [journey]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (" ".join(command), done.returncode,
                                                          done.stderr.decode(errors="replace")))
    return json.loads(done.stdout)


def with_parameter(journey, out, old, new):
    """A copy of JOURNEY with one text replaced (the sensitivity check's wrong journey)."""
    with open(journey) as f:
        text = f.read()
    count = text.count(old)
    changed = text.replace(old, new)
    if count != 1:
        raise RuntimeError("%s: %s appears %d times, expected once" % (journey, old, count))
    with open(out, "w") as f:
        f.write(changed)
    return out


class Figure:
    """A simulated figure with its 95% interval, and the closed form it should hold."""

    def __init__(self, label, expected, estimate, ci95):
        self.label, self.expected, self.estimate = label, expected, estimate
        self.lo95, self.hi95 = ci95
        self.lo999 = estimate - WIDEN * (estimate - self.lo95)
        self.hi999 = estimate + WIDEN * (self.hi95 - estimate)

    def holds(self, value, wide=True):
        if wide:
            return self.lo999 <= value <= self.hi999
        return self.lo95 <= value <= self.hi95


def bgnbd_figures(cjm, journey, params):
    figures = []
    for weeks in BGNBD_WEEKS:
        report = run_cjm(cjm, journey, "--horizon", "%d weeks" % weeks)
        money = report["money"]
        figures.append(Figure("BG/NBD repeat purchases per customer by week %d (ARPU)" % weeks,
                              bgnbd_expected(weeks, **params), money["arpu"], money["arpu_ci95"]))
    retention = report["customers"]["retention"]  # the last run: 78 weeks
    for day in BGNBD_RETENTION_DAYS:
        key = "day_%d" % day
        figures.append(Figure("BG/NBD active at day %d (customer retention)" % day,
                              bgnbd_active(day / 7, **params), retention[key], retention[key + "_ci95"]))
    return figures


def sbg_figures(cjm, journey, persona, alpha, beta):
    """S(1) .. S(12) from one run: R(d) at the first curve day inside each contract year (away
    from the renewal days, where customers leave)."""
    report = run_cjm(cjm, journey, "--persona", persona)
    curve = report["customer_retention_curve"]
    figures = []
    for t in range(1, SBG_YEARS + 1):
        inside = [p for p in curve if DAYS_PER_YEAR * t + 1 <= p["day"] <= DAYS_PER_YEAR * (t + 1) - 1]
        if not inside:
            raise RuntimeError("sBG %s: no retention curve point inside year %d" % (persona, t + 1))
        p = inside[0]
        figures.append(Figure("sBG %s survivors after %d renewal%s (retention at day %g)" % (persona, t, "" if t == 1 else "s", p["day"]),
                              sbg_survival(t, alpha, beta), p["retained"], (p["lo"], p["hi"])))
    # LTV, one unit a contract year: years 1 .. 13, the 13th starting on the horizon's day (a wait
    # that ends on the horizon is not cut: docs/semantics.md), each paid by S(k) of the customers.
    money = report["money"]
    figures.append(Figure("sBG %s contract years paid for in %d years (LTV)" % (persona, SBG_HORIZON_YEARS),
                          sum(sbg_survival(k, alpha, beta) for k in range(SBG_HORIZON_YEARS + 1)),
                          money["ltv"], money["ltv_ci95"]))
    return figures


class Report:
    def __init__(self):
        self.failed = 0

    def line(self, ok, label, why=""):
        if ok:
            print("PASS " + label)
        else:
            self.failed += 1
            print("FAIL %s\t%s" % (label, why))
        sys.stdout.flush()

    def close(self, label, got, want, rel):
        self.line(abs(got - want) <= rel * max(abs(want), 1e-300), label,
                  "%.15g, expected %.15g (relative tolerance %g)" % (got, want, rel))


def all_figures(cjm, root):
    figures = bgnbd_figures(cjm, os.path.join(root, "examples/bgnbd.journey"), BGNBD)
    for persona, (alpha, beta) in SBG.items():
        figures += sbg_figures(cjm, os.path.join(root, "examples/sbg.journey"), persona, alpha, beta)
    return figures


def check(cjm, root, scratch):
    report = Report()
    self_checks(report)
    figures = all_figures(cjm, root)
    for f in figures:
        report.line(f.holds(f.expected), "%s: closed form %.5f in 99.9%% interval" % (f.label, f.expected),
                    "simulated %.5f, 99.9%% interval %.5f-%.5f (95%% interval %.5f-%.5f)"
                    % (f.estimate, f.lo999, f.hi999, f.lo95, f.hi95))
    inside95 = sum(f.holds(f.expected, wide=False) for f in figures)
    print("NOTE %d of %d closed forms inside cjm's 95%% intervals (about 95%% expected)" % (inside95, len(figures)))

    if MEMCHECK:
        print("NOTE MEMCHECK: %d customers a run, one BG/NBD horizon, no power checks" % COHORT)
        return report.failed

    # Power, 1: the closed forms of a parameter 30% off are rejected by the same intervals.
    wrong_b = dict(BGNBD, b=BGNBD["b"] * 1.3)
    bg = [f for f in figures if f.label.startswith("BG/NBD repeat")]
    rejected = [f for f in bg if not f.holds(bgnbd_expected(int(f.label.split("week ")[1].split()[0]), **wrong_b))]
    report.line(len(rejected) >= 3, "sensitivity: BG/NBD with b 30%% higher (%.4f) is rejected at %d of %d horizons"
                % (wrong_b["b"], len(rejected), len(bg)), "it should be rejected at 3 or more")
    alpha, beta = SBG["Regular"]
    regular = [f for f in figures if f.label.startswith("sBG Regular survivors")]
    rejected = [f for t, f in enumerate(regular, 1) if not f.holds(sbg_survival(t, alpha, beta * 1.3))]
    report.line(len(rejected) >= 3, "sensitivity: sBG Regular with beta 30%% higher (%.4f) is rejected at %d of %d renewals"
                % (beta * 1.3, len(rejected), len(regular)), "it should be rejected at 3 or more")

    # Power, 2: a journey simulated with that wrong parameter does not hold the right closed form.
    wrong = with_parameter(os.path.join(root, "examples/bgnbd.journey"), os.path.join(scratch, "bgnbd-wrong-b.journey"),
                           "beta(0.793, 2.426)", "beta(0.793, %.4f)" % wrong_b["b"])
    run = run_cjm(cjm, wrong, "--horizon", "78 weeks")
    f = Figure("", bgnbd_expected(78, **BGNBD), run["money"]["arpu"], run["money"]["arpu_ci95"])
    report.line(not f.holds(f.expected), "sensitivity: a journey with b = %.4f simulates %.4f repeat purchases by week 78, "
                "outside the 99.9%% interval around the true %.4f" % (wrong_b["b"], f.estimate, f.expected),
                "its 99.9%% interval %.5f-%.5f holds it" % (f.lo999, f.hi999))
    wrong = with_parameter(os.path.join(root, "examples/sbg.journey"), os.path.join(scratch, "sbg-wrong-beta.journey"),
                           "beta(0.704, 1.182)", "beta(0.704, %.4f)" % (beta * 1.3))
    wrong_figures = sbg_figures(cjm, wrong, "Regular", alpha, beta)
    wrong_figures = [f for f in wrong_figures if "survivors" in f.label]
    missed = [f for f in wrong_figures if not f.holds(f.expected)]
    report.line(len(missed) >= 3, "sensitivity: a journey with Regular's beta = %.4f misses the true S(t) at %d of %d renewals"
                % (beta * 1.3, len(missed), len(wrong_figures)), "it should miss at 3 or more")
    return report.failed


def table(cjm, root):
    print("| figure | closed form | simulated | 95% interval | 99.9% interval |")
    print("|---|---:|---:|---|---|")
    for f in all_figures(cjm, root):
        print("| %s | %.4f | %.4f | %.4f–%.4f | %.4f–%.4f |"
              % (f.label, f.expected, f.estimate, f.lo95, f.hi95, f.lo999, f.hi999))
    return 0


def main(argv):
    if len(argv) < 3 or argv[1] not in ("check", "table"):
        sys.stderr.write("usage: closed_form.py check|table CJM [SCRATCH]\n")
        return 2
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if argv[1] == "table":
        return table(argv[2], root)
    scratch = argv[3] if len(argv) > 3 else os.environ.get("TMPDIR", "/tmp")
    check(argv[2], root, scratch)  # its FAIL lines are the verdict; an exception exits 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
