"""Real checkpoints written by the real libraries produce no finding at all (zero false positives)."""

from __future__ import annotations

from pathlib import Path

import pytest
from serialization_samples import imports_found

from mlaudit.model import Severity
from mlaudit.serialization.policy import ImportPolicy
from mlaudit.serialization.scanner import ModelScanner, ScanSettings

pytestmark = pytest.mark.slow  # real torch, scikit-learn and Keras checkpoints

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")


class CustomBlock(torch.nn.Module):  # type: ignore[misc,name-defined]
    """A user-defined module: pickling the whole model references this class by name."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = torch.nn.Linear(4, 2)


@pytest.fixture(scope="module")
def benign_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One file per real saving path of the libraries installed here."""
    folder = tmp_path_factory.mktemp("benign")
    net = torch.nn.Sequential(torch.nn.Conv1d(2, 4, 3), torch.nn.ReLU(), torch.nn.BatchNorm1d(4),
                              torch.nn.Flatten(), torch.nn.Linear(8, 3), torch.nn.Dropout(0.1))
    optimizer = torch.optim.AdamW(net.parameters(), lr=1e-3)
    net(torch.randn(5, 2, 4)).sum().backward()
    optimizer.step()
    files = {
        "state_dict.pt": lambda p: torch.save(net.state_dict(), p),
        "whole_module.pth": lambda p: torch.save(net, p),
        "training_ckpt.ckpt": lambda p: torch.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(),
                                                    "epoch": 3, "rng": torch.get_rng_state(),
                                                    "dtype": torch.bfloat16, "device": torch.device("cpu")}, p),
        "legacy.bin": lambda p: torch.save(net.state_dict(), p, _use_new_zipfile_serialization=False),
        "half.pt": lambda p: torch.save({k: v.half() for k, v in net.state_dict().items()}, p),
        "array.npy": lambda p: np.save(p, np.arange(12, dtype=np.float32).reshape(3, 4)),
        "arrays.npz": lambda p: np.savez_compressed(p, a=np.ones(5), b=np.zeros((2, 2), dtype=np.int8)),
    }
    out = {}
    for name, save in files.items():
        path = folder / name
        save(path)
        out[name] = path
    sklearn = pytest.importorskip("sklearn")
    joblib = pytest.importorskip("joblib")
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    assert sklearn is not None
    x = np.random.default_rng(0).normal(size=(60, 4))
    y = (x[:, 0] > 0).astype(int)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y)
    forest = RandomForestClassifier(n_estimators=4, random_state=0).fit(x, y)
    for name, model, compress in [("pipeline.joblib", pipeline, 0), ("forest.joblib", forest, 3),
                                  ("forest.pkl.gz", forest, ("gzip", 3)), ("pipeline.pkl", pipeline, 0)]:
        joblib.dump(model, folder / name, compress=compress)
        out[name] = folder / name
    from safetensors.numpy import save_file

    save_file({"w": np.ones((3, 3), dtype=np.float32), "b": np.zeros(3, dtype=np.float16)},
              str(folder / "model.safetensors"))
    out["model.safetensors"] = folder / "model.safetensors"
    return out


@pytest.mark.parametrize("name", [
    "state_dict.pt", "whole_module.pth", "training_ckpt.ckpt", "legacy.bin", "half.pt", "array.npy",
    "arrays.npz", "pipeline.joblib", "forest.joblib", "forest.pkl.gz", "pipeline.pkl", "model.safetensors",
])
def test_real_checkpoint_has_no_finding_and_is_fully_scanned(benign_files: dict[str, Path], name: str) -> None:
    report = ModelScanner().scan_path(benign_files[name], name)
    assert report.findings == [], [f.message for f in report.findings]
    assert report.complete, report.unscanned
    assert report.parsers


def test_parsers_that_understood_each_format(benign_files: dict[str, Path]) -> None:
    scanner = ModelScanner()
    assert scanner.scan_path(benign_files["state_dict.pt"]).parsers == ["torch-zip", "pickle"]
    assert scanner.scan_path(benign_files["legacy.bin"]).parsers == ["torch-legacy"]
    assert scanner.scan_path(benign_files["forest.joblib"]).parsers == ["zlib", "pickle"]
    assert scanner.scan_path(benign_files["arrays.npz"]).parsers == ["zip", "numpy"]


def test_whole_model_with_a_user_class_names_it_as_unknown(tmp_path: Path) -> None:
    """Policy: a class of the user's own code that loading instantiates is high, allow-listable by name."""
    path = tmp_path / "custom.pt"
    torch.save(CustomBlock(), path)
    report = ModelScanner().scan_path(path, "custom.pt")
    found = imports_found(report)
    assert list(found) == [f"{__name__}.CustomBlock"]
    assert found[f"{__name__}.CustomBlock"].severity is Severity.HIGH
    allowed = ModelScanner(ScanSettings(policy=ImportPolicy([f"{__name__}.CustomBlock"]))).scan_path(path)
    assert allowed.findings == []
