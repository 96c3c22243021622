"""Native in lm-eval and other trainers (issue 19): installed task discovery, resumable
evaluation, verl's reward signature."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

RPT = str(Path(sys.executable).parent / "rpt")
LM_EVAL = str(Path(sys.executable).parent / "lm_eval")


def test_include_path_from_rpt_tasks_path_works_from_any_folder(tiny_model, tmp_path, mirror):
    path = subprocess.run([RPT, "tasks", "--path"], capture_output=True, text=True, check=True).stdout.strip()
    assert (Path(path) / "math" / "rpt_gsm8k.yaml").is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = subprocess.run([LM_EVAL, "run", "--include_path", path, "--tasks", "rpt_gsm8k", "--model", "hf",
                           "--model_args", f"pretrained={tiny_model}", "--limit", "1", "--gen_kwargs",
                           "max_gen_toks=4"], cwd=empty, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "rpt_gsm8k" in proc.stdout


def test_include_defaults_indexes_lm_evals_own_tasks(tiny_model, tmp_path):
    base = [RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks", "arc_easy",
            "--limit", "1", "--no-cache"]
    without = subprocess.run(base, capture_output=True, text=True, timeout=600)
    assert without.returncode != 0 and "arc_easy" in without.stderr
    with_defaults = subprocess.run(base + ["--include_defaults"], capture_output=True, text=True, timeout=600)
    # offline the task's data cannot load, but lm-eval now knows the task
    assert "not found" not in with_defaults.stderr.lower().split("arc_easy")[0][-200:]
    assert with_defaults.stderr != without.stderr


def _cached_requests(cache: Path) -> int:
    import sqlite3

    count = 0
    for db in cache.glob("*.db"):
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as connection:
                tables = [r[0] for r in connection.execute("select name from sqlite_master where type='table'")]
                count += sum(connection.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables)
        except sqlite3.Error:
            pass
    return count


def _samples(out: Path) -> list:
    (path,) = out.rglob("samples_rpt_gsm8k_*.jsonl")
    return [json.loads(line)["resps"] for line in path.read_text().split("\n") if line]


def test_a_killed_run_resumes_with_identical_results(tiny_model, tmp_path, mirror):
    env = dict(os.environ, RPT_CACHE=str(tmp_path / "cache"))
    args = ["--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks", "rpt_gsm8k", "--limit", "30",
            "--gen_kwargs", "max_gen_toks=96", "--log_samples"]
    reference = subprocess.run([RPT, "eval", *args, "--no-cache", "--output_path", str(tmp_path / "ref")], env=env,
                               capture_output=True, text=True, timeout=900)
    assert reference.returncode == 0, reference.stderr[-2000:]
    proc = subprocess.Popen([RPT, "eval", *args, "--output_path", str(tmp_path / "run")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    cache = tmp_path / "cache" / "eval-cache"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and _cached_requests(cache) < 3:
        time.sleep(0.2)  # until a few requests are in the cache
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "run").exists() or not list((tmp_path / "run").rglob("results_*.json"))
    again = subprocess.run([RPT, "eval", *args, "--output_path", str(tmp_path / "run")], env=env,
                           capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "cached in" in again.stderr
    assert _samples(tmp_path / "run") == _samples(tmp_path / "ref")


def test_verl_compute_score_uses_the_same_verifiers():
    from rpt_train.rewards import compute_score

    assert compute_score("gsm8k", "work...\nANSWER: 18", "18") == 1.0
    assert compute_score("gsm8k", "ANSWER: 17", "18") == 0.0
    assert compute_score("rpt_math500", "so \\boxed{\\frac{1}{2}}", ["0.5", "1/2"]) == 1.0
    assert compute_score("arc_challenge", "ANSWER: B", "B", {"options": ["w", "x", "y", "z"]}) == 1.0
    doc = {"rpt_benchmark": "gsm8k", "rpt_kind": "math", "question": "q", "gold": "3"}
    assert compute_score("ignored", "ANSWER: 3", "0", {"rpt_doc": json.dumps(doc)}) == 1.0


def test_ctrl_c_is_one_line_and_leaves_no_results(tiny_model, tmp_path, mirror):
    env = dict(os.environ, RPT_CACHE=str(tmp_path / "cache"))
    proc = subprocess.Popen([RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks",
                             "rpt_gsm8k", "--limit", "30", "--gen_kwargs", "max_gen_toks=96", "--output_path",
                             str(tmp_path / "run")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and _cached_requests(tmp_path / "cache" / "eval-cache") < 2:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr[-2000:]
    assert "interrupted, no results written" in stderr and "resume" in stderr
    assert not list((tmp_path / "run").rglob("results_*.json")) if (tmp_path / "run").exists() else True


def test_trl_grpo_trains_with_our_reward_on_an_exported_mixture(tiny_model, tmp_path, mirror):
    data = tmp_path / "data"
    run = subprocess.run([RPT, "train", "--config", str(Path(__file__).resolve().parents[2] / "recipes" / "smoke-cpu.yaml"),
                          "--model", str(tiny_model), "--export-dataset", str(data)], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [json.loads(line) for line in (data / "train.jsonl").read_text().split("\n") if line]
    assert len(rows) == 64 and {"prompt", "rpt_domain", "rpt_doc"} <= set(rows[0])
    trl = subprocess.run([str(Path(sys.executable).parent / "trl"), "grpo", "--model_name_or_path", str(tiny_model),
                          "--dataset_name", str(data), "--reward_funcs", "rpt_train.rewards.math", "--max_steps", "1",
                          "--per_device_train_batch_size", "2", "--num_generations", "2", "--max_completion_length", "8",
                          "--output_dir", str(tmp_path / "trl"), "--use_cpu", "--report_to", "none", "--bf16", "false"],
                         capture_output=True, text=True, timeout=600)
    assert trl.returncode == 0, trl.stderr[-3000:]
    assert "rewards/math_reward/mean" in trl.stdout + trl.stderr


def _truncated_as_counted(tokenizer, samples: list[dict], limit: int) -> bool:
    """Every sample's `truncated` is whether its output reached `limit` tokens (the request's)."""
    for sample in samples:
        outputs = sample["filtered_resps"][0]
        outputs = outputs if isinstance(outputs, list) else [outputs]
        expected = sum(len(tokenizer(o, add_special_tokens=False)["input_ids"]) >= limit - 1 for o in outputs) / len(outputs)
        if sample["truncated"] != expected:
            return False
    return True


def test_truncated_counts_the_requests_limit_through_lm_evals_python_api(tiny_model, mirror):
    """simple_evaluate with the user's own TaskManager and gen_kwargs, no --metadata: `truncated`
    counts against the limit the requests used."""
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager
    from transformers import AutoTokenizer

    from rpt_tasks.harness.configs import task_dir

    out = simple_evaluate(model="hf", model_args=f"pretrained={tiny_model}", tasks=["rpt_gsm8k"], limit=3,
                          gen_kwargs="max_gen_toks=5", log_samples=True, device="cpu",
                          task_manager=TaskManager(include_path=str(task_dir()), include_defaults=False))
    samples = out["samples"]["rpt_gsm8k"]
    assert out["results"]["rpt_gsm8k"]["truncated,none"] > 0  # a random model talks until the limit
    assert _truncated_as_counted(AutoTokenizer.from_pretrained(tiny_model), samples, 5)


def test_plain_lm_eval_gen_kwargs_and_rpt_eval_config_file(tiny_model, tmp_path, mirror):
    """`lm_eval --gen_kwargs max_gen_toks=N` without --metadata, and `rpt eval --config FILE`
    whose tasks and gen_kwargs come from the file: both count `truncated` against N."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    plain = tmp_path / "plain"
    proc = subprocess.run([LM_EVAL, "run", "--include_path", "task_configs", "--tasks", "rpt_gsm8k", "--model", "hf",
                           "--model_args", f"pretrained={tiny_model}", "--limit", "2", "--gen_kwargs", "max_gen_toks=6",
                           "--log_samples", "--output_path", str(plain)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    samples = [json.loads(line) for line in next(plain.rglob("samples_rpt_gsm8k_*.jsonl")).read_text().splitlines()]
    assert _truncated_as_counted(tokenizer, samples, 6) and any(s["truncated"] for s in samples)

    config = tmp_path / "eval.yaml"
    out = tmp_path / "configured"
    config.write_text(f"model: hf\nmodel_args:\n  pretrained: {tiny_model}\ntasks: [rpt_gsm8k]\nlimit: 2\n"
                      f"gen_kwargs:\n  max_gen_toks: 5\nlog_samples: true\noutput_path: {out}\n")
    proc = subprocess.run([RPT, "eval", "--config", str(config), "--no-cache"], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(next(out.rglob("results_*.json")).read_text())
    assert results["configs"]["rpt_gsm8k"]["metadata"]["rpt_max_gen_toks"] == 5
    samples = [json.loads(line) for line in next(out.rglob("samples_rpt_gsm8k_*.jsonl")).read_text().splitlines()]
    assert _truncated_as_counted(tokenizer, samples, 5)
    bad = tmp_path / "bad.yaml"
    bad.write_text("tasks: [unclosed\n")
    proc = subprocess.run([RPT, "eval", "--config", str(bad)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2 and "--config" in proc.stderr and "Traceback" not in proc.stderr


def test_num_fewshot_is_refused_for_tasks_without_a_fewshot_split(tiny_model, tmp_path, mirror):
    """--num_fewshot would draw the shots from the test set itself: refused, in rpt eval before
    the model loads, and in plain lm_eval by the task's own hook."""
    args = ["--tasks", "rpt_gsm8k", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--limit", "1",
            "--num_fewshot", "2", "--gen_kwargs", "max_gen_toks=4"]
    ours = subprocess.run([RPT, "eval", *args, "--no-cache"], capture_output=True, text=True, timeout=600)
    assert ours.returncode == 2 and "--num_fewshot 2 refused" in ours.stderr and "Traceback" not in ours.stderr
    plain = subprocess.run([LM_EVAL, "run", "--include_path", "task_configs", *args], capture_output=True, text=True,
                           timeout=600)
    assert plain.returncode != 0 and "--num_fewshot 2 refused" in plain.stderr + plain.stdout


def test_task_folder_entry_point_in_the_upstream_proposals_form():
    """`lm_eval.tasks` entry point (lm-eval PR 4015's plugin form): installed metadata names a
    callable that returns our task folder."""
    from importlib.metadata import entry_points

    (point,) = entry_points(group="lm_eval.tasks", name="rpt")
    folder = Path(point.load()())
    assert (folder / "math" / "rpt_gsm8k.yaml").is_file() and (folder / "aider_polyglot").is_dir()


def test_an_installed_wheel_runs_a_task_from_an_empty_folder(tiny_model, tmp_path, mirror):
    """The package as a user without a checkout gets it: a wheel installed into a fresh venv (its
    dependencies, too heavy to install again here, are this environment's, added after the venv's
    own site-packages by a .pth file, so the wheel's copy of rpt_tasks wins over any other), then
    `lm_eval --include_path "$(rpt tasks --path)" --tasks rpt_gsm8k` from an empty folder, and the
    entry point from the wheel's metadata."""
    import site
    import venv

    from conftest import REPO

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path / "dist"), str(REPO)], check=True, capture_output=True, timeout=900)
    (wheel,) = (tmp_path / "dist").glob("rpt_transfer-*.whl")
    venv.EnvBuilder(with_pip=True).create(tmp_path / "venv")
    python, rpt = str(tmp_path / "venv" / "bin" / "python"), str(tmp_path / "venv" / "bin" / "rpt")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True,
                   timeout=900)
    empty = tmp_path / "empty"
    empty.mkdir()
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "zz_test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    path = subprocess.run([rpt, "tasks", "--path"], cwd=empty, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()
    assert path.startswith(str(tmp_path / "venv")), path  # the wheel's copy, not the checkout's
    proc = subprocess.run([python, "-m", "lm_eval", "run", "--include_path", path, "--tasks", "rpt_gsm8k", "--model",
                           "hf", "--model_args", f"pretrained={tiny_model}", "--limit", "1", "--gen_kwargs",
                           "max_gen_toks=4"], cwd=empty, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "rpt_gsm8k" in proc.stdout
    found = subprocess.run([python, "-c", "from importlib.metadata import entry_points; "
                            "print(entry_points(group='lm_eval.tasks', name='rpt')[0].load()())"],
                           cwd=empty, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert found == path
