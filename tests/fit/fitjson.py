"""tests/fit/fitjson.py: reading `cjm fit --format json` (docs/fit-json.md) for the tests of
tests/fit/: the observed moves and the fitted waits, by stage name, whatever else the report holds.
"""

import json


def load(path):
    with open(path) as f:
        return json.load(f)


def moves(doc):
    """Every observed move: dicts with from, to ("churn" for churn), count, p, lo, hi, declared
    (None when not known), outside, fitted, in_journey."""
    out = []
    for m in doc["moves"]:
        ci = m.get("share_ci95") or [None, None]
        out.append({
            "from": m["from"], "to": m["to"], "count": m["count"], "p": m.get("share"),
            "lo": ci[0], "hi": ci[1], "declared": m.get("declared"), "outside": m.get("outside"),
            "fitted": m.get("fitted"), "in_journey": m.get("in_journey"),
        })
    return out


def waits(doc):
    """The fitted waits by stage name: dicts with n, censored, mean, lo, hi, declared_mean,
    outside, best (the chosen distribution's name)."""
    out = {}
    for w in doc["waits"]:
        ci = w.get("mean_days_ci95") or [None, None]
        best = w.get("fitted")
        out[w["stage"]] = {
            "n": w.get("waits"), "censored": w.get("censored"), "mean": w.get("mean_days"),
            "lo": ci[0], "hi": ci[1], "declared_mean": w.get("declared_mean_days"),
            "outside": w.get("outside"), "best": best.get("dist") if isinstance(best, dict) else None,
        }
    return out


def interval(obj, key):
    """A figure and its interval, written KEY and KEY_ci95: (value, lo, hi)."""
    ci = obj.get(key + "_ci95") or [None, None]
    return obj.get(key), ci[0], ci[1]
