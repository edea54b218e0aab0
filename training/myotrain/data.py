"""Data sets: export from the phantom (or the Python stand-in), read a data-set folder (the documented layout, also
a clinic's real data), split by patient, preload into memory through the preprocessing contract.

Layout (docs/dataset-layout.md): DIR/labels.csv with header id,image,patient_id,label,depth_ratio,split_hint,source;
DIR/<image> (PNG gray 8-bit, or DICOM); DIR/masks/<id>_{endometrium,myometrium,tumour}.png (optional).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from . import config as C
from .preprocess import preprocess_plane

SPLITS = ("train", "val", "test")
COLUMNS = ["id", "image", "patient_id", "label", "depth_ratio", "split_hint", "source"]
REQUIRED_COLUMNS = ["id", "image", "patient_id", "label"]


@dataclass
class Record:
    id: str
    image: Path  # absolute
    patient_id: str
    label: int
    depth_ratio: float | None = None
    split_hint: str = ""
    source: str = ""
    root: Path = field(default_factory=Path)

    def mask_path(self, name: str) -> Path:
        return self.root / "masks" / f"{self.id}_{name}.png"


# ---------------------------------------------------------------------------------------------------- reading


def read_labels(root: str | Path) -> list[Record]:
    root = Path(root).resolve()
    path = root / "labels.csv"
    if not path.exists():
        raise FileNotFoundError(f"data set {root}: no labels.csv")
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {missing} (header must include {REQUIRED_COLUMNS})")
        out = []
        seen = set()
        for n, row in enumerate(reader, start=2):
            rid = row["id"].strip()
            if not rid or rid in seen:
                raise ValueError(f"{path}:{n}: empty or duplicate id {rid!r}")
            seen.add(rid)
            label = row["label"].strip()
            if label not in ("0", "1"):
                raise ValueError(f"{path}:{n}: label must be 0 or 1, got {label!r}")
            if not row["patient_id"].strip():
                raise ValueError(f"{path}:{n}: empty patient_id")
            depth = (row.get("depth_ratio") or "").strip()
            out.append(Record(
                id=rid, image=(root / row["image"].strip()).resolve(), patient_id=row["patient_id"].strip(),
                label=int(label), depth_ratio=float(depth) if depth else None,
                split_hint=(row.get("split_hint") or "").strip().lower(), source=(row.get("source") or "").strip(),
                root=root,
            ))
    if not out:
        raise ValueError(f"{path}: no rows")
    return out


def _is_dicom(path: Path) -> bool:
    if path.suffix.lower() in (".dcm", ".dicom"):
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(132)
        return len(head) == 132 and head[128:132] == b"DICM"
    except OSError:
        return False


def _to_gray8(arr: np.ndarray) -> np.ndarray:
    """Any numeric 2-D array to uint8 by min-max scaling (used for DICOM without a VOI window)."""
    arr = arr.astype(np.float64)
    lo, hi = float(arr.min()), float(arr.max())
    if hi <= lo:
        return np.zeros(arr.shape, np.uint8)
    return np.clip(np.round((arr - lo) * 255.0 / (hi - lo)), 0, 255).astype(np.uint8)


def read_dicom(path: Path) -> np.ndarray:
    try:
        import pydicom  # Debian: python3-pydicom (training/install-deps.sh)
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise RuntimeError(f"{path}: DICOM needs python3-pydicom (run training/install-deps.sh)") from e
    ds = pydicom.dcmread(str(path))
    arr = ds.pixel_array
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    photometric = str(getattr(ds, "PhotometricInterpretation", "MONOCHROME2"))
    if frames > 1:
        arr = arr[0]  # one image per file: the first frame of a cine loop
    if arr.ndim == 3:  # colour ultrasound (RGB / YBR): luminance
        if photometric.startswith("YBR"):
            from pydicom.pixel_data_handlers.util import convert_color_space
            arr = convert_color_space(arr, photometric, "RGB")
        arr = (0.299 * arr[..., 0] + 0.587 * arr[..., 1] + 0.114 * arr[..., 2])
        return np.clip(np.round(arr), 0, 255).astype(np.uint8)
    if arr.dtype == np.uint8 and photometric == "MONOCHROME2":
        return arr
    try:
        from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut
        arr = apply_modality_lut(arr, ds)
        if "WindowCenter" in ds or "VOILUTSequence" in ds:
            arr = apply_voi_lut(arr, ds)
    except Exception:  # noqa: BLE001 - fall back to plain min-max scaling
        pass
    out = _to_gray8(np.asarray(arr))
    if photometric == "MONOCHROME1":
        out = 255 - out
    return out


def read_image(path: str | Path) -> np.ndarray:
    """A gray 8-bit image (H, W) uint8 from PNG (or any format PIL reads) or DICOM."""
    path = Path(path)
    if _is_dicom(path):
        return read_dicom(path)
    with Image.open(path) as im:
        if im.mode in ("I;16", "I;16B", "I;16L", "I"):
            arr = np.asarray(im, dtype=np.uint32)
            return (arr >> 8).astype(np.uint8) if arr.max() > 255 else arr.astype(np.uint8)
        if im.mode != "L":
            im = im.convert("L")
        return np.asarray(im, dtype=np.uint8).copy()


# ---------------------------------------------------------------------------------------------------- splitting


def split_by_patient(records: list[Record], val_fraction: float, test_fraction: float, seed: int,
                     use_hints: bool = True) -> dict[str, list[Record]]:
    """Train/val/test by patient, never a patient in two splits. Uses split_hint when every row has one (train,
    val or test); otherwise a seeded split of the patients, stratified by whether a patient has a positive image."""
    by_patient: dict[str, list[Record]] = {}
    for r in records:
        by_patient.setdefault(r.patient_id, []).append(r)
    hints = {r.split_hint for r in records}
    if use_hints and hints <= set(SPLITS) and "" not in hints:
        out: dict[str, list[Record]] = {s: [] for s in SPLITS}
        for pid, rs in by_patient.items():
            hs = {r.split_hint for r in rs}
            if len(hs) != 1:
                raise ValueError(f"patient {pid!r} has images in several split_hint values {sorted(hs)}")
            out[hs.pop()].extend(rs)
        return out
    rng = np.random.default_rng(seed)
    out = {s: [] for s in SPLITS}
    for positive in (True, False):
        pids = sorted(p for p, rs in by_patient.items() if any(r.label for r in rs) == positive)
        rng.shuffle(pids)
        n = len(pids)
        n_test = int(round(n * test_fraction))
        n_val = int(round(n * val_fraction))
        for i, pid in enumerate(pids):
            split = "test" if i < n_test else "val" if i < n_test + n_val else "train"
            out[split].extend(by_patient[pid])
    for s in SPLITS:
        out[s].sort(key=lambda r: r.id)
    return out


def check_disjoint(splits: dict[str, list[Record]]) -> None:
    owner: dict[str, str] = {}
    for s, rs in splits.items():
        for r in rs:
            if owner.setdefault(r.patient_id, s) != s:
                raise ValueError(f"patient {r.patient_id!r} leaks across splits {owner[r.patient_id]} and {s}")


# ---------------------------------------------------------------------------------------------------- exporting


def phantom_command(out: Path, count: int, seed: int, size: int, positive_fraction: float, threshold: float,
                    borderline_fraction: float = -1) -> list[str]:
    bin_js = C.REPO_DIR / "dist" / "src" / "cli" / "bin.js"
    cmd = ["node", str(bin_js), "phantom", "export", "--out", str(out), "--count", str(count), "--seed", str(seed),
           "--size", str(size), "--positive-fraction", str(positive_fraction), "--threshold", str(threshold)]
    if borderline_fraction >= 0:
        cmd += ["--borderline-fraction", str(borderline_fraction)]
    return cmd


def phantom_fingerprint() -> str | None:
    """sha256 of the built phantom exporter (dist/src/capture/phantom and dist/src/imaging): a change of the
    phantom's code makes earlier exports stale."""
    dist = C.REPO_DIR / "dist" / "src"
    files = sorted(p for sub in ("capture/phantom", "imaging") for p in (dist / sub).rglob("*.js"))
    if not files:
        return None
    h = hashlib.sha256()
    for p in files:
        h.update(str(p.relative_to(dist)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def source_fingerprint(source: str) -> str | None:
    return phantom_fingerprint() if source == "phantom" else None


def export_split(cfg: dict, split: str, out: Path, log=print) -> Path:
    """Exports one split (idempotent: a finished export leaves export.json with its parameters)."""
    d = cfg["data"]
    s = d[split]
    params = {"source": d["source"], "count": int(s["count"]), "seed": int(s["seed"]), "size": int(d["export_size"]),
              "positive_fraction": float(s["positive_fraction"]), "threshold": float(d["threshold"]),
              "borderline_fraction": float(d.get("borderline_fraction", -1))}
    stamp = out / "export.json"
    fingerprint = source_fingerprint(d["source"])
    if stamp.exists():
        old = json.loads(stamp.read_text())
        # an export made by other phantom code is stale (stamps without a fingerprint predate this check)
        if old.get("params") == params and old.get("fingerprint", fingerprint) == fingerprint:
            return out
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    log(f"data: exporting {split}: {params}")
    if d["source"] == "phantom":
        cmd = phantom_command(tmp, params["count"], params["seed"], params["size"], params["positive_fraction"],
                              params["threshold"], params["borderline_fraction"])
        if not Path(cmd[1]).exists():
            raise RuntimeError(f"phantom exporter not built ({cmd[1]} missing): run `npm run build` in {C.REPO_DIR}, "
                               "or set data.source = 'synthetic' for the Python stand-in")
        subprocess.run(cmd, check=True, cwd=C.REPO_DIR, stdout=sys.stderr)
    else:
        from .synthetic import export as synth_export
        bf = params["borderline_fraction"]
        synth_export(tmp, params["count"], params["seed"], params["size"], params["positive_fraction"],
                     params["threshold"], borderline_fraction=0.25 if bf < 0 else bf, prefix="")
    (tmp / "export.json").write_text(json.dumps({"params": params, "fingerprint": fingerprint}, indent=2) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return out


def dataset_dir(cfg: dict) -> Path:
    d = cfg["data"]
    if d["source"] == "folder":
        return Path(d["root"]).resolve()
    key = {k: d[k] for k in ("source", "export_size", "threshold")} | {s: d[s] for s in SPLITS}
    if float(d.get("borderline_fraction", -1)) >= 0:
        key["borderline_fraction"] = float(d["borderline_fraction"])
    h = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:10]
    return C.resolve(cfg, "data_dir") / f"{d['source']}-{h}"


def prepare(cfg: dict, log=print) -> dict[str, list[Record]]:
    """Returns the three splits (exporting the phantom sets first when needed), checked patient-disjoint."""
    d = cfg["data"]
    root = dataset_dir(cfg)
    if d["source"] == "folder":
        sp = d.get("split", {})
        splits = split_by_patient(read_labels(root), float(sp.get("val_fraction", 0.15)),
                                  float(sp.get("test_fraction", 0.25)), int(sp.get("seed", cfg["run"]["seed"])),
                                  bool(sp.get("use_hints", True)))
    else:
        splits = {}
        seeds = [int(d[s]["seed"]) for s in SPLITS]
        if len(set(seeds)) != len(seeds):
            raise ValueError(f"data: the split seeds must differ, got {seeds}")
        for s in SPLITS:
            recs = read_labels(export_split(cfg, s, root / s, log))
            for r in recs:  # separate exports may reuse patient ids: name them by split so they stay disjoint
                r.patient_id = f"{s}/{r.patient_id}"
            splits[s] = recs
    check_disjoint(splits)
    for s in SPLITS:
        if not splits[s]:
            raise ValueError(f"data: the {s} split is empty")
    return splits


def describe(cfg: dict, splits: dict[str, list[Record]]) -> dict:
    """The provenance summary: where the data came from, counts, positives, seeds, dataset.json of each export."""
    d = cfg["data"]
    out: dict = {"source": d["source"], "root": str(dataset_dir(cfg)), "threshold": d["threshold"], "splits": {}}
    for s, rs in splits.items():
        info = {"n": len(rs), "n_pos": int(sum(r.label for r in rs)), "patients": len({r.patient_id for r in rs})}
        if d["source"] != "folder":
            info["seed"] = int(d[s]["seed"])
            info["positive_fraction"] = float(d[s]["positive_fraction"])
            meta = dataset_dir(cfg) / s / "dataset.json"
            if meta.exists():
                try:
                    info["dataset_json"] = json.loads(meta.read_text())
                except json.JSONDecodeError:
                    pass
        out["splits"][s] = info
    if d["source"] == "folder":
        meta = dataset_dir(cfg) / "dataset.json"
        if meta.exists():
            out["dataset_json"] = json.loads(meta.read_text())
    return out


# ---------------------------------------------------------------------------------------------------- in memory


class ImageSet:
    """A split preloaded through the preprocessing contract: x [N, S, S] float32, y [N] int64."""

    def __init__(self, records: list[Record], x: np.ndarray) -> None:
        self.records = records
        self.x = x
        self.y = np.array([r.label for r in records], dtype=np.int64)
        self.depth = np.array([np.nan if r.depth_ratio is None else r.depth_ratio for r in records], dtype=np.float32)
        self.masks: np.ndarray | None = None  # [N, 3, g, g] area fractions (endometrium, myometrium, tumour)
        self.has_masks: np.ndarray | None = None  # [N] bool

    def __len__(self) -> int:
        return len(self.records)

    @property
    def n_pos(self) -> int:
        return int(self.y.sum())


def load_split(records: list[Record], size: int, mean: float, std: float, cache_dir: Path | None = None,
               log=print) -> ImageSet:
    key = hashlib.sha256(json.dumps([[str(r.image), r.id] for r in records] + [size, mean, std]).encode())
    path = cache_dir / f"x-{key.hexdigest()[:16]}.npy" if cache_dir else None
    if path is not None and path.exists():
        x = np.load(path)
        if x.shape == (len(records), size, size):
            return ImageSet(records, x)
    x = np.empty((len(records), size, size), np.float32)
    for i, r in enumerate(records):
        x[i] = preprocess_plane(read_image(r.image), size, mean, std)
        if (i + 1) % 2000 == 0:
            log(f"data: preloaded {i + 1}/{len(records)}")
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, x)
        os.replace(tmp, path)
    return ImageSet(records, x)


MASK_NAMES = ("endometrium", "myometrium", "tumour")


def _area_pool(m: np.ndarray, g: int) -> np.ndarray:
    """A 0/1 mask (H, W) -> (g, g) fraction of each cell covered (area averaging, any H, W)."""
    import torch
    import torch.nn.functional as F

    t = torch.from_numpy(m.astype(np.float32))[None, None]
    return F.adaptive_avg_pool2d(t, g)[0, 0].numpy()


def load_masks(ims: ImageSet, grid: int, cache_dir: Path | None = None) -> None:
    """Attaches coarse masks (the three anatomy masks, area-pooled to grid x grid) where the data set has them."""
    key = hashlib.sha256(json.dumps([[str(r.image), r.id] for r in ims.records] + [grid, "masks"]).encode())
    path = cache_dir / f"m-{key.hexdigest()[:16]}.npz" if cache_dir else None
    if path is not None and path.exists():
        with np.load(path) as z:
            ims.masks, ims.has_masks = z["masks"], z["has"]
        return
    masks = np.zeros((len(ims), 3, grid, grid), np.float32)
    has = np.zeros(len(ims), bool)
    for i, r in enumerate(ims.records):
        paths = [r.mask_path(n) for n in MASK_NAMES]
        if all(p.exists() for p in paths):
            has[i] = True
            for c, p in enumerate(paths):
                masks[i, c] = _area_pool(read_image(p) > 127, grid)
    ims.masks, ims.has_masks = masks, has
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, masks=masks, has=has)


def load_all(cfg: dict, splits: dict[str, list[Record]], which=SPLITS, log=print) -> dict[str, ImageSet]:
    i = cfg["input"]
    cache = C.run_dir(cfg) / "cache"
    return {s: load_split(splits[s], int(i["size"]), float(i["mean"]), float(i["std"]), cache, log) for s in which}


def class_weights(y: np.ndarray, mode: str, beta: float = 0.999) -> np.ndarray:
    counts = np.bincount(y, minlength=2).astype(np.float64)
    counts = np.maximum(counts, 1)
    if mode == "none":
        w = np.ones(2)
    elif mode == "balanced":
        w = counts.sum() / (2 * counts)
    else:  # effective number of samples (Cui et al. 2019)
        w = (1 - beta) / (1 - beta**counts)
        w = w * 2 / w.sum()
    return w.astype(np.float32)
