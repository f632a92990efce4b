#!/usr/bin/env python3
"""Generate Driftdeck's demo workspace (assets/demo/).

The demo is a small, realistic project of a churn-prediction team:

  mlruns/                 an MLflow 3.x file store (MLflow's own on-disk layout)
  data/reference.csv      training data (3000 rows)
  data/current.csv        this week's production data (3000 rows), with real drift
  data/predictions.csv    scored hold-out set (4000 rows) with a real fairness gap
  models/churn_model.safetensors
                          logistic-regression weights fitted on reference.csv
  MANIFEST.json           the ground truth of everything above
  README.md               a short description

Usage (from the repository root):

  python3 scripts/make_demo.py              # writes assets/demo/
  python3 scripts/make_demo.py --out DIR    # writes DIR instead

Standard library only. Everything comes from a fixed seed and fixed
timestamps, so two runs give byte-identical files. The output folder is
deleted and recreated; nothing else is touched.
"""

import csv
import hashlib
import io
import json
import math
import random
import re
import shutil
import struct
import sys
from pathlib import Path

SEED = 20261103
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "assets" / "demo"

# Where the (fictional) team ran MLflow. MLflow writes absolute file: URIs of
# the machine it ran on; Driftdeck resolves paths relative to the store.
PROJECT_ROOT = "/home/demo/churn"
STORE_URI = "file://" + PROJECT_ROOT + "/mlruns"

MLFLOW_VERSION = "3.17.2"
PYTHON_VERSION = "3.11.7"
USER = "demo"

# 2026-11-03 14:05:12.345 UTC: the sweep starts here.
T0_CIVIL = (2026, 11, 3, 14, 5, 12, 345)

N_REFERENCE = 3000
N_CURRENT = 3000
N_PREDICTIONS = 4000
VAL_FRACTION = 0.2

PLANS = ["basic", "standard", "premium"]
REGIONS = ["north", "south", "east", "west"]
PAYMENTS = ["credit_card", "bank_transfer", "electronic_check", "mailed_check"]

# The data-generating process. Only the marked parameters differ between the
# two periods; everything else is drawn from the same distribution.
REFERENCE_PROCESS = {
    "plan_probs": [0.40, 0.38, 0.22],      # DRIFTS
    "price_multiplier": 1.00,              # DRIFTS (+15% price increase)
    "support_calls_lambda": 1.10,          # DRIFTS
}
CURRENT_PROCESS = {
    "plan_probs": [0.52, 0.32, 0.16],
    "price_multiplier": 1.15,
    "support_calls_lambda": 1.80,
}
SHARED_PROCESS = {
    "age": "round(N(44, 14)) clipped to [18, 85]",
    "tenure_months": "min(72, 1 + floor(Exp(mean 24)))",
    "region_probs": [0.28, 0.24, 0.26, 0.22],
    "payment_probs": [0.34, 0.27, 0.25, 0.14],
    "has_partner_prob": 0.47,
    "monthly_charges_base_by_plan": {"basic": 52.0, "standard": 60.0, "premium": 72.0},
    "monthly_charges_noise_sd": 14.0,
    "total_charges_missing_rate": 0.015,
    "payment_method_missing_rate": 0.01,
}

FEATURES = (
    ["age", "tenure_months", "monthly_charges", "total_charges", "support_calls", "has_partner"]
    + ["plan_" + p for p in PLANS]
    + ["region_" + r for r in REGIONS]
    + ["payment_method_" + p for p in PAYMENTS]
)
CSV_COLUMNS = ["customer_id", "age", "tenure_months", "monthly_charges", "total_charges",
               "support_calls", "plan", "region", "payment_method", "has_partner", "churned"]

REGISTERED_MODEL = "churn-classifier"
MODEL_FLAVOR = "churn_logreg"


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

def days_from_civil(y, m, d):
    """Days since 1970-01-01 (proleptic Gregorian); H. Hinnant's algorithm."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


def epoch_ms(y, mo, d, h, mi, s, ms):
    return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + s * 1000 + ms


def utc_string(ms, micros_extra=0):
    """'YYYY-MM-DD HH:MM:SS.ffffff' like MLflow's utc_time_created."""
    days, rem = divmod(ms, 86400000)
    y, mo, d = civil_from_days(days)
    h, rem = divmod(rem, 3600000)
    mi, rem = divmod(rem, 60000)
    s, msec = divmod(rem, 1000)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (y, mo, d, h, mi, s, msec * 1000 + micros_extra)


