"""A newcomer's first commands (issue 20), through the CLI."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

RPT = str(Path(sys.executable).parent / "rpt")


def test_default_generation_length_is_clamped_to_the_model_context(tiny_model, tmp_path, mirror):
    """The tasks allow 8192 new tokens; the tiny model has a shorter context. No --gen_kwargs:
    the run works, says so once, and records the limit `truncated` counts against."""
    config = json.loads((tiny_model / "config.json").read_text())
    out = tmp_path / "out"
    proc = subprocess.run([RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks",
                           "rpt_gsm8k", "--limit", "1", "--output_path", str(out)], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr.count("rpt eval: the tasks allow 8192 new tokens") == 1
    (results,) = out.rglob("results_*.json")
    assert proc.stderr.count("Custom kwargs can be passed to `--metadata`") <= 1  # once per run, not per task
    meta = json.loads(results.read_text())["configs"]["rpt_gsm8k"]["metadata"]
    assert 0 < meta["rpt_max_gen_toks"] < config["max_position_embeddings"]


def test_rpt_eval_help_starts_with_what_it_adds():
    proc = subprocess.run([RPT, "eval", "--help"], capture_output=True, text=True, timeout=120)
    assert proc.stdout.startswith("rpt eval: lm-eval's `run` command") and "--no-cache" in proc.stdout
    assert "usage:" in proc.stdout  # and lm-eval's own flags after it


def test_metadata_hint_once_per_run_and_missing_compare_folder(tiny_model, tmp_path, mirror):
    proc = subprocess.run([RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks",
                           "rpt_gsm8k,rpt_math500", "--limit", "1", "--gen_kwargs", "max_gen_toks=4", "--no-cache"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr.count("Custom kwargs can be passed to `--metadata`") == 1
    missing = subprocess.run([RPT, "compare", "--base", str(tmp_path / "nope"), "--model", str(tmp_path / "nope2"),
                              "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no such folder" in missing.stderr


def test_cli_basics():
    typo = subprocess.run([RPT, "evl"], capture_output=True, text=True)
    assert typo.returncode == 2 and "unknown command 'evl'" in typo.stderr and "rpt eval" in typo.stderr
    version = subprocess.run([RPT, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("rpt-transfer ")


def test_a_second_run_into_a_folder_still_compares(tmp_path):
    """lm-eval adds a results file per run; rpt compare takes the newest run of each task and says so."""
    def write(folder: Path, stamp: str, values: list[float]) -> None:
        run = folder / "m"
        run.mkdir(parents=True, exist_ok=True)
        (run / f"results_{stamp}.json").write_text(json.dumps({"versions": {"rpt_gsm8k": 1.0},
                                                               "configs": {"rpt_gsm8k": {}}}))
        (run / f"samples_rpt_gsm8k_{stamp}.jsonl").write_text(
            "".join(json.dumps({"doc_id": i, "doc": {"rpt_id": str(i)}, "acc": v}) + "\n" for i, v in enumerate(values)))

    write(tmp_path / "base", "2026-12-01T00-00-00", [0.0] * 20)
    write(tmp_path / "model", "2026-12-01T00-00-00", [0.0] * 20)
    write(tmp_path / "model", "2026-12-02T00-00-00", [1.0] * 10 + [0.0] * 10)  # the re-run
    proc = subprocess.run([RPT, "compare", "--base", str(tmp_path / "base"), "--model", str(tmp_path / "model"),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "using the newest" in proc.stderr and "2026-12-02" in proc.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["models"]["model"]["benchmarks"]["rpt_gsm8k"]["delta"] == 0.5
    shutil.rmtree(tmp_path / "o")


def test_plan_works_offline_for_every_recipe_and_the_aliases(capsys):
    from rpt_train.config import load_recipe
    from rpt_train.plan import print_plan

    recipes = sorted((Path(__file__).resolve().parents[2] / "recipes").glob("*.yaml"))
    proc = subprocess.run([RPT, "train", "--config", str(recipes[0]), "--plan"], capture_output=True, text=True,
                          timeout=300)  # the command itself, once; every recipe through the same function
    assert proc.returncode == 0 and "total" in proc.stdout and "Traceback" not in proc.stderr, proc.stderr
    for recipe in recipes:
        print_plan(*load_recipe(str(recipe)))
        assert "total (+10%)" in capsys.readouterr().out, recipe
    unknown = subprocess.run([RPT, "train", "--config", str(recipes[0]), "--model", "nobody/nothing", "--plan"],
                             capture_output=True, text=True, timeout=300)
    assert unknown.returncode == 2 and "cannot read the shape" in unknown.stderr and "Traceback" not in unknown.stderr


# Peak RSS of recipes/learn-smollm2-cpu.yaml on 2 CPU cores (scripts/bench_plan.py, 2026-12-03):
# batch 8: 5.32 GiB, batch 16: 9.08 GiB
MEASURED_CPU_PEAK_GIB = {8: 5.32, 16: 9.08}


def test_cpu_plan_measures_the_prompts_and_lands_within_25_percent_of_a_measured_run(mirror, capsys):
    from rpt_train.config import load_recipe
    from rpt_train.plan import prompt_tokens, print_plan

    recipe = str(Path(__file__).resolve().parents[2] / "recipes" / "learn-smollm2-cpu.yaml")
    cfg, model = load_recipe(recipe)
    prompt, how = prompt_tokens(cfg, model)
    assert how == "measured on 32 arithmetic_easy prompts" and 60 < prompt < 100
    for batch, peak in MEASURED_CPU_PEAK_GIB.items():
        cfg, model = load_recipe(recipe, ["--per_device_train_batch_size", str(batch)])
        total = print_plan(cfg, model)["total"]
        assert 0.75 <= total / peak <= 1.25, (batch, total, peak)
