import numpy as np

from myotrain import metrics as M


def brute_auc(y, s):
    p, n = s[y][:, None], s[~y][None, :]
    return float(((p > n) + 0.5 * (p == n)).mean())


def test_auc_with_ties_matches_pairwise_count():
    rng = np.random.default_rng(0)
    y = rng.random(400) < 0.3
    s = np.round(y + rng.normal(0, 0.7, 400), 1)
    assert abs(M.auc(y, s) - brute_auc(y, s)) < 1e-12


def test_operating_point_reaches_target_sensitivity_with_best_specificity():
    rng = np.random.default_rng(1)
    y = rng.random(1000) < 0.25
    s = y * 2.0 + rng.normal(0, 1, 1000)
    op = M.operating_point(y, s, 0.995)
    sens, spec = M.sens_spec(y, s, op["threshold"])
    assert sens >= 0.995 and abs(sens - op["sensitivity"]) < 1e-12 and abs(spec - op["specificity"]) < 1e-12
    # no higher threshold keeps the sensitivity
    higher = np.sort(s[s >= op["threshold"]])
    if len(higher) > 1:
        assert M.sens_spec(y, s, higher[1])[0] < 0.995 or M.sens_spec(y, s, higher[1])[1] <= spec


def test_bootstrap_interval_brackets_the_estimate():
    rng = np.random.default_rng(2)
    y = rng.random(600) < 0.3
    s = y * 1.5 + rng.normal(0, 1, 600)
    summ = M.summary(y, s, 0.5, 300, 7)
    for k in ("auc", "sensitivity", "specificity"):
        lo, hi = summ[f"{k}_ci95"]
        assert lo <= summ[k] <= hi
    assert summ["tp"] + summ["fn"] == summ["n_pos"]


def test_clopper_pearson_known_values():
    lo, hi = M.clopper_pearson(199, 200)
    assert abs(lo - 0.97245) < 1e-4 and abs(hi - 0.99987) < 1e-4
    assert M.clopper_pearson(10, 10)[1] == 1.0
    lo, hi = M.clopper_pearson(5, 10)
    assert abs(lo - 0.18709) < 1e-4 and abs(hi - 0.81291) < 1e-4


def test_roc_curve_ends():
    y = np.array([0, 0, 1, 1], bool)
    fpr, tpr, thr = M.roc_curve(y, np.array([0.1, 0.4, 0.35, 0.8]))
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0, 0, 1, 1)
    assert abs(np.trapz(tpr, fpr) - 0.75) < 1e-12
