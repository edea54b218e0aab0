"""Screening metrics (numpy only): ROC, AUC, the operating point for a target sensitivity, bootstrap intervals."""

from __future__ import annotations

import math

import numpy as np


def auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve = P(score_pos > score_neg) + 0.5 P(tie) (Mann-Whitney, ties by mid-ranks)."""
    y = np.asarray(y).astype(bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    score = np.asarray(score, dtype=np.float64)
    s = np.sort(score)
    r = (np.searchsorted(s, score, "left") + np.searchsorted(s, score, "right") + 1) / 2  # mid-ranks for ties
    return float((r[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def roc_curve(y: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fpr, tpr, thresholds), thresholds descending; a case is positive when score >= threshold."""
    y = np.asarray(y).astype(bool)
    order = np.argsort(-np.asarray(score), kind="mergesort")
    s = np.asarray(score)[order]
    yy = y[order]
    distinct = np.r_[np.where(np.diff(s))[0], len(s) - 1]
    tps = np.cumsum(yy)[distinct]
    fps = (1 + distinct) - tps
    tpr = np.r_[0.0, tps / max(1, y.sum())]
    fpr = np.r_[0.0, fps / max(1, (~y).sum())]
    thr = np.r_[np.inf, s[distinct]]
    return fpr, tpr, thr


def sens_spec(y: np.ndarray, score: np.ndarray, threshold: float) -> tuple[float, float]:
    y = np.asarray(y).astype(bool)
    pred = np.asarray(score) >= threshold
    sens = float((pred & y).sum() / max(1, y.sum()))
    spec = float((~pred & ~y).sum() / max(1, (~y).sum()))
    return sens, spec


def operating_point(y: np.ndarray, score: np.ndarray, target_sensitivity: float) -> dict:
    """The highest threshold whose sensitivity is >= target (so specificity is as high as that allows). The
    threshold sits halfway between that score and the next lower distinct score, so that tiny numeric differences
    (PyTorch vs ONNX Runtime) do not move a validation case across it."""
    fpr, tpr, thr = roc_curve(y, score)
    ok = np.where(tpr >= target_sensitivity - 1e-12)[0]
    k = int(ok[0])
    t = float(thr[k])
    lower = np.asarray(score)[np.asarray(score) < t]
    if len(lower):
        t = float((t + lower.max()) / 2)
    sens, spec = sens_spec(y, score, t)
    return {"threshold": t, "sensitivity": sens, "specificity": spec,
            "chosen_for": f"sensitivity>={target_sensitivity:g}"}


def bootstrap(y: np.ndarray, score: np.ndarray, threshold: float, n: int, seed: int,
              alpha: float = 0.05) -> dict[str, list[float]]:
    """Percentile bootstrap (cases resampled with replacement, stratified by class so every resample has both)
    for AUC, sensitivity and specificity at a fixed threshold."""
    y = np.asarray(y).astype(bool)
    score = np.asarray(score, dtype=np.float64)
    rng = np.random.default_rng(seed)
    pos, neg = np.where(y)[0], np.where(~y)[0]
    aucs, sens, specs = [], [], []
    for _ in range(n):
        ip = rng.choice(pos, len(pos), replace=True)
        ineg = rng.choice(neg, len(neg), replace=True)
        idx = np.r_[ip, ineg]
        aucs.append(auc(y[idx], score[idx]))
        sens.append(float((score[ip] >= threshold).mean()))
        specs.append(float((score[ineg] < threshold).mean()))
    q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    return {k: [float(v) for v in np.percentile(np.asarray(a), q)] for k, a in
            (("auc", aucs), ("sensitivity", sens), ("specificity", specs))}


def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> list[float]:
    """Exact binomial interval (for proportions near 1, where the percentile bootstrap collapses)."""
    if n == 0:
        return [float("nan"), float("nan")]

    def beta_ppf(p: float, a: float, b: float) -> float:  # bisection on the regularized incomplete beta
        lo, hi = 0.0, 1.0
        for _ in range(100):
            mid = (lo + hi) / 2
            if _betainc(a, b, mid) < p:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    lower = 0.0 if k == 0 else beta_ppf(alpha / 2, k, n - k + 1)
    upper = 1.0 if k == n else beta_ppf(1 - alpha / 2, k + 1, n - k)
    return [lower, upper]


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b) by Lentz's continued fraction (Numerical Recipes 6.4)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log1p(-x))
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _betainc(b, a, 1 - x)
    f, c, d = 1.0, 1.0, 0.0
    for i in range(400):
        m = i // 2
        if i == 0:
            num = 1.0
        elif i % 2 == 0:
            num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        else:
            num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1.0 + num * d
        d = 1e-30 if abs(d) < 1e-30 else d
        d = 1.0 / d
        c = 1.0 + num / c
        c = 1e-30 if abs(c) < 1e-30 else c
        f *= c * d
        if abs(1.0 - c * d) < 1e-12:
            break
    return front * (f - 1.0) / a


def summary(y: np.ndarray, score: np.ndarray, threshold: float, n_boot: int, seed: int) -> dict:
    y = np.asarray(y).astype(bool)
    sens, spec = sens_spec(y, score, threshold)
    ci = bootstrap(y, score, threshold, n_boot, seed) if n_boot > 0 else {}
    tp = int(((np.asarray(score) >= threshold) & y).sum())
    tn = int(((np.asarray(score) < threshold) & ~y).sum())
    return {
        "n": int(len(y)), "n_pos": int(y.sum()), "threshold": float(threshold),
        "auc": auc(y, score), "sensitivity": sens, "specificity": spec,
        "tp": tp, "fn": int(y.sum()) - tp, "tn": tn, "fp": int((~y).sum()) - tn,
        "auc_ci95": ci.get("auc"), "sensitivity_ci95": ci.get("sensitivity"),
        "specificity_ci95": ci.get("specificity"),
        "sensitivity_exact_ci95": clopper_pearson(tp, int(y.sum())),
        "specificity_exact_ci95": clopper_pearson(tn, int((~y).sum())),
    }
