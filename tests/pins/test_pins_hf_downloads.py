"""Hugging Face downloads in Python code, read with ast."""

from __future__ import annotations

from pathlib import Path

from pins_scan import by_rule, scan, write

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_revisions_and_trust_remote_code(tmp_path: Path) -> None:
    write(tmp_path, "local-model/config.json", "{}")
    write(tmp_path, "train.py", f"""
        from datasets import load_dataset
        from huggingface_hub import hf_hub_download, snapshot_download
        from transformers import AutoModel, AutoTokenizer

        model = AutoModel.from_pretrained("org/model")
        tok = AutoTokenizer.from_pretrained("org/model", revision="{SHA}")
        branch = AutoModel.from_pretrained("org/model", revision="main")
        remote = AutoModel.from_pretrained("org/custom", revision="{SHA}", trust_remote_code=True)
        path = hf_hub_download(repo_id="org/model", filename="w.safetensors")
        snap = snapshot_download("org/model", revision=REVISION)
        local = AutoModel.from_pretrained("./local-model")
        local2 = AutoModel.from_pretrained("local-model")
        csv = load_dataset("csv", data_files="train.csv")
        imdb = load_dataset("stanfordnlp/imdb", split="train")
        kwargs = AutoModel.from_pretrained("org/model", **settings)
        text = "from_pretrained('org/x') in a string is not a call"
        """)
    result = scan(tmp_path, "train.py")
    assert by_rule(result.findings, "pins.hf-unpinned-revision") == [
        ("train.py", 5), ("train.py", 7), ("train.py", 9), ("train.py", 14)]
    assert by_rule(result.findings, "pins.hf-trust-remote-code") == [("train.py", 8)]
    trust = next(f for f in result.findings if f.rule == "pins.hf-trust-remote-code")
    assert trust.severity.value == "high"


def test_files_without_downloads_and_broken_python(tmp_path: Path) -> None:
    write(tmp_path, "plain.py", "def f(:\n    pass\n")  # broken, but no download: not our business
    write(tmp_path, "broken.py", "model = from_pretrained('x'\n")
    result = scan(tmp_path, "plain.py", "broken.py", hf_functions=["from_pretrained"])
    assert [(f.rule, f.path) for f in result.findings] == [("pins.invalid-file", "broken.py")]
    assert result.findings[0].line == 1


def test_a_repository_id_is_never_probed_outside_the_root(tmp_path: Path) -> None:
    """``org/../../x`` exists outside the root: that must not make a Hub download count as a local path."""
    (tmp_path / "x").mkdir()
    repo = tmp_path / "repo"
    write(repo, "org/keep", "")
    write(repo, "train.py", """
        from transformers import AutoModel
        model = AutoModel.from_pretrained("org/../../x")
        """)
    result = scan(repo, "train.py")
    assert by_rule(result.findings, "pins.hf-unpinned-revision") == [("train.py", 2)]
