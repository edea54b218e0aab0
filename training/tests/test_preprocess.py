import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from myotrain.preprocess import preprocess, preprocess_plane, resize_bilinear, spec


@pytest.mark.parametrize("h,w,s", [(61, 97, 32), (200, 300, 128), (13, 20, 32), (128, 128, 64), (480, 640, 160),
                                   (97, 61, 128)])
def test_resize_matches_torch_bilinear_half_pixel(h, w, s):
    img = np.random.default_rng(h * w).integers(0, 256, (h, w)).astype(np.float32)
    ours = resize_bilinear(img, s, s)
    ref = F.interpolate(torch.from_numpy(img)[None, None], size=(s, s), mode="bilinear", align_corners=False,
                        antialias=False)[0, 0].numpy()
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, ref, atol=1e-4, rtol=0)


def test_same_size_is_not_resized():
    img = np.random.default_rng(1).integers(0, 256, (64, 64), dtype=np.uint8)
    x = preprocess_plane(img, 64, 0.25, 0.25)
    np.testing.assert_array_equal(x, ((img.astype(np.float32) / np.float32(255)) - np.float32(0.25)) / np.float32(0.25))


def test_preprocess_shape_and_normalisation():
    img = np.full((50, 70), 255, np.uint8)
    x = preprocess(img, 32, 0.5, 0.25)
    assert x.shape == (1, 1, 32, 32) and x.dtype == np.float32
    np.testing.assert_allclose(x, 2.0, atol=1e-6)
    with pytest.raises(ValueError):
        preprocess(np.zeros((4, 4, 3), np.uint8), 32, 0.5, 0.25)


def test_spec_matches_manifest_vocabulary():
    s = spec(128, 0.25, 0.25)
    assert s == {"name": "image", "shape": [1, 1, 128, 128], "layout": "NCHW", "colour": "gray",
                 "resize": "bilinear-half-pixel", "scale": 1 / 255, "mean": 0.25, "std": 0.25}


def test_golden_vectors_are_current_and_reproduce():
    import importlib.util

    from myotrain import config as C

    path = C.TRAINING_DIR / "scripts" / "make_preprocess_golden.py"
    mod_spec = importlib.util.spec_from_file_location("make_preprocess_golden", path)
    mod = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(mod)
    golden, imgs = mod.build()
    stored = json.loads((C.TRAINING_DIR / "golden" / "preprocess_golden.json").read_text())
    assert stored == json.loads(json.dumps(golden)), "run training/scripts/make_preprocess_golden.py"
    from PIL import Image

    for case in stored["cases"]:
        img = np.asarray(Image.open(C.TRAINING_DIR / "golden" / case["file"]))
        assert img.shape == (case["height"], case["width"])
        x = preprocess_plane(img, case["size"], stored["mean"], stored["std"])
        assert [float(v) for v in x.ravel()] == case["output"]  # bit-exact with the stored values
