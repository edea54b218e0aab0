"""Training resumes after an interruption and ends exactly where an uninterrupted run ends."""

import pytest
import torch

from myotrain import config as C
from myotrain import data as D
from myotrain import train as T


def _cfg(tmp_path, name):
    return C.load(C.TRAINING_DIR / "config" / "smoke.toml", [
        f'run.runs_dir="{tmp_path / "runs"}"', f'run.data_dir="{tmp_path / "data"}"', f'run.name="{name}"',
        "teacher.epochs=2", "data.train.count=32", "data.val.count=16", "data.test.count=8", "run.threads=2",
    ])


def _sets(cfg):
    splits = D.prepare(cfg, log=lambda *_: None)
    return D.load_all(cfg, splits, ("train", "val"), log=lambda *_: None)


def test_interrupted_teacher_resumes_to_the_same_weights(tmp_path, monkeypatch):
    log = T.Log(None)
    cfg_a = _cfg(tmp_path, "a")
    device = T.setup(cfg_a)
    model_a, summary_a = T.train_teacher(cfg_a, _sets(cfg_a), device, log)

    cfg_b = _cfg(tmp_path, "b")
    sets_b = _sets(cfg_b)
    steps_per_epoch = len(sets_b["train"]) // int(cfg_b["teacher"]["batch_size"])
    real = T.augment_batch
    calls = {"n": 0}

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == steps_per_epoch + 1:  # first step of epoch 2
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(T, "augment_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        T.train_teacher(cfg_b, sets_b, device, log)
    ck = torch.load(C.run_dir(cfg_b) / "teacher" / "checkpoint.pt")
    assert ck["epoch"] == 1 and not (C.run_dir(cfg_b) / "teacher" / "model.pt").exists()
    monkeypatch.setattr(T, "augment_batch", real)
    lines = []
    model_b, summary_b = T.train_teacher(cfg_b, sets_b, device, lines.append)
    assert any("resuming after epoch 1/2" in line for line in lines)
    for (k, va), vb in zip(model_a.state_dict().items(), model_b.state_dict().values()):
        torch.testing.assert_close(va, vb, rtol=0, atol=1e-6, msg=f"{k} differs after resuming")
    assert [h["val_auc"] for h in summary_a["history"]] == pytest.approx([h["val_auc"] for h in summary_b["history"]])
    # a finished run is not trained again
    lines.clear()
    T.train_teacher(cfg_b, sets_b, device, lines.append)
    assert any("already trained" in line for line in lines)


def test_a_changed_config_does_not_resume_from_a_foreign_checkpoint(tmp_path):
    cfg = _cfg(tmp_path, "c")
    sets = _sets(cfg)
    device = T.setup(cfg)
    T.train_teacher(cfg, sets, device, T.Log(None))
    cfg2 = _cfg(tmp_path, "c")
    cfg2["teacher"]["lr"] = 0.05
    lines = []
    T.train_teacher(cfg2, sets, device, lines.append)
    assert not any("resuming" in line or "already trained" in line for line in lines)
