"""What the scripts that write and read the drift pairs share: gen.py's column roles, how a float
is written to JSON, and how a benchmark's peer writes its result.

The pair has 10 numeric features, 6 categorical ones, the binary label and prediction, 2
sensitive attributes and a timestamp. Evidently and the scipy references treat the label, the
prediction and the sensitive attributes as categorical too (`CATEGORICAL`).
"""
import json
import math

NUMERIC = [
    "num_normal_a", "num_normal_b", "num_normal_c", "num_lognorm_a", "num_lognorm_b",
    "num_uniform_a", "num_uniform_b", "num_count_a", "num_count_b", "num_nulls",
]
CATEGORICAL_FEATURES = ["cat_low_a", "cat_low_b", "cat_mid", "cat_high_a", "cat_high_b", "cat_nulls"]
LABEL, PRED = "label", "prediction"
SENSITIVE = ["sex", "age_group"]
TIMESTAMP = "ts"
CATEGORICAL = CATEGORICAL_FEATURES + [LABEL, PRED] + SENSITIVE


def num(x):
    """A float for JSON: NaN and the infinities as the strings the Rust tests read back."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def phase_summary(phases):
    """`name 1.23, other 0.45`: a benchmark's phase timings in seconds, for its summary line."""
    return ", ".join(f"{k} {v:.2f}" for k, v in phases.items())


def write_result(path, result, summary):
    """Writes `result` (with its `phase_timings_s`) as JSON to `path`, then prints `summary` and
    the phase timings on one line."""
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    print(f"{summary}; {phase_summary(result['phase_timings_s'])}", flush=True)
