"""Configuration: one TOML file holds every knob. `extends = "other.toml"` layers a file over another (deep merge);
`--set section.key=value` overrides single keys (the value is parsed as TOML, falling back to a plain string).

The config hash (sha256 of the canonical JSON of everything that shapes the result, i.e. without [run] paths,
threads and device) names what a checkpoint belongs to: a run resumes only from checkpoints with the same hash.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

TRAINING_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = TRAINING_DIR.parent

# Keys that do not change the trained model (where things go, how many threads, which device).
_NOT_HASHED = {"run": {"threads", "device", "runs_dir", "data_dir", "reports_dir", "progress_every"}}


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _load_file(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    path = path.resolve()
    if path in seen:
        raise ValueError(f"config: 'extends' loop at {path}")
    with open(path, "rb") as f:
        data = tomllib.load(f)
    parent = data.pop("extends", None)
    if parent:
        base = _load_file((path.parent / parent), seen + (path,))
        data = _merge(base, data)
    return data


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_override(cfg: dict, assignment: str) -> None:
    if "=" not in assignment:
        raise ValueError(f"config: override {assignment!r} is not key=value")
    key, text = assignment.split("=", 1)
    parts = key.strip().split(".")
    node = cfg
    for p in parts[:-1]:
        if not isinstance(node.get(p), dict):
            raise ValueError(f"config: unknown section {p!r} in override {key!r}")
        node = node[p]
    if parts[-1] not in node:
        raise ValueError(f"config: unknown key {key!r}")
    node[parts[-1]] = _parse_value(text.strip())


REQUIRED = {
    "run": ["name", "model_id", "version", "seed", "device", "threads", "runs_dir", "data_dir", "reports_dir"],
    "data": ["source", "threshold", "export_size"],
    "input": ["size", "mean", "std"],
    "augment": ["hflip", "gain", "gamma", "shift", "scale", "noise"],
    "teacher": ["width", "blocks", "epochs", "batch_size", "lr", "weight_decay", "cam_layer"],
    "student": ["stem", "head", "stages", "epochs", "batch_size", "lr", "weight_decay"],
    "loss": ["class_weighting", "kd_weight", "kd_temperature", "gd_weight", "gd_temperature", "gd_smoothing"],
    "saliency": ["method", "target"],
    "ablation": ["variants", "ship"],
    "eval": ["target_sensitivity", "bootstrap", "bootstrap_seed", "overlays", "latency_runs", "max_gmacs"],
    "export": ["opset", "golden_count", "logit_tolerance"],
}


def validate(cfg: dict) -> None:
    for section, keys in REQUIRED.items():
        if section not in cfg:
            raise ValueError(f"config: missing section [{section}]")
        for k in keys:
            if k not in cfg[section]:
                raise ValueError(f"config: missing key {section}.{k}")
    if cfg["data"]["source"] not in ("phantom", "synthetic", "folder"):
        raise ValueError("config: data.source must be phantom, synthetic or folder")
    if cfg["data"]["source"] == "folder" and not cfg["data"].get("root"):
        raise ValueError("config: data.source = 'folder' needs data.root (the data-set directory)")
    for v in cfg["ablation"]["variants"]:
        if v not in ("base", "kd", "gd"):
            raise ValueError(f"config: unknown ablation variant {v!r} (base, kd, gd)")
    if cfg["ablation"]["ship"] not in cfg["ablation"]["variants"]:
        raise ValueError("config: ablation.ship must be one of ablation.variants")
    if cfg["saliency"]["method"] not in ("gradcam", "inputgrad"):
        raise ValueError("config: saliency.method must be gradcam or inputgrad")
    if cfg["loss"]["class_weighting"] not in ("none", "balanced", "effective"):
        raise ValueError("config: loss.class_weighting must be none, balanced or effective")
    if int(cfg["input"]["size"]) % 32:
        raise ValueError("config: input.size must be a multiple of 32")


def load(path: str | Path, overrides: list[str] | None = None) -> dict:
    cfg = _load_file(Path(path))
    for o in overrides or []:
        apply_override(cfg, o)
    validate(cfg)
    cfg["_path"] = str(Path(path).resolve())
    return cfg


def hashed_view(cfg: dict) -> dict:
    view = {k: copy.deepcopy(v) for k, v in cfg.items() if not k.startswith("_")}
    for section, keys in _NOT_HASHED.items():
        for k in keys:
            view.get(section, {}).pop(k, None)
    return view


def config_hash(cfg: dict) -> str:
    blob = json.dumps(hashed_view(cfg), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def section_hash(cfg: dict, *sections: str) -> str:
    """Hash of some sections only: a teacher checkpoint does not depend on [student], for instance."""
    view = hashed_view(cfg)
    blob = json.dumps({s: view.get(s) for s in sections}, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def resolve(cfg: dict, key: str) -> Path:
    """A [run] path relative to training/ (absolute paths stay)."""
    p = Path(cfg["run"][key])
    return p if p.is_absolute() else TRAINING_DIR / p


def run_dir(cfg: dict) -> Path:
    return resolve(cfg, "runs_dir") / cfg["run"]["name"]
