import numpy as np
import torch
from torch import nn

from myotrain import config as C
from myotrain.flops import count_macs, count_params
from myotrain.models.lsnet import SparseMobileViTBlock, build_student
from myotrain.models.teacher import build_teacher
from myotrain.saliency import saliency_batch


def default_cfg():
    return C.load(C.TRAINING_DIR / "config" / "default.toml")


def test_student_fits_the_paper_compute_budget():
    cfg = default_cfg()
    size = int(cfg["input"]["size"])
    macs = count_macs(build_student(cfg["student"]), size)
    assert macs["total"] <= float(cfg["eval"]["max_gmacs"]) * 1e9 <= 0.289e9
    assert macs["attention"] > 0  # the top-k attention products are counted


def test_mac_counter_on_a_known_model():
    m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Conv2d(4, 4, 3, padding=1, groups=4), nn.Flatten(),
                      nn.Linear(4 * 8 * 8, 10))
    macs = count_macs(m, 8)
    assert macs["conv"] == 4 * 64 * 9 + 4 * 64 * 9 and macs["linear"] == 256 * 10
    assert count_params(m) == sum(p.numel() for p in m.parameters())


def test_student_outputs_logits_and_a_normalised_attention_map():
    cfg = default_cfg()
    s = int(cfg["input"]["size"])
    m = build_student(cfg["student"]).eval()
    with torch.no_grad():
        logits, att = m(torch.randn(3, 1, s, s))
        _, _, imps = m.forward_all(torch.randn(3, 1, s, s))
    assert logits.shape == (3, 2)
    assert att.shape == (3, 1, s // 8, s // 8)
    torch.testing.assert_close(att.sum((1, 2, 3)), torch.ones(3))
    assert len(imps) == 3


def test_only_the_top_k_tokens_are_changed_by_the_sparse_transformer():
    torch.manual_seed(0)
    blk = SparseMobileViTBlock(channels=8, dim=16, depth=2, heads=2, topk=0.25, mlp_ratio=2, dropout=0).eval()
    x = torch.randn(2, 8, 4, 4)
    seen = {}

    def keep(name, value):  # a forward hook must return None or it replaces the output
        seen.setdefault(name, value)

    blk.layers[0].register_forward_hook(lambda _m, inp, _o: keep("attending", inp[0].shape))
    blk.project.register_forward_hook(lambda _m, inp, _o: keep("after", inp[0]))
    with torch.no_grad():
        before = blk.local(x)
        scores = blk.score(blk.score_norm(before.flatten(2).transpose(1, 2))).squeeze(-1)
        _, imp = blk(x)
    assert seen["attending"] == (2, 4, 16)  # 25 % of the 16 tokens take part in attention
    torch.testing.assert_close(imp.flatten(1), scores)
    changed = (seen["after"] != before).any(1).flatten(1)  # [B, N]: which tokens the transformer touched
    top = torch.topk(scores, 4, dim=1).indices
    expected = torch.zeros_like(changed)
    expected.scatter_(1, top, True)
    assert torch.equal(changed, expected)


def test_teacher_and_grad_cam():
    cfg = default_cfg()
    t = build_teacher({**cfg["teacher"], "width": 8}).eval()
    x = torch.randn(2, 1, 64, 64)
    logits, cam = saliency_batch(t, x, torch.tensor([0, 1]), "gradcam", "label", "layer3", 4)
    assert logits.shape == (2, 2) and cam.shape == (2, 1, 4, 4) and (cam >= 0).all()
    _, ig = saliency_batch(t, x, None, "inputgrad", "margin", "layer3", 4)
    assert ig.shape == (2, 1, 4, 4)
    assert t.record is None and t.recorded is None  # Grad-CAM leaves the model as it was


def test_student_exports_to_onnx_opset_17(tmp_path):
    import onnx

    from myotrain.export import export_onnx

    cfg = default_cfg()
    m = build_student(cfg["student"]).eval()
    sig = export_onnx(m, 64, tmp_path / "m.onnx", 17)
    assert sig["inputs"] == {"image": [1, 1, 64, 64]}
    assert sig["outputs"] == {"logits": [1, 2], "attention": [1, 1, 8, 8]}
    model = onnx.load(str(tmp_path / "m.onnx"))
    assert model.opset_import[0].version == 17
    assert {"TopK", "GatherElements", "ScatterElements"} <= {n.op_type for n in model.graph.node}
    assert np.prod([d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]) == 64 * 64
