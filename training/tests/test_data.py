import csv
import shutil

import numpy as np
import pytest
from PIL import Image

from myotrain import data as D
from myotrain.synthetic import export


def _write_folder(root, rows):
    (root / "images").mkdir(parents=True, exist_ok=True)
    with open(root / "labels.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=D.COLUMNS)
        w.writeheader()
        for r in rows:
            Image.fromarray(np.full((20, 30), 100, np.uint8)).save(root / r["image"])
            w.writerow({"depth_ratio": "", "split_hint": "", "source": "test", **r})


def test_synthetic_export_has_the_documented_layout(tmp_path):
    out = export(tmp_path / "ds", 12, seed=3, size=64, positive_fraction=0.5)
    recs = D.read_labels(out)
    assert len(recs) == 12
    assert (out / "dataset.json").exists()
    with open(out / "labels.csv") as f:
        assert f.readline().strip() == "id,image,patient_id,label,depth_ratio,split_hint,source"
    r = recs[0]
    img = D.read_image(r.image)
    assert img.dtype == np.uint8 and img.ndim == 2 and img.shape[1] == 64
    assert img[0, 0] == 0  # outside the fan
    for name in ("endometrium", "myometrium", "tumour"):
        m = D.read_image(r.mask_path(name))
        assert set(np.unique(m)) <= {0, 255}
    assert all((rec.label == 1) == (rec.depth_ratio >= 0.5) for rec in recs)


def test_split_by_patient_never_leaks_and_is_seeded(tmp_path):
    rows = []
    for p in range(40):
        for k in range(3):
            rows.append({"id": f"p{p}-{k}", "image": f"images/p{p}-{k}.png", "patient_id": f"P{p}",
                         "label": int(p % 5 == 0)})
    _write_folder(tmp_path, rows)
    recs = D.read_labels(tmp_path)
    a = D.split_by_patient(recs, 0.2, 0.25, seed=1)
    b = D.split_by_patient(recs, 0.2, 0.25, seed=1)
    c = D.split_by_patient(recs, 0.2, 0.25, seed=2)
    D.check_disjoint(a)
    assert {s: [r.id for r in v] for s, v in a.items()} == {s: [r.id for r in v] for s, v in b.items()}
    assert {s: [r.id for r in v] for s, v in a.items()} != {s: [r.id for r in v] for s, v in c.items()}
    assert sum(len(v) for v in a.values()) == 120
    for s in D.SPLITS:  # stratified: every split gets positive patients
        assert any(r.label for r in a[s])


def test_split_hints_are_honoured_and_checked(tmp_path):
    rows = [{"id": f"i{i}", "image": f"images/i{i}.png", "patient_id": f"P{i // 2}", "label": i % 2,
             "split_hint": ["train", "val", "test"][(i // 2) % 3]} for i in range(12)]
    _write_folder(tmp_path, rows)
    sp = D.split_by_patient(D.read_labels(tmp_path), 0.2, 0.2, seed=0)
    assert [r.id for r in sp["val"]] == ["i2", "i3", "i8", "i9"]
    rows[1]["split_hint"] = "test"  # patient P0 now spans train and test
    shutil.rmtree(tmp_path)
    _write_folder(tmp_path, rows)
    with pytest.raises(ValueError, match="P0"):
        D.split_by_patient(D.read_labels(tmp_path), 0.2, 0.2, seed=0)


def test_check_disjoint_catches_a_leak():
    r1 = D.Record("a", D.Path("a.png"), "P1", 0)
    r2 = D.Record("b", D.Path("b.png"), "P1", 1)
    with pytest.raises(ValueError, match="leaks"):
        D.check_disjoint({"train": [r1], "val": [], "test": [r2]})


def test_bad_labels_are_refused(tmp_path):
    (tmp_path / "labels.csv").write_text("id,image,label\nx,images/x.png,1\n")
    with pytest.raises(ValueError, match="patient_id"):
        D.read_labels(tmp_path)
    (tmp_path / "labels.csv").write_text("id,image,patient_id,label\nx,images/x.png,P,2\n")
    with pytest.raises(ValueError, match="label must be 0 or 1"):
        D.read_labels(tmp_path)


def test_read_image_converts_rgb_and_16_bit(tmp_path):
    rgb = np.zeros((4, 5, 3), np.uint8)
    rgb[..., 1] = 200
    Image.fromarray(rgb, "RGB").save(tmp_path / "rgb.png")
    assert D.read_image(tmp_path / "rgb.png").shape == (4, 5)
    deep = (np.arange(20, dtype=np.uint16).reshape(4, 5) * 3000)
    Image.fromarray(deep, "I;16").save(tmp_path / "deep.png")
    got = D.read_image(tmp_path / "deep.png")
    assert got.dtype == np.uint8 and got.max() == (19 * 3000) >> 8


def test_dicom_images_are_read_as_gray8(tmp_path):
    pydicom = pytest.importorskip("pydicom")
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    def write(path, arr, photometric):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.6.1"  # ultrasound image storage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.Rows, ds.Columns = arr.shape
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = photometric
        ds.BitsAllocated = ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 0
        ds.PixelData = arr.astype(np.uint16).tobytes()
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.save_as(str(path), write_like_original=False)

    arr = np.arange(12 * 16, dtype=np.uint16).reshape(12, 16) * 100
    write(tmp_path / "a.dcm", arr, "MONOCHROME2")
    g = D.read_image(tmp_path / "a.dcm")
    assert g.dtype == np.uint8 and g.shape == (12, 16) and g.min() == 0 and g.max() == 255
    assert np.all(np.diff(g.ravel().astype(int)) >= 0)
    write(tmp_path / "b", arr, "MONOCHROME1")  # no suffix: found by the DICM magic
    g1 = D.read_image(tmp_path / "b")
    assert g1[0, 0] == 255 and g1[-1, -1] == 0


def test_class_weights():
    y = np.array([0] * 85 + [1] * 15)
    w = D.class_weights(y, "balanced")
    assert abs(w[0] * 85 - w[1] * 15) < 1e-3
    assert list(D.class_weights(y, "none")) == [1.0, 1.0]
    we = D.class_weights(y, "effective")
    assert we[1] > we[0] and abs(we.sum() - 2) < 1e-5


def test_folder_source_prepares_patient_splits(tmp_path):
    from myotrain import config as C

    out = export(tmp_path / "clinic", 30, seed=5, size=48, positive_fraction=0.4, images_per_patient=3)
    cfg = C.load(C.TRAINING_DIR / "config" / "smoke.toml",
                 ['data.source="folder"', f'data.root="{out}"', f'run.runs_dir="{tmp_path / "runs"}"'])
    splits = D.prepare(cfg, log=lambda *_: None)
    D.check_disjoint(splits)
    assert sum(len(v) for v in splits.values()) == 30
    sets = D.load_all(cfg, splits, ("val",), log=lambda *_: None)
    assert sets["val"].x.shape[1:] == (64, 64) and sets["val"].x.dtype == np.float32


def test_an_export_from_other_generator_code_is_redone(tmp_path, monkeypatch):
    import myotrain.synthetic as S
    from myotrain import config as C

    cfg = C.load(C.TRAINING_DIR / "config" / "smoke.toml", [f'run.data_dir="{tmp_path}"'])
    calls = []

    def counting_export(*a, **k):
        calls.append(a[0])
        return S.__dict__["_real_export"](*a, **k)

    monkeypatch.setitem(S.__dict__, "_real_export", S.export)
    monkeypatch.setattr(S, "export", counting_export)
    monkeypatch.setattr(D, "source_fingerprint", lambda source: "v1")
    out = tmp_path / "x"
    D.export_split(cfg, "val", out, log=lambda *_: None)
    D.export_split(cfg, "val", out, log=lambda *_: None)
    assert len(calls) == 1  # same parameters, same generator: kept
    monkeypatch.setattr(D, "source_fingerprint", lambda source: "v2")
    D.export_split(cfg, "val", out, log=lambda *_: None)
    assert len(calls) == 2  # the generator changed: exported again
    assert len(D.read_labels(out)) == int(cfg["data"]["val"]["count"])
