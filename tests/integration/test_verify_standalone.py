"""The verifier core as another trainer would use it: a fresh venv with only this package (no
dependencies) and math-verify scores docs as the harness builds them (GSM8K, MedQA), importing
none of torch, lm_eval, datasets or transformers (they are not even installed there)."""

import json
import subprocess
import sys
import venv

from conftest import REPO

from rpt_tasks.data import load_docs

SCRIPT = """
import json, sys
from rpt_tasks.verify import verify_docs
cases = json.load(open(sys.argv[1]))
verdicts = verify_docs([c["output"] for c in cases], [c["doc"] for c in cases])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "lm_eval", "datasets", "transformers"))
print(json.dumps({"correct": [v.correct for v in verdicts], "heavy": heavy}))
"""


def test_verify_docs_in_a_venv_with_only_math_verify(tmp_path, mirror):
    cases = []
    for name in ("gsm8k", "medqa"):
        for doc in load_docs(name)[:5]:
            wrong = "ANSWER: 987654321" if name == "gsm8k" else f"ANSWER: {'A' if doc['gold'] != 'A' else 'B'}"
            cases += [{"doc": doc, "output": f"Let me think.\nANSWER: {doc['gold']}", "want": True},
                      {"doc": doc, "output": wrong, "want": False}]
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    venv.EnvBuilder(with_pip=True).create(tmp_path / "venv")
    python = str(tmp_path / "venv" / "bin" / "python")
    for args in (["--no-deps", str(REPO)], ["math-verify==0.9.0"]):
        proc = subprocess.run([python, "-m", "pip", "install", "-q", *args], capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stderr[-3000:]
    # run from an empty folder, so the checkout is not on the path
    proc = subprocess.run([python, "-c", SCRIPT, str(tmp_path / "cases.json")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["correct"] == [c["want"] for c in cases] and result["heavy"] == []
    assert "site-packages" in subprocess.run([python, "-c", "import rpt_tasks; print(rpt_tasks.__file__)"],
                                             cwd=tmp_path, capture_output=True, text=True).stdout