def iso_date(ms):
    y, mo, d = civil_from_days(ms // 86400000)
    return "%04d-%02d-%02d" % (y, mo, d)


def uuid4_hex(rng):
    """A uuid4-shaped 32-hex id drawn from the seeded RNG (like uuid.uuid4().hex)."""
    n = rng.getrandbits(128)
    n &= ~(0xF000 << 64)
    n |= 0x4000 << 64          # version 4
    n &= ~(0xC000 << 48)
    n |= 0x8000 << 48          # RFC 4122 variant
    return "%032x" % n


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def poisson(rng, lam):
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def choice(rng, items, probs):
    r, acc = rng.random(), 0.0
    for item, p in zip(items, probs):
        acc += p
        if r < acc:
            return item
    return items[-1]


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def r6(x):
    return round(float(x), 6)


def sig6(x):
    return float("%.6g" % x)


# --------------------------------------------------------------------------
# a YAML writer that reproduces PyYAML's safe_dump(default_flow_style=False)
# (as used by MLflow) for the value types used here
# --------------------------------------------------------------------------

_YAML_WIDTH = 80
_RE_BOOL = re.compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")
_RE_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_RE_INT = re.compile(r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+
    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""", re.X)
_RE_FLOAT = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""", re.X)
_RE_TIMESTAMP = re.compile(r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
     (?:[Tt]|[ \t]+)[0-9][0-9]?
     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", re.X)


def _yaml_resolves_to_str(s):
    return not (_RE_BOOL.match(s) or _RE_NULL.match(s) or _RE_INT.match(s) or _RE_FLOAT.match(s)
                or _RE_TIMESTAMP.match(s) or s in ("<<", "="))


def _yaml_plain_allowed(s):
    if not s or s[0] == " " or s[-1] == " ":
        return False
    if s.startswith("---") or s.startswith("..."):
        return False
    for ch in s:
        if not (" " <= ch <= "~"):
            raise ValueError("YAML writer only handles printable ASCII: %r" % s)
    first = s[0]
    if first in "#,[]{}&*!|>'\"%@`":
        return False
    if first in "?:-" and (len(s) == 1 or s[1] == " "):
        return False
    for i in range(1, len(s)):
        ch = s[i]
        if ch == ":" and (i + 1 == len(s) or s[i + 1] == " "):
            return False
        if ch == "#" and s[i - 1] == " ":
            return False
    return True


def _yaml_folded(text, column, indent, quoted):
    """Port of PyYAML's write_plain / write_single_quoted (no line breaks in text)."""
    out = [" "]
    column += 1
    if quoted:
        out.append("'")
        column += 1
    spaces = False
    start = end = 0
    n = len(text)
    while end <= n:
        ch = text[end] if end < n else None
        if spaces:
            if ch != " ":
                if start + 1 == end and column > _YAML_WIDTH and start != 0 and end != n:
                    out.append("\n" + " " * indent)
                    column = indent
                else:
                    data = text[start:end]
                    out.append(data)
                    column += len(data)
                start = end
        else:
            if ch is None or ch == " " or (quoted and ch == "'"):
                if start < end:
                    data = text[start:end]
                    out.append(data)
                    column += len(data)
                    start = end
        if quoted and ch == "'":
            out.append("''")
            column += 2
            start = end + 1
        if ch is not None:
            spaces = ch == " "
        end += 1
    if quoted:
        out.append("'")
    return "".join(out)


def _yaml_scalar(value, column, indent):
    if value is None:
        return " null"
    if value is True:
        return " true"
    if value is False:
        return " false"
    if isinstance(value, int):
        return " " + str(value)
    if isinstance(value, float):
        text = repr(value).lower()
        if "." not in text and "e" in text:
            text = text.replace("e", ".0e", 1)
        return " " + text
    if isinstance(value, str):
        if value == "":
            return " ''"
        plain = _yaml_plain_allowed(value) and _yaml_resolves_to_str(value)
        return _yaml_folded(value, column, indent, quoted=not plain)
    raise TypeError("unsupported YAML value %r" % (value,))


def _yaml_mapping(d, indent, out):
    for key in sorted(d):
        if not (_yaml_plain_allowed(key) and _yaml_resolves_to_str(key)):
            raise ValueError("unsupported YAML key %r" % key)
        value = d[key]
        prefix = " " * indent + key + ":"
        if isinstance(value, dict) and value:
            out.append(prefix + "\n")
            _yaml_mapping(value, indent + 2, out)
        elif isinstance(value, list) and value:
            out.append(prefix + "\n")
            for item in value:
                if isinstance(item, (dict, list)):
                    raise TypeError("nested collections in lists are not supported")
                out.append(" " * indent + "-" + _yaml_scalar(item, indent + 1, indent + 2) + "\n")
        elif isinstance(value, dict):
            out.append(prefix + " {}\n")
        elif isinstance(value, list):
            out.append(prefix + " []\n")
        else:
            out.append(prefix + _yaml_scalar(value, len(prefix), indent + 2) + "\n")


def yaml_dump(d):
    out = []
    _yaml_mapping(d, 0, out)
    return "".join(out)


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------

class Writer:
    def __init__(self, root):
        self.root = root

    def path(self, rel):
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def bytes(self, rel, data):
        with open(self.path(rel), "wb") as f:
            f.write(data)

    def text(self, rel, text):
        self.bytes(rel, text.encode("utf-8"))

    def yaml(self, rel, d):
        self.text(rel, yaml_dump(d))

    def json(self, rel, obj, indent=2):
        self.text(rel, json.dumps(obj, indent=indent, sort_keys=True) + "\n")

    def dir(self, rel):
        (self.root / rel).mkdir(parents=True, exist_ok=True)


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------

def true_churn_logit(row):
    """The true (hidden) churn process; identical in both periods (no concept drift)."""
    z = -1.45
    z += -0.055 * (row["tenure_months"] - 20)
    z += 0.42 * (row["support_calls"] - 1.1)
    z += 0.022 * (row["monthly_charges"] - 60.0)
    z += {"basic": 0.45, "standard": 0.0, "premium": -0.40}[row["plan"]]
    z += 0.55 if row["payment_method"] == "electronic_check" else 0.0
    z += -0.35 if row["has_partner"] else 0.0
    z += -0.012 * (row["age"] - 44)
    return z


def make_customers(rng, ids, process):
    rows = []
    base = SHARED_PROCESS["monthly_charges_base_by_plan"]
    for cid in ids:
        age = int(round(rng.gauss(44.0, 14.0)))
        age = max(18, min(85, age))
        tenure = min(72, 1 + int(rng.expovariate(1.0 / 24.0)))
        region = choice(rng, REGIONS, SHARED_PROCESS["region_probs"])
        payment = choice(rng, PAYMENTS, SHARED_PROCESS["payment_probs"])
        partner = rng.random() < SHARED_PROCESS["has_partner_prob"]
        plan = choice(rng, PLANS, process["plan_probs"])
        monthly_base = max(18.25, base[plan] + rng.gauss(0.0, SHARED_PROCESS["monthly_charges_noise_sd"]))
        monthly = round(monthly_base * process["price_multiplier"], 2)
        total = round(monthly * tenure * rng.uniform(0.96, 1.0), 2)
        calls = poisson(rng, process["support_calls_lambda"])
        row = {
            "customer_id": cid, "age": age, "tenure_months": tenure, "monthly_charges": monthly,
            "total_charges": total, "support_calls": calls, "plan": plan, "region": region,
            "payment_method": payment, "has_partner": partner,
        }
        row["churned"] = 1 if rng.random() < sigmoid(true_churn_logit(row)) else 0
        # missing values (same rates in both periods), applied after the label
        if rng.random() < SHARED_PROCESS["total_charges_missing_rate"]:
            row["total_charges"] = None
        if rng.random() < SHARED_PROCESS["payment_method_missing_rate"]:
            row["payment_method"] = None
        rows.append(row)
    return rows


def customers_csv(rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        w.writerow([
            r["customer_id"], r["age"], r["tenure_months"], "%.2f" % r["monthly_charges"],
            "" if r["total_charges"] is None else "%.2f" % r["total_charges"],
            r["support_calls"], r["plan"], r["region"],
            "" if r["payment_method"] is None else r["payment_method"],
            "true" if r["has_partner"] else "false", r["churned"],
        ])
    return buf.getvalue()


AGE_GROUPS = ["18-29", "30-44", "45-59", "60+"]
FAIRNESS_PROCESS = {
    "sex_probs": {"female": 0.51, "male": 0.49},
    "age_group_probs": {"18-29": 0.22, "30-44": 0.31, "45-59": 0.27, "60+": 0.20},
    "base_rate": {"18-29": 0.26, "30-44": 0.24, "45-59": 0.25, "60+": 0.29},
    "positive_logit_mean": {"18-29": 1.10, "30-44": 1.10, "45-59": 1.10, "60+": 0.45},
    "negative_logit_mean": -1.50,
    "logit_sd": 1.10,
}


def make_predictions(rng, ids):
    fp = FAIRNESS_PROCESS
    rows = []
    for cid in ids:
        sex = choice(rng, ["female", "male"], [fp["sex_probs"]["female"], fp["sex_probs"]["male"]])
        group = choice(rng, AGE_GROUPS, [fp["age_group_probs"][g] for g in AGE_GROUPS])
        label = 1 if rng.random() < fp["base_rate"][group] else 0
        mu = fp["positive_logit_mean"][group] if label else fp["negative_logit_mean"]
        score = round(sigmoid(rng.gauss(mu, fp["logit_sd"])), 4)
        rows.append({"customer_id": cid, "sex": sex, "age_group": group, "label": label,
                     "score": score, "prediction": 1 if score >= 0.5 else 0})
    return rows


def predictions_csv(rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["customer_id", "sex", "age_group", "label", "score", "prediction"])
    for r in rows:
        w.writerow([r["customer_id"], r["sex"], r["age_group"], r["label"], "%.4f" % r["score"],
                    r["prediction"]])
    return buf.getvalue()


# --------------------------------------------------------------------------
# statistics (for the ground truth)
# --------------------------------------------------------------------------

def mean(xs):
    return sum(xs) / len(xs)


def std(xs):
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def ks_statistic(a, b):
    a, b = sorted(a), sorted(b)
    i = j = 0
    d = 0.0
    while i < len(a) and j < len(b):
        x = min(a[i], b[j])
        while i < len(a) and a[i] == x:
            i += 1
        while j < len(b) and b[j] == x:
            j += 1
        d = max(d, abs(i / len(a) - j / len(b)))
    return d


def ks_p_value(d, n, m):
    """Asymptotic two-sample Kolmogorov-Smirnov p-value (Numerical Recipes' probks)."""
    en = math.sqrt(n * m / (n + m))
    lam = (en + 0.12 + 0.11 / en) * d
    total, sign = 0.0, 1.0
    for j in range(1, 101):
        term = sign * 2.0 * math.exp(-2.0 * j * j * lam * lam)
        total += term
        if abs(term) < 1e-12:
            break
        sign = -sign
    return min(1.0, max(0.0, total))


def chi2_sf(x, dof):
    """P(X > x) for a chi-square with dof degrees of freedom (regularised upper gamma)."""
    a, x = dof / 2.0, x / 2.0
    if x <= 0:
        return 1.0
    gln = math.lgamma(a)
    if x < a + 1.0:                       # series for P(a, x)
        ap, term, total = a, 1.0 / a, 1.0 / a
        for _ in range(1000):
            ap += 1.0
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return 1.0 - total * math.exp(-x + a * math.log(x) - gln)
    b = x + 1.0 - a                       # continued fraction for Q(a, x)
    c, d = 1.0 / 1e-300, 1.0 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return math.exp(-x + a * math.log(x) - gln) * h


def chi2_two_sample(a, b, categories):
    """Chi-square test of homogeneity for two samples of categories (missing excluded)."""
    ca = [sum(1 for v in a if v == c) for c in categories]
    cb = [sum(1 for v in b if v == c) for c in categories]
    na, nb = sum(ca), sum(cb)
    stat = 0.0
    for x, y in zip(ca, cb):
        tot = x + y
        ea, eb = tot * na / (na + nb), tot * nb / (na + nb)
        stat += (x - ea) ** 2 / ea + (y - eb) ** 2 / eb
    dof = len(categories) - 1
    return stat, dof, chi2_sf(stat, dof)


def frequencies(values, categories):
    present = [v for v in values if v is not None]
    return {c: r6(sum(1 for v in present if v == c) / len(present)) for c in categories}


def auc_score(y, p):
    order = sorted(range(len(p)), key=lambda i: p[i])
    ranks = [0.0] * len(p)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and p[order[j + 1]] == p[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0 + 1.0
        i = j + 1
    n_pos = sum(y)
    n_neg = len(y) - n_pos
    rank_sum = sum(r for r, t in zip(ranks, y) if t == 1)
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def log_loss(y, p):
    eps = 1e-7
    return -mean([t * math.log(max(eps, q)) + (1 - t) * math.log(max(eps, 1 - q)) for t, q in zip(y, p)])


# --------------------------------------------------------------------------
# the model: L2 logistic regression (C=1 on standardised features, like
# StandardScaler + sklearn LogisticRegression), fitted with Newton's method
# --------------------------------------------------------------------------

def encode(rows, total_median):
    X = []
    for r in rows:
        total = r["total_charges"] if r["total_charges"] is not None else total_median
        x = [float(r["age"]), float(r["tenure_months"]), r["monthly_charges"], total,
             float(r["support_calls"]), 1.0 if r["has_partner"] else 0.0]
        x += [1.0 if r["plan"] == p else 0.0 for p in PLANS]
        x += [1.0 if r["region"] == g else 0.0 for g in REGIONS]
        x += [1.0 if r["payment_method"] == p else 0.0 for p in PAYMENTS]
        X.append(x)
    return X


def solve(A, b):
    n = len(b)
    M = [row[:] + [b[i]] for i, row in enumerate(A)]
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(M[r][c]))
        M[c], M[piv] = M[piv], M[c]
        for r in range(c + 1, n):
            f = M[r][c] / M[c][c]
            if f:
                for k in range(c, n + 1):
                    M[r][k] -= f * M[c][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (M[r][n] - sum(M[r][k] * x[k] for k in range(r + 1, n))) / M[r][r]
    return x


def fit_logreg(X, y, C=1.0, iters=25):
    d = len(X[0])
    mu = [mean([x[j] for x in X]) for j in range(d)]
    sd = [math.sqrt(mean([(x[j] - mu[j]) ** 2 for x in X])) or 1.0 for j in range(d)]
    Z = [[1.0] + [(x[j] - mu[j]) / sd[j] for j in range(d)] for x in X]
    w = [0.0] * (d + 1)
    lam = 1.0 / C
    for _ in range(iters):
        g = [0.0] * (d + 1)
        H = [[0.0] * (d + 1) for _ in range(d + 1)]
        for z, t in zip(Z, y):
            p = sigmoid(sum(a * b for a, b in zip(w, z)))
            r = p - t
            s = p * (1.0 - p)
            for a in range(d + 1):
                g[a] += r * z[a]
                sza = s * z[a]
                Ha = H[a]
                for b in range(a, d + 1):
                    Ha[b] += sza * z[b]
        for a in range(d + 1):
            for b in range(a):
                H[a][b] = H[b][a]
        for a in range(1, d + 1):          # no penalty on the intercept
            g[a] += lam * w[a]
            H[a][a] += lam
        step = solve(H, g)
        w = [wi - si for wi, si in zip(w, step)]
        if max(abs(s) for s in step) < 1e-10:
            break
    # back to the raw (unscaled) feature space
    coef = [w[j + 1] / sd[j] for j in range(d)]
    intercept = w[0] - sum(w[j + 1] * mu[j] / sd[j] for j in range(d))
    return coef, intercept


def predict_proba(X, coef, intercept):
    return [sigmoid(intercept + sum(c * v for c, v in zip(coef, x))) for x in X]


def safetensors_bytes(tensors, metadata):
    """tensors: list of (name, shape, flat float list) -> safetensors file bytes (F32)."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, shape, values in tensors:
        blob = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)
    return struct.pack("<Q", len(hjson)) + hjson + b"".join(blobs)


# --------------------------------------------------------------------------
# training curves for the sweep
# --------------------------------------------------------------------------

def learning_curve(rng, n, start, final, tau, noise, bump=0.0, bump_from=None, clip=None):
    """start -> final with exponential approach, optional late overfitting bump,
    Gaussian noise, and the last value pinned to `final`."""
    raw = []
    for t in range(n):
        v = math.exp(-t / tau)
        v = final + (start - final) * v
        if bump and t > bump_from:
            v += bump * (t - bump_from) / (n - 1 - bump_from)
        raw.append(v + rng.gauss(0.0, noise))
    # pin the last point to exactly `final` with a linear ramp (no visible kink)
    delta = final - raw[-1]
    out = [raw[t] + delta * t / (n - 1) for t in range(n)]
    out[0] = start + rng.gauss(0.0, noise / 2)
    out[-1] = final
    if clip:
        out = [min(clip[1], max(clip[0], v)) for v in out]
    return out


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def parse_args(argv):
    out = DEFAULT_OUT
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--out" and i + 1 < len(argv):
            out = Path(argv[i + 1])
            i += 2
        elif a.startswith("--out="):
            out = Path(a.split("=", 1)[1])
            i += 1
        elif a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        else:
            sys.exit("usage: make_demo.py [--out DIR]")
    return out.resolve()


def prepare_out(out):
    if out.exists():
        if not out.is_dir():
            sys.exit("refusing to replace %s: not a directory" % out)
        if any(out.iterdir()) and not (out / "MANIFEST.json").is_file():
            sys.exit("refusing to delete %s: it is not empty and has no MANIFEST.json "
                     "(not a demo folder written by this script)" % out)
        shutil.rmtree(out)
    out.mkdir(parents=True)


def main():
    out = parse_args(sys.argv[1:])
    prepare_out(out)
    w = Writer(out)

    t0 = epoch_ms(*T0_CIVIL)
    ids_rng = random.Random(SEED)              # ids of experiments, runs, models
    time_rng = random.Random(SEED + 1)         # timestamp jitter
    data_rng = random.Random(SEED + 2)         # the customer tables
    pred_rng = random.Random(SEED + 3)         # predictions.csv
    curve_rng = random.Random(SEED + 4)        # training curves
    split_rng = random.Random(SEED + 5)        # train/validation split

    # ---------------- data ----------------
    all_ids = data_rng.sample(range(100000, 1000000), N_REFERENCE + N_CURRENT + N_PREDICTIONS)
    all_ids = ["C%06d" % i for i in all_ids]
    ref_rows = make_customers(data_rng, all_ids[:N_REFERENCE], REFERENCE_PROCESS)
    cur_rows = make_customers(data_rng, all_ids[N_REFERENCE:N_REFERENCE + N_CURRENT], CURRENT_PROCESS)
    pred_rows = make_predictions(pred_rng, all_ids[N_REFERENCE + N_CURRENT:])

    ref_csv = customers_csv(ref_rows)
    cur_csv = customers_csv(cur_rows)
    pred_csv = predictions_csv(pred_rows)
    w.text("data/reference.csv", ref_csv)
    w.text("data/current.csv", cur_csv)
    w.text("data/predictions.csv", pred_csv)

    # ---------------- model ----------------
    idx = list(range(N_REFERENCE))
    split_rng.shuffle(idx)
    n_val = int(N_REFERENCE * VAL_FRACTION)
    val_idx, train_idx = sorted(idx[:n_val]), sorted(idx[n_val:])
    train_rows = [ref_rows[i] for i in train_idx]
    val_rows = [ref_rows[i] for i in val_idx]
    total_median = median([r["total_charges"] for r in train_rows if r["total_charges"] is not None])
    total_median = f32(total_median)
    Xtr, Xva = encode(train_rows, total_median), encode(val_rows, total_median)
    ytr, yva = [r["churned"] for r in train_rows], [r["churned"] for r in val_rows]
    coef, intercept = fit_logreg(Xtr, ytr)
    coef = [f32(c) for c in coef]          # the metrics below use the stored f32 weights
    intercept = f32(intercept)
    p_tr, p_va = predict_proba(Xtr, coef, intercept), predict_proba(Xva, coef, intercept)
    pred_va = [1 if p >= 0.5 else 0 for p in p_va]
    model_metrics = {
        "train/loss": r6(log_loss(ytr, p_tr)),
        "val/loss": r6(log_loss(yva, p_va)),
        "val/auc": r6(auc_score(yva, p_va)),
        "val/accuracy": r6(sum(1 for a, b in zip(pred_va, yva) if a == b) / len(yva)),
    }
    confusion = [[0, 0], [0, 0]]
    for t, p in zip(yva, pred_va):
        confusion[t][p] += 1
    performance = {}      # how the champion does on each whole file (the drift story)
    for name, rows in (("data/reference.csv", ref_rows), ("data/current.csv", cur_rows)):
        y = [r["churned"] for r in rows]
        p = predict_proba(encode(rows, total_median), coef, intercept)
        performance[name] = {
            "rows": len(rows), "churn_rate": r6(mean(y)), "mean_score": r6(mean(p)),
            "accuracy": r6(sum(1 for t, q in zip(y, p) if (q >= 0.5) == (t == 1)) / len(y)),
            "auc": r6(auc_score(y, p)), "log_loss": r6(log_loss(y, p)),
        }

    st_metadata = {
        "format": "np",
        "model": "LogisticRegression",
        "feature_names": ",".join(FEATURES),
        "target": "churned",
        "threshold": "0.5",
        "input": "raw features: one-hot plan/region/payment_method (all-zero when missing), "
                 "has_partner as 0/1, missing total_charges imputed with the training median",
        "impute_total_charges": repr(total_median),
        "trained_on": "data/reference.csv",
        "train_rows": str(len(train_rows)),
        "regularization": "l2, C=1.0 on standardised features",
    }
    st_bytes = safetensors_bytes(
        [("coef", [1, len(FEATURES)], coef), ("intercept", [1], [intercept])], st_metadata)
    w.bytes("models/churn_model.safetensors", st_bytes)

    # ---------------- MLflow file store ----------------
    exp_id = str(ids_rng.randrange(10 ** 17, 10 ** 18))
    dataset_digest = hashlib.sha256(ref_csv.encode("utf-8")).hexdigest()[:8]
    dataset_name = "reference"
    dataset_id = hashlib.md5(dataset_name.encode() + dataset_digest.encode()).hexdigest()

    n_features = len(FEATURES)
    common_params = {"data/train_rows": str(len(train_rows)), "data/n_features": str(n_features)}
    A, L, Lt, ACC = (model_metrics["val/auc"], model_metrics["val/loss"],
                     model_metrics["train/loss"], model_metrics["val/accuracy"])
    base_acc = r6(1 - sum(yva) / len(yva))      # accuracy of "never churns"
    # The sweep, in the order it ran. Targets are offsets from the real fit.
    sweep = [
        dict(name="calm-otter-14", model="logreg", learning_rate=0.02, max_iter=40, seed=11,
             d_auc=-0.011, d_loss=0.028, d_tl=0.030, d_acc=-0.010, tau=14.0, step_ms=(70, 95)),
        dict(name="lucky-panda-28", model="logreg", learning_rate=0.1, max_iter=50, seed=12,
             d_auc=0.0, d_loss=0.0, d_tl=0.0, d_acc=0.0, tau=5.0, step_ms=(70, 95), log_model=True),
        dict(name="brave-lynx-52", model="gbm", max_depth=3, learning_rate=0.1, n_estimators=60, seed=13,
             d_auc=-0.006, d_loss=0.009, d_tl=-0.045, d_acc=-0.005, tau=10.0, step_ms=(180, 260)),
        dict(name="swift-falcon-33", model="gbm", max_depth=4, learning_rate=0.3, n_estimators=45, seed=14,
             d_auc=-0.012, d_loss=0.020, d_tl=-0.080, d_acc=-0.012, tau=4.0, step_ms=(220, 320),
             fail_at=17, note="Worker was OOM-killed at step 17 (gbm, max_depth=4). "
                              "Re-run on the big box if still needed."),
        dict(name="quiet-heron-7", model="gbm", max_depth=6, learning_rate=0.1, n_estimators=60, seed=15,
             d_auc=-0.019, d_loss=0.052, d_tl=-0.170, d_acc=-0.017, tau=7.0, step_ms=(350, 480),
             overfit=True),
        dict(name="amber-koala-91", model="gbm", max_depth=2, learning_rate=0.05, n_estimators=50, seed=16,
             d_auc=-0.021, d_loss=0.035, d_tl=0.025, d_acc=-0.013, tau=22.0, step_ms=(120, 170)),
    ]

    exp_dir = "mlruns/" + exp_id
    exp_created = t0 - 2417
    runs_manifest = []
    model_info = None
    clock = t0
    for spec in sweep:
        run_id = uuid4_hex(ids_rng)
        run_dir = exp_dir + "/" + run_id
        n_total = spec.get("max_iter") or spec["n_estimators"]
        n_logged = spec.get("fail_at", n_total)
        start = clock
        # params, in MLflow's string form
        if spec["model"] == "logreg":
            params = {"model": "logreg", "learning_rate": str(spec["learning_rate"]),
                      "max_iter": str(spec["max_iter"]), "C": "1.0", "penalty": "l2"}
        else:
            params = {"model": "gbm", "max_depth": str(spec["max_depth"]),
                      "learning_rate": str(spec["learning_rate"]),
                      "n_estimators": str(spec["n_estimators"])}
        params["seed"] = str(spec["seed"])
        params.update(common_params)
        tags = {"mlflow.runName": spec["name"], "mlflow.user": USER, "mlflow.source.name": "train.py",
                "mlflow.source.type": "LOCAL", "team": "growth"}
        if "note" in spec:
            tags["mlflow.note.content"] = spec["note"]
        if spec.get("log_model"):
            tags["mlflow.note.content"] = ("Best val/auc of the sweep. Registered as "
                                           "churn-classifier v1 (alias champion).")

        # curves: the full planned length; a failed run only logs its prefix
        fa, fl, ftl, facc = A + spec["d_auc"], L + spec["d_loss"], Lt + spec["d_tl"], ACC + spec["d_acc"]
        tau = spec["tau"]
        if spec.get("overfit"):
            vloss = learning_curve(curve_rng, n_total, 0.56, fl, tau, 0.004, bump=0.06, bump_from=22)
            vauc = learning_curve(curve_rng, n_total, 0.70, fa, tau, 0.0025, bump=-0.012, bump_from=22)
        else:
            vloss = learning_curve(curve_rng, n_total, 0.56, fl, tau, 0.003)
            vauc = learning_curve(curve_rng, n_total, 0.68, fa, tau, 0.0025, clip=(0.5, 0.999))
        tloss = learning_curve(curve_rng, n_total, 0.57, ftl, tau * 1.1, 0.0025)
        vacc = learning_curve(curve_rng, n_total, base_acc, facc, tau, 0.004, clip=(0.0, 1.0))
        vacc = [round(round(v * n_val) / n_val, 6) for v in vacc]   # a real count over the val set
        curves = {"train/loss": [r6(v) for v in tloss], "val/loss": [r6(v) for v in vloss],
                  "val/auc": [r6(v) for v in vauc], "val/accuracy": vacc}
        if spec.get("log_model"):
            for k in curves:
                curves[k][-1] = model_metrics[k]

        # timestamps: data loading, then one log_metrics() batch per step
        ts = []
        t = start + time_rng.randint(1400, 2600)
        for _ in range(n_logged):
            t += time_rng.randint(*spec["step_ms"])
            ts.append(t)
        lines = {k: ["%d %r %d" % (ts[s], curves[k][s], s) for s in range(n_logged)] for k in curves}
        end = ts[-1] + time_rng.randint(40, 90)

        model_id = None
        if spec.get("log_model"):
            model_id = "m-" + uuid4_hex(ids_rng)
            m_created = ts[-1] + time_rng.randint(250, 400)
            m_ready = m_created + time_rng.randint(3200, 4200)
            end = m_ready + time_rng.randint(50, 90)
            # log_model() re-logs the run's step-0 metrics (MLflow 3 behaviour)
            for k in lines:
                lines[k].append(lines[k][0])
            model_info = dict(model_id=model_id, run_id=run_id, run_name=spec["name"],
                              created=m_created, ready=m_ready, params=dict(params),
                              step0={k: (ts[0], curves[k][0]) for k in curves})
        if spec.get("fail_at"):
            end = ts[-1] + time_rng.randint(900, 1600)   # the crash
        status = 4 if spec.get("fail_at") else 3

        w.yaml(run_dir + "/meta.yaml", {
            "artifact_uri": STORE_URI + "/" + exp_id + "/" + run_id + "/artifacts",
            "end_time": end, "entry_point_name": "", "experiment_id": exp_id,
            "lifecycle_stage": "active", "run_id": run_id, "run_name": spec["name"],
            "source_name": "", "source_type": 4, "source_version": "", "start_time": start,
            "status": status, "tags": [], "user_id": USER,
        })
        for k, v in params.items():
            w.text(run_dir + "/params/" + k, v)
        for k, v in tags.items():
            w.text(run_dir + "/tags/" + k, v)
        for k, ls in lines.items():
            w.text(run_dir + "/metrics/" + k, "".join(l + "\n" for l in ls))
        input_id = hashlib.md5(dataset_id.encode() + run_id.encode()).hexdigest()
        w.yaml(run_dir + "/inputs/" + input_id + "/meta.yaml", {
            "destination_id": dataset_id, "destination_type": "RUN", "source_id": dataset_id,
            "source_type": "DATASET", "tags": {"mlflow.data.context": "training"},
        })
        artifact_files = []
        w.dir(run_dir + "/artifacts")
        if model_id:
            w.yaml(run_dir + "/outputs/" + model_id + "/meta.yaml", {
                "destination_id": model_id, "destination_type": "MODEL_OUTPUT", "source_id": model_id,
                "source_type": "RUN_OUTPUT", "step": 0, "tags": {},
            })
            w.text(run_dir + "/artifacts/features.txt", "\n".join(FEATURES) + "\n")
            w.text(run_dir + "/artifacts/eval/confusion_matrix.json",
                   json.dumps({"labels": [0, 1], "matrix": confusion}))
            artifact_files = [run_dir + "/artifacts/eval/confusion_matrix.json",
                              run_dir + "/artifacts/features.txt"]

        metrics_summary, final_metrics = {}, {}
        for k in curves:
            final_metrics[k] = curves[k][n_logged - 1]
            metrics_summary[k] = {"final": curves[k][n_logged - 1], "final_step": n_logged - 1,
                                  "min_step": 0, "max_step": n_logged - 1, "num_steps": n_logged,
                                  "num_values": len(lines[k]),
                                  "min_value": min(curves[k][:n_logged]),
                                  "max_value": max(curves[k][:n_logged])}
        user_tags = {k: v for k, v in tags.items() if not k.startswith("mlflow.")}
        system_tags = {k: v for k, v in tags.items() if k.startswith("mlflow.")}
        runs_manifest.append({
            "run_id": run_id, "run_name": spec["name"], "experiment_id": exp_id,
            "experiment_name": "churn-demo",
            "status": "FAILED" if status == 4 else "FINISHED", "status_code": status,
            "lifecycle_stage": "active", "start_time": start, "end_time": end,
            "planned_steps": n_total, "params": params, "tags": user_tags, "system_tags": system_tags,
            "final_metrics": final_metrics, "metrics": metrics_summary,
            "dataset_inputs": [{"name": dataset_name, "digest": dataset_digest, "dataset_id": dataset_id,
                                "input_id": input_id, "context": "training"}],
            "logged_model_ids": [model_id] if model_id else [],
            "artifact_uri": STORE_URI + "/" + exp_id + "/" + run_id + "/artifacts",
            "artifact_files": artifact_files, "run_dir": run_dir,
        })
        clock = end + time_rng.randint(3000, 9000)

    # experiments
    w.yaml("mlruns/0/meta.yaml", {
        "artifact_location": STORE_URI + "/0", "creation_time": exp_created - 7,
        "effective_trace_archival_retention": None, "experiment_id": "0",
        "last_update_time": exp_created - 7, "lifecycle_stage": "active", "name": "Default",
        "trace_location": None, "workspace": "default",
    })
    w.yaml(exp_dir + "/meta.yaml", {
        "artifact_location": STORE_URI + "/" + exp_id, "creation_time": exp_created,
        "effective_trace_archival_retention": None, "experiment_id": exp_id,
        "last_update_time": exp_created, "lifecycle_stage": "active", "name": "churn-demo",
        "trace_location": None, "workspace": "default",
    })
    exp_tags = {"mlflow.note.content": "Weekly churn model for the growth team: "
                                       "gbm vs logistic regression on data/reference.csv.",
                "team": "growth", "project": "churn"}
    for k, v in exp_tags.items():
        w.text(exp_dir + "/tags/" + k, v)
    w.dir("mlruns/.trash")

    # the dataset
    def colspec(name, typ, required=True):
        return {"type": typ, "name": name, "required": required}
    schema_cols = [
        colspec("customer_id", "string"), colspec("age", "long"), colspec("tenure_months", "long"),
        colspec("monthly_charges", "double"),
        colspec("total_charges", "double"), colspec("support_calls", "long"),
        colspec("plan", "string"), colspec("region", "string"), colspec("payment_method", "string"),
        colspec("has_partner", "boolean"), colspec("churned", "long"),
    ]
    for c in schema_cols:     # MLflow marks columns with missing values as not required
        c["required"] = not any(r[c["name"]] is None for r in ref_rows)
    w.yaml(exp_dir + "/datasets/" + dataset_id + "/meta.yaml", {
        "digest": dataset_digest, "name": dataset_name,
        "profile": json.dumps({"num_rows": N_REFERENCE, "num_elements": N_REFERENCE * len(CSV_COLUMNS)}),
        "schema": json.dumps({"mlflow_colspec": schema_cols}),
        "source": json.dumps({"uri": PROJECT_ROOT + "/data/reference.csv"}),
        "source_type": "local",
    })

    # the logged model
    mi = model_info
    mdir = exp_dir + "/models/" + mi["model_id"]
    m_art_uri = STORE_URI + "/" + exp_id + "/models/" + mi["model_id"] + "/artifacts"
    feature_cols = [c for c in schema_cols if c["name"] not in ("customer_id", "churned")]
    example_rows = [r for r in ref_rows if r["total_charges"] is not None and r["payment_method"]][:3]
    example_cols = [c["name"] for c in feature_cols]
    example_data = [[r[c] if c != "has_partner" else bool(r[c]) for c in example_cols] for r in example_rows]
    input_example = json.dumps({"columns": example_cols, "data": example_data})
    serving_example = json.dumps({"dataframe_split": {"columns": example_cols, "data": example_data}},
                                 indent=2)
    loader_py = LOADER_TEMPLATE
    art = mdir + "/artifacts"
    w.bytes(art + "/model.safetensors", st_bytes)
    w.text(art + "/code/churn_logreg.py", loader_py)
    w.text(art + "/input_example.json", input_example)
    w.text(art + "/serving_input_example.json", serving_example)
    size = sum(len(b) for b in (st_bytes, loader_py.encode(), input_example.encode(),
                                 serving_example.encode()))
    w.yaml(art + "/MLmodel", {
        "artifact_path": m_art_uri,
        "flavors": {
            "python_function": {
                "code": "code",
                "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"},
                "loader_module": MODEL_FLAVOR,
                "model_path": "model.safetensors",
                "predict_fn": "predict",
                "python_version": PYTHON_VERSION,
            },
            MODEL_FLAVOR: {
                "code": "code",
                "feature_names": list(FEATURES),
                "safetensors_version": "0.8.0",
                "serialization_format": "safetensors",
                "threshold": 0.5,
                "weights": "model.safetensors",
            },
        },
        "is_signature_from_type_hint": False,
        "mlflow_version": MLFLOW_VERSION,
        "model_id": mi["model_id"],
        "model_size_bytes": size,
        "model_uuid": mi["model_id"],
        "prompts": None,
        "run_id": mi["run_id"],
        "saved_input_example_info": {"artifact_path": "input_example.json", "pandas_orient": "split",
                                     "serving_input_path": "serving_input_example.json",
                                     "type": "dataframe"},
        "signature": {
            "inputs": json.dumps(feature_cols),
            "outputs": json.dumps([{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}]),
            "params": None,
        },
        "type_hint_from_example": False,
        "utc_time_created": utc_string(mi["created"] + 9, 417),
    })
    w.text(art + "/conda.yaml", CONDA_YAML)
    w.text(art + "/python_env.yaml", PYTHON_ENV_YAML)
    w.text(art + "/requirements.txt", REQUIREMENTS_TXT)
    w.yaml(mdir + "/meta.yaml", {
        "artifact_location": m_art_uri, "creation_timestamp": mi["created"], "experiment_id": exp_id,
        "last_updated_timestamp": mi["ready"], "model_id": mi["model_id"], "model_type": None,
        "name": "model", "source_run_id": mi["run_id"], "status": 2, "status_message": None,
    })
    for k, v in mi["params"].items():
        w.text(mdir + "/params/" + k, v)
    for k, (t, v) in mi["step0"].items():
        w.text(mdir + "/metrics/" + k, "%d %r 0 %s\n" % (t, v, mi["run_id"]))
    model_tags = {"mlflow.modelVersions": json.dumps([{"name": REGISTERED_MODEL, "version": 1}]),
                  "mlflow.source.name": "train.py", "mlflow.source.type": "LOCAL", "mlflow.user": USER}
    for k, v in model_tags.items():
        w.text(mdir + "/tags/" + k, v)

    # the registry (root-level mlruns/models/)
    reg_created = max(r["end_time"] for r in runs_manifest) + time_rng.randint(1500, 2500)
    reg_dir = "mlruns/models/" + REGISTERED_MODEL
    reg_description = "Churn classifier for the growth team (logistic regression, data/reference.csv)."
    w.yaml(reg_dir + "/meta.yaml", {
        "aliases": {"champion": "1"}, "creation_timestamp": reg_created, "deployment_job_id": None,
        "deployment_job_state": None, "description": reg_description,
        "last_updated_timestamp": reg_created + 31, "name": REGISTERED_MODEL, "workspace": "default",
    })
    w.text(reg_dir + "/aliases/champion", "1")
    w.text(reg_dir + "/tags/owner", "growth")
    w.text(reg_dir + "/tags/task", "binary-classification")
    w.yaml(reg_dir + "/version-1/meta.yaml", {
        "creation_timestamp": reg_created + 2, "current_stage": "None", "deployment_job_state": None,
        "description": None, "last_updated_timestamp": reg_created + 2, "model_id": mi["model_id"],
        "name": REGISTERED_MODEL, "run_id": mi["run_id"], "run_link": None,
        "source": "models:/" + mi["model_id"], "status": "READY", "status_message": None,
        "storage_location": m_art_uri, "user_id": None, "version": 1, "workspace": "default",
    })
    w.text(reg_dir + "/version-1/tags/validation_status", "approved")

    # ---------------- ground truth ----------------
    manifest = build_manifest(
        exp_id=exp_id, exp_created=exp_created, exp_tags=exp_tags, runs=runs_manifest, mi=mi,
        mdir=mdir, m_art_uri=m_art_uri, model_tags=model_tags, size=size,
        dataset=dict(id=dataset_id, name=dataset_name, digest=dataset_digest, schema=schema_cols),
        ref_rows=ref_rows, cur_rows=cur_rows, pred_rows=pred_rows,
        csv_bytes={"data/reference.csv": ref_csv, "data/current.csv": cur_csv,
                   "data/predictions.csv": pred_csv},
        st_bytes=st_bytes, st_metadata=st_metadata, coef=coef, intercept=intercept,
        total_median=total_median, model_metrics=model_metrics, confusion=confusion,
        performance=performance,
        n_train=len(train_rows), n_val=len(val_rows), reg_created=reg_created,
        reg_description=reg_description, t0=t0)
    w.json("MANIFEST.json", manifest)
    w.text("driftdeck.toml", POLICY_TOML)
    w.text("README.md", README_TEMPLATE.format(
        exp_id=exp_id, best_run=mi["run_name"], best_run_id=mi["run_id"], model_id=mi["model_id"],
        auc=model_metrics["val/auc"], date=iso_date(t0)))

    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print("wrote %s (%d files, %d bytes)" % (out, sum(1 for p in out.rglob("*") if p.is_file()), total))


def column_truth(ref_rows, cur_rows):
    numeric = ["age", "tenure_months", "monthly_charges", "total_charges", "support_calls"]
    categorical = {"plan": PLANS, "region": REGIONS, "payment_method": PAYMENTS,
                   "has_partner": [True, False], "churned": [0, 1]}
    truth = {
        "age": ("none", "same distribution in both periods: round(N(44, 14)) clipped to [18, 85]"),
        "tenure_months": ("none", "same distribution in both periods: min(72, 1 + floor(Exp(mean 24)))"),
        "monthly_charges": ("strong", "+15% price increase within every plan (x1.15); the marginal mean "
                                      "rises less (~+11%) because the plan mix moved toward cheaper basic"),
        "total_charges": ("mild", "derived: monthly_charges x tenure_months x U(0.96, 1.0), so it inherits "
                                  "the monthly_charges shift, diluted by tenure variance; ~1.5% missing "
                                  "in both periods (same rate)"),
        "support_calls": ("strong", "Poisson rate 1.10 -> 1.80 calls"),
        "plan": ("strong", "mix moved toward basic: basic/standard/premium 0.40/0.38/0.22 -> 0.52/0.32/0.16"),
        "region": ("none", "same distribution: north/south/east/west 0.28/0.24/0.26/0.22"),
        "payment_method": ("none", "same distribution: credit_card/bank_transfer/electronic_check/"
                                   "mailed_check 0.34/0.27/0.25/0.14; ~1% missing in both periods"),
        "has_partner": ("none", "same distribution: P(true) = 0.47"),
        "churned": ("label_shift", "the churn mechanism is unchanged (no concept drift), but the churn "
                                   "rate rises because the inputs drifted (more support calls, higher "
                                   "charges, more basic plans)"),
    }
    cols = {}
    for c in CSV_COLUMNS[1:]:
        severity, how = truth[c]
        rv = [r[c] for r in ref_rows]
        cv = [r[c] for r in cur_rows]
        entry = {"drifted": severity != "none", "severity": severity, "how": how,
                 "missing_reference": sum(1 for v in rv if v is None),
                 "missing_current": sum(1 for v in cv if v is None)}
        if c in numeric:
            rp = [float(v) for v in rv if v is not None]
            cp = [float(v) for v in cv if v is not None]
            entry["kind"] = "numeric"
            entry["reference"] = {"mean": r6(mean(rp)), "std": r6(std(rp)), "median": r6(median(rp)),
                                  "min": r6(min(rp)), "max": r6(max(rp))}
            entry["current"] = {"mean": r6(mean(cp)), "std": r6(std(cp)), "median": r6(median(cp)),
                                "min": r6(min(cp)), "max": r6(max(cp))}
            entry["mean_change_pct"] = round(100.0 * (mean(cp) - mean(rp)) / mean(rp), 2)
            d = ks_statistic(rp, cp)
            entry["test"] = {"name": "two-sample Kolmogorov-Smirnov (asymptotic p)",
                             "statistic": r6(d), "p_value": sig6(ks_p_value(d, len(rp), len(cp)))}
        else:
            cats = categorical[c]
            rf, cf = frequencies(rv, cats), frequencies(cv, cats)
            key = (lambda v: "true" if v is True else "false" if v is False else str(v))
            entry["kind"] = "categorical"
            entry["reference"] = {key(k): v for k, v in rf.items()}
            entry["current"] = {key(k): v for k, v in cf.items()}
            entry["total_variation_distance"] = r6(0.5 * sum(abs(rf[k] - cf[k]) for k in cats))
            stat, dof, pv = chi2_two_sample(rv, cv, cats)
            entry["test"] = {"name": "chi-square test of homogeneity", "statistic": r6(stat),
                             "dof": dof, "p_value": sig6(pv)}
        entry["flagged_at_0.05"] = entry["test"]["p_value"] < 0.05
        # the ground truth must be visible to a standard test, and only where it is real
        assert entry["flagged_at_0.05"] == entry["drifted"], (c, entry)
        cols[c] = entry
    cols["customer_id"] = {"drifted": False, "severity": "n/a", "kind": "identifier",
                           "how": "unique ids, disjoint between the files; not a feature"}
    return cols


def group_rates(rows, key):
    out = {}
    for g in sorted(set(r[key] for r in rows)):
        rs = [r for r in rows if r[key] == g]
        pos = [r for r in rs if r["label"] == 1]
        neg = [r for r in rs if r["label"] == 0]
        out[g] = {
            "n": len(rs),
            "base_rate": r6(len(pos) / len(rs)),
            "selection_rate": r6(sum(r["prediction"] for r in rs) / len(rs)),
            "true_positive_rate": r6(sum(r["prediction"] for r in pos) / len(pos)),
            "false_positive_rate": r6(sum(r["prediction"] for r in neg) / len(neg)),
            "accuracy": r6(sum(1 for r in rs if r["prediction"] == r["label"]) / len(rs)),
        }
    return out


def build_manifest(**k):
    runs = k["runs"]
    mi = k["mi"]
    exp_id = k["exp_id"]
    best = max((r for r in runs if r["status"] == "FINISHED"), key=lambda r: r["final_metrics"]["val/auc"])
    assert best["run_id"] == mi["run_id"], "the logged model must come from the best run"
    ref_rows, cur_rows, pred_rows = k["ref_rows"], k["cur_rows"], k["pred_rows"]

    def dataset_entry(rel, rows, role):
        return {
            "path": rel, "role": role, "rows": len(rows), "columns": list(CSV_COLUMNS),
            "dtypes": {"customer_id": "string", "age": "int", "tenure_months": "int",
                       "monthly_charges": "float", "total_charges": "float", "support_calls": "int",
                       "plan": "categorical", "region": "categorical", "payment_method": "categorical",
                       "has_partner": "bool", "churned": "int (0/1, target)"},
            "missing": {c: sum(1 for r in rows if r[c] is None) for c in CSV_COLUMNS},
            "churn_rate": r6(mean([r["churned"] for r in rows])),
            "sha256": hashlib.sha256(k["csv_bytes"][rel].encode()).hexdigest(),
            "bytes": len(k["csv_bytes"][rel].encode()),
        }

    age_rates = group_rates(pred_rows, "age_group")
    sex_rates = group_rates(pred_rows, "sex")
    tpr = {g: v["true_positive_rate"] for g, v in age_rates.items()}
    others = [v for g, v in tpr.items() if g != "60+"]

    st = k["st_bytes"]
    header_len = struct.unpack("<Q", st[:8])[0]
    manifest = {
        "generator": "python3 scripts/make_demo.py",
        "seed": SEED,
        "conventions": {
            "final_metric": "value at the maximum step; ties broken by the latest timestamp",
            "paths": "relative to assets/demo unless they are URIs",
            "absolute_paths": "MLflow stores absolute file: URIs of the machine it ran on (under %s); "
                              "resolve them relative to the store instead" % PROJECT_ROOT,
            "timestamps": "milliseconds since the Unix epoch (UTC); the sweep ran on %s" % iso_date(k["t0"]),
            "deterministic": "every byte follows from the seed: ids come from the seeded RNG and "
                             "timestamps are fixed, so regenerating gives identical files",
            "duplicate_metric_lines": "the run that logged a model has its step-0 metric lines written "
                                      "twice (MLflow 3's log_model re-logs them); deduplicate",
        },
        "mlflow": {
            "store": "mlruns",
            "layout": "MLflow %s FileStore" % MLFLOW_VERSION,
            "summary": {"num_experiments": 2, "num_runs": len(runs),
                        "runs_by_status": {"FAILED": sum(1 for r in runs if r["status"] == "FAILED"),
                                           "FINISHED": sum(1 for r in runs if r["status"] == "FINISHED")},
                        "num_logged_models": 1, "num_registered_models": 1, "num_model_versions": 1},
            "experiments": [
                {"experiment_id": "0", "name": "Default", "lifecycle_stage": "active",
                 "artifact_location": STORE_URI + "/0", "tags": {}, "num_runs": 0},
                {"experiment_id": exp_id, "name": "churn-demo", "lifecycle_stage": "active",
                 "artifact_location": STORE_URI + "/" + exp_id, "creation_time": k["exp_created"],
                 "tags": k["exp_tags"], "num_runs": len(runs)},
            ],
            "runs": runs,
            "best_run": {"run_id": best["run_id"], "run_name": best["run_name"], "by": "val/auc (max)"},
            "datasets": [{"dataset_id": k["dataset"]["id"], "experiment_id": exp_id,
                          "name": k["dataset"]["name"], "digest": k["dataset"]["digest"],
                          "digest_note": "first 8 hex of sha256(reference.csv); MLflow's own pandas "
                                         "digest is not reproduced",
                          "source": PROJECT_ROOT + "/data/reference.csv", "local_path": "data/reference.csv",
                          "num_rows": N_REFERENCE, "schema": k["dataset"]["schema"],
                          "meta_path": "mlruns/%s/datasets/%s/meta.yaml" % (exp_id, k["dataset"]["id"])}],
            "logged_models": [{
                "model_id": mi["model_id"], "name": "model", "source_run_id": mi["run_id"],
                "source_run_name": mi["run_name"], "status": "READY", "status_code": 2,
                "creation_timestamp": mi["created"], "last_updated_timestamp": mi["ready"],
                "model_dir": k["mdir"], "artifact_location": k["m_art_uri"],
                "flavors": ["python_function", MODEL_FLAVOR],
                "model_file": k["mdir"] + "/artifacts/model.safetensors",
                "model_size_bytes": k["size"],
                "params": mi["params"], "tags": k["model_tags"],
                "metrics": {m: v for m, (t, v) in mi["step0"].items()},
                "metrics_note": "as MLflow links them: the run's step-0 values, not the final ones",
            }],
            "registry": {
                "name": REGISTERED_MODEL, "path": "mlruns/models/" + REGISTERED_MODEL,
                "description": k["reg_description"], "creation_timestamp": k["reg_created"],
                "tags": {"owner": "growth", "task": "binary-classification"},
                "aliases": {"champion": 1},
                "versions": [{"version": 1, "model_id": mi["model_id"], "run_id": mi["run_id"],
                              "source": "models:/" + mi["model_id"], "status": "READY",
                              "storage_location": k["m_art_uri"],
                              "tags": {"validation_status": "approved"}}],
            },
        },
        "data": {
            "reference": dataset_entry("data/reference.csv", ref_rows, "training data (the reference window)"),
            "current": dataset_entry("data/current.csv", cur_rows, "this week's production data"),
            "drift": {
                "drifted_columns": ["monthly_charges", "plan", "support_calls", "total_charges", "churned"],
                "strong": ["monthly_charges", "plan", "support_calls"],
                "mild": ["total_charges"],
                "label_shift": ["churned"],
                "stable_columns": ["age", "tenure_months", "region", "payment_method", "has_partner"],
                "process": {"reference": REFERENCE_PROCESS, "current": CURRENT_PROCESS,
                            "shared": SHARED_PROCESS},
                "columns": column_truth(ref_rows, cur_rows),
                "notes": "tests ignore missing values; KS on integer columns is conservative because of "
                         "ties; total_variation_distance is half the L1 distance between category "
                         "frequencies. For n = 3000 vs 3000 the KS 5% critical D is about 0.035. "
                         "The generator asserts that a test at 5% flags exactly the drifted columns.",
            },
            "predictions": {
                "path": "data/predictions.csv", "rows": len(pred_rows),
                "columns": ["customer_id", "sex", "age_group", "label", "score", "prediction"],
                "prediction_rule": "prediction = 1 if score >= 0.5 else 0 (score has 4 decimals)",
                "sha256": hashlib.sha256(k["csv_bytes"]["data/predictions.csv"].encode()).hexdigest(),
                "overall": group_rates([dict(r, all="all") for r in pred_rows], "all")["all"],
                "by_age_group": age_rates,
                "by_sex": sex_rates,
                "disparity": {
                    "disadvantaged_group": {"attribute": "age_group", "group": "60+"},
                    "metric": "true_positive_rate (equal opportunity)",
                    "how": "churners aged 60+ get lower scores (positive-class logit mean 0.45 vs 1.10), "
                           "so fewer of them are caught; false positive rates are the same by design",
                    "tpr_60_plus": tpr["60+"],
                    "tpr_other_groups_min": min(others),
                    "tpr_other_groups_max": max(others),
                    "equal_opportunity_difference_max": r6(max(tpr.values()) - min(tpr.values())),
                    "no_disparity_by_design": "sex (same score process for female and male)",
                },
                "process": FAIRNESS_PROCESS,
            },
        },
        "model": {
            "path": "models/churn_model.safetensors",
            "also_at": k["mdir"] + "/artifacts/model.safetensors",
            "format": "safetensors",
            "sha256": hashlib.sha256(st).hexdigest(),
            "bytes": len(st),
            "header_bytes": header_len,
            "tensors": {"coef": {"dtype": "F32", "shape": [1, len(FEATURES)]},
                        "intercept": {"dtype": "F32", "shape": [1]}},
            "metadata": k["st_metadata"],
            "kind": "logistic regression: p = sigmoid(intercept + coef . x) on the raw encoded features",
            "feature_names": list(FEATURES),
            "coef": [r6(c) for c in k["coef"]],
            "intercept": r6(k["intercept"]),
            "impute_total_charges": k["total_median"],
            "training": {"data": "data/reference.csv", "train_rows": k["n_train"], "val_rows": k["n_val"],
                         "split": "seeded random 80/20", "C": 1.0, "penalty": "l2",
                         "standardised_during_fit": True},
            "validation_metrics": k["model_metrics"],
            "validation_confusion_matrix": {"labels": [0, 1], "matrix": k["confusion"]},
            "performance_by_file": k["performance"],
            "performance_note": "reference.csv includes the training rows. On current.csv accuracy "
                                "and log loss get worse (more churners, shifted inputs) while AUC "
                                "stays about the same: input drift, no concept drift",
            "mlflow_model_id": mi["model_id"],
            "registered_as": {"name": REGISTERED_MODEL, "version": 1, "alias": "champion"},
        },
    }
    return manifest


LOADER_TEMPLATE = '''"""pyfunc loader for the churn logistic regression stored as safetensors."""
import numpy as np
import pandas as pd
from safetensors.numpy import load_file

PLANS = ["basic", "standard", "premium"]
REGIONS = ["north", "south", "east", "west"]
PAYMENTS = ["credit_card", "bank_transfer", "electronic_check", "mailed_check"]


class ChurnLogReg:
    def __init__(self, path):
        from safetensors import safe_open

        with safe_open(path, framework="np") as f:
            self.meta = f.metadata()
        tensors = load_file(path)
        self.coef = tensors["coef"][0]
        self.intercept = float(tensors["intercept"][0])
        self.impute_total = float(self.meta["impute_total_charges"])

    def encode(self, df):
        cols = [
            df["age"], df["tenure_months"], df["monthly_charges"],
            df["total_charges"].fillna(self.impute_total), df["support_calls"],
            df["has_partner"].astype(float),
        ]
        cols += [(df["plan"] == p).astype(float) for p in PLANS]
        cols += [(df["region"] == r).astype(float) for r in REGIONS]
        cols += [(df["payment_method"] == p).astype(float) for p in PAYMENTS]
        return np.column_stack([np.asarray(c, dtype=np.float64) for c in cols])

    def predict(self, df, params=None):
        z = self.encode(pd.DataFrame(df)) @ self.coef + self.intercept
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


def _load_pyfunc(path):
    import os

    if os.path.isdir(path):
        path = os.path.join(path, "model.safetensors")
    return ChurnLogReg(path)
'''

CONDA_YAML = """channels:
- conda-forge
dependencies:
- python=3.11.7
- pip<=26.3
- pip:
  - mlflow==3.17.2
  - numpy==2.4.6
  - pandas==3.1.1
  - safetensors==0.8.0
name: mlflow-env
"""

PYTHON_ENV_YAML = """python: 3.11.7
build_dependencies:
- pip==26.3
- setuptools==65.5.0
- wheel
dependencies:
- -r requirements.txt
"""

REQUIREMENTS_TXT = "mlflow==3.17.2\nnumpy==2.4.6\npandas==3.1.1\nsafetensors==0.8.0"

# The approval policy `driftdeck checks`/`approve` read. This week's data drifted and the
# model misses older churners, so the demo's drift and fairness checks fail on purpose:
# approving it takes an override note.
POLICY_TOML = """# Driftdeck approval policy for the churn demo (see `driftdeck checks MODEL`).
[metrics]
"val/auc" = { min = 0.75 }
"val/loss" = { max = 0.6 }

[drift]
reference = "data/reference.csv"
current = "data/current.csv"
max_share = 0.25

[fairness]
data = "data/predictions.csv"
label = "label"
prediction = "prediction"
sensitive = ["sex", "age_group"]
max_difference = 0.1
min_ratio = 0.8

[registry]
experiment = "churn-demo"
"""

README_TEMPLATE = """# Driftdeck demo project: churn prediction

A small, realistic workspace of a growth team that predicts customer churn.
Everything here is synthetic and written by `scripts/make_demo.py`;
`MANIFEST.json` holds the ground truth (run ids, final metrics, which columns
drift and by how much, fairness rates, model weights).

| path | what |
| --- | --- |
| `mlruns/` | MLflow 3 file store. Experiment `0` (Default, empty) and `churn-demo` (id `{exp_id}`): a sweep of 6 runs (gbm vs logistic regression, 30-60 steps of `train/loss`, `val/loss`, `val/auc`, `val/accuracy`); one run FAILED part-way. The best run, `{best_run}` ({best_run_id}, val/auc {auc}), logged model `{model_id}`, registered as `churn-classifier` version 1 with alias `champion`. |
| `data/reference.csv` | training data, 3000 customers |
| `data/current.csv` | this week's production data, 3000 customers. Drifted: `monthly_charges` (+15% prices), `plan` (toward basic), `support_calls` (more calls), and as consequences `total_charges` (mild) and the churn rate. Stable: `age`, `tenure_months`, `region`, `payment_method`, `has_partner`. A few cells are empty in `total_charges` and `payment_method`. |
| `data/predictions.csv` | 4000 scored customers with `sex` and `age_group`; churners aged 60+ are caught less often (lower true positive rate). |
| `driftdeck.toml` | the approval policy: val/auc >= 0.75, val/loss <= 0.6, at most 25% of columns drifted, fairness limits 0.1 / 0.8 (drift and fairness fail on purpose) |
| `models/churn_model.safetensors` | the champion's weights: `coef` [1, 17] and `intercept` [1], F32; feature names in the header metadata. The same file is inside the MLflow logged model. |

The MLflow files use absolute `file://` URIs of the machine the team ran on
(`/home/demo/churn/...`), exactly as MLflow writes them; resolve paths
relative to `mlruns/`. The sweep ran on {date}.

Regenerate (deterministic, byte-identical):

    python3 scripts/make_demo.py            # from the repository root
    python3 scripts/make_demo.py --out DIR  # somewhere else

Empty directories MLflow creates (`mlruns/.trash/`, each run's `artifacts/`)
are written by the generator but are not kept by git.
"""


if __name__ == "__main__":
    main()
