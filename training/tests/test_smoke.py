"""The whole pipeline on a tiny configuration: data, teacher, saliency, three students, evaluation, ONNX export,
parity against onnxruntime-node, report (and the TypeScript packer when the daemon is built)."""

import json
import shutil
import subprocess
import sys

import pytest

from myotrain import config as C

NODE = shutil.which("node")
ORT = C.REPO_DIR / "node_modules" / "onnxruntime-node"
BIN = C.REPO_DIR / "dist" / "src" / "cli" / "bin.js"


def _phantom_exporter_built() -> bool:
    if not (NODE and BIN.exists() and (C.REPO_DIR / "dist" / "src" / "capture" / "phantom" / "export-dataset.js").exists()):
        return False
    proc = subprocess.run([NODE, str(BIN), "phantom", "export"], capture_output=True, text=True, cwd=C.REPO_DIR,
                          timeout=60)
    return "usage: myoscreen phantom export" in proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    if not NODE or not ORT.exists():
        pytest.skip("node and node_modules/onnxruntime-node are needed for the parity check (npm ci)")
    tmp = tmp_path_factory.mktemp("smoke")
    source = "phantom" if _phantom_exporter_built() else "synthetic"
    sets = [f'run.runs_dir="{tmp / "runs"}"', f'run.data_dir="{tmp / "data"}"', f'run.reports_dir="{tmp / "reports"}"',
            f'data.source="{source}"']
    cmd = [sys.executable, "-m", "myotrain", "all", "--config", str(C.TRAINING_DIR / "config" / "smoke.toml"),
           "--device", "cpu"] + [a for s in sets for a in ("--set", s)]
    proc = subprocess.run(cmd, cwd=C.TRAINING_DIR, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return {"tmp": tmp, "run": tmp / "runs" / "smoke", "report": tmp / "reports" / "0.0.0-smoke", "log": proc.stderr,
            "source": source, "cmd": cmd}


def test_pipeline_trains_every_model_and_shows_progress(smoke):
    for name in ("teacher", "student-base", "student-kd", "student-gd"):
        summary = json.loads((smoke["run"] / name / "summary.json").read_text())
        assert summary["epochs"] == 1 and (smoke["run"] / name / "checkpoint.pt").exists()
    assert "teacher: epoch 1/1 step" in smoke["log"] and "run ETA" in smoke["log"]
    assert "gradient distillation on" in smoke["log"]


def test_export_is_static_opset_17_with_named_outputs(smoke):
    import onnx

    m = onnx.load(str(smoke["run"] / "export" / "model.onnx"))
    assert m.opset_import[0].version == 17
    dims = lambda vi: [d.dim_value for d in vi.type.tensor_type.shape.dim]  # noqa: E731
    assert [(i.name, dims(i)) for i in m.graph.input] == [("image", [1, 1, 64, 64])]
    assert [o.name for o in m.graph.output] == ["logits", "attention"]
    assert dims(m.graph.output[0]) == [1, 2]


def test_export_json_states_what_the_manifest_needs(smoke):
    e = json.loads((smoke["run"] / "export" / "export.json").read_text())
    assert e["input"]["name"] == "image" and e["input"]["resize"] == "bilinear-half-pixel"
    assert e["labels"] == ["no_invasion", "invasion"]
    assert e["operating_point"]["chosen_for"] == "sensitivity>=0.995"
    assert 0 <= e["operating_point"]["threshold"] <= 1
    for k in ("auc", "auc_ci95", "sensitivity", "sensitivity_ci95", "specificity", "specificity_ci95", "n", "n_pos",
              "dataset"):
        assert k in e["test_metrics"]
    assert e["compute"]["macs"] > 0 and e["compute"]["params"] > 0 and e["compute"]["input_size"] == 64
    p = e["provenance"]
    assert p["teacher"]["arch"].startswith("resnet") and p["method"].startswith("gradient distillation")
    assert len(p["config_hash"]) == 64 and "commit" in p["git"]
    g = json.loads((smoke["run"] / "export" / "golden.json").read_text())
    assert len(g["cases"]) == 4 and g["tolerance"]["logits_abs"] == 1e-3


def test_parity_passed_and_a_tampered_golden_fails(smoke, tmp_path):
    checks = json.loads((smoke["run"] / "export" / "export-checks.json").read_text())
    assert checks["parity"]["ok"] is True and checks["parity"]["max_abs_diff"]["logits"] < 1e-3
    g = json.loads((smoke["run"] / "export" / "golden.json").read_text())
    g["cases"][0]["expected"]["logits"][0] += 0.01
    (tmp_path / "bad.json").write_text(json.dumps(g))
    script = C.TRAINING_DIR / "scripts" / "onnx_parity.mjs"
    proc = subprocess.run([NODE, str(script), str(smoke["run"] / "export" / "model.onnx"), str(tmp_path / "bad.json")],
                          capture_output=True, text=True, cwd=C.REPO_DIR)
    assert proc.returncode == 1 and "outside the tolerance" in proc.stderr


def test_report_has_metrics_figures_and_the_ablation(smoke):
    md = (smoke["report"] / "report.md").read_text()
    for text in ("## Ablation", "+ logit distillation", "+ gradient distillation", "student alone", "Gap of the shipped",
                 "onnxruntime-node"):
        assert text in md
    for png in ("roc.png", "overlays.png"):
        assert (smoke["report"] / png).stat().st_size > 1000
    rep = json.loads((smoke["report"] / "report.json").read_text())
    assert set(rep["evaluation"]["models"]) == {"teacher", "student-base", "student-kd", "student-gd"}


def test_rerun_is_a_no_op(smoke):
    proc = subprocess.run(smoke["cmd"], cwd=C.TRAINING_DIR, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr.count("already trained") == 4


def test_typescript_packer_accepts_the_export(smoke, tmp_path):
    proc = subprocess.run([NODE, str(BIN), "model", "pack"], capture_output=True, text=True,
                          cwd=C.REPO_DIR) if NODE and BIN.exists() else None
    if proc is None or "model pack needs EXPORT_DIR" not in proc.stdout + proc.stderr:
        pytest.skip("the daemon is not built (npm run build) or has no `model pack` yet")
    models = tmp_path / "models"
    pack = subprocess.run([NODE, str(BIN), "model", "pack", str(smoke["run"] / "export"), "--models-dir", str(models)],
                          capture_output=True, text=True, cwd=C.REPO_DIR)
    assert pack.returncode == 0, pack.stderr + pack.stdout
    verify = subprocess.run([NODE, str(BIN), "model", "verify", str(models / "myoscreen-lsnet" / "0.0.0-smoke")],
                            capture_output=True, text=True, cwd=C.REPO_DIR)
    assert verify.returncode == 0, verify.stderr + verify.stdout
