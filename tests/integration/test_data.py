import json
import os
from pathlib import Path

import pytest

from rpt_tasks.data import DataError, load, load_docs
from rpt_tasks.benchmarks import BENCHMARKS, get_benchmark
from rpt_tasks.verify import CODE_KINDS


NOT_MIRRORED = {"codeforces", "usaco"}  # no offline copy exists (see the mirror's README)
MIRROR = Path(os.environ["RPT_DATA_DIR"])


MIRRORED = sorted(n for n, b in BENCHMARKS.items() if n not in NOT_MIRRORED
                  and not b.generator and b.mirror and (MIRROR / b.mirror.folder).is_dir())


@pytest.mark.parametrize("name", MIRRORED)
def test_mirror_rows_become_docs_of_the_published_size(name, mirror):
    bench = get_benchmark(name)
    if bench.requires and bench.requires():  # reported, not scored: see test_polyglot.py
        pytest.skip(f"{name} cannot be judged on this machine: {bench.requires()}")
    loaded = load(name)
    docs = loaded.docs
    # rows this machine cannot judge are left out and recorded (BigCodeBench, Aider Polyglot)
    left_out = len(loaded.left_out)
    size = bench.mirror.size or bench.size or len(docs) + left_out
    assert len(docs) + left_out == size
    assert len({d["rpt_id"] for d in docs}) == len(docs)  # ids pair samples across runs
    assert all(d["question"].strip() for d in docs)
    if bench.kind not in CODE_KINDS:  # code is judged by its tests; other kinds need a gold answer
        assert all(d["gold"] for d in docs)
    else:
        assert all(json.loads(d["tests"])["kind"] in ("function", "stdio", "project", "unittest") for d in docs)
    assert {d["rpt_benchmark"] for d in docs} == {name}


@pytest.mark.parametrize("name", sorted(NOT_MIRRORED))
def test_unmirrored_benchmark_says_where_to_put_its_data(name, mirror):
    with pytest.raises(DataError, match=rf"{name}/test\.jsonl does not exist"):
        load_docs(name)


def test_benchmark_without_hub_copy_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("RPT_DATA_DIR")
    with pytest.raises(DataError, match=r"usaco has no copy on the Hugging Face hub.*usaco/test\.jsonl"):
        load_docs("usaco")


def test_golds_are_normalised(mirror):
    gsm8k = load_docs("gsm8k")
    assert gsm8k[0]["gold"] == "18" and "####" not in "".join(d["gold"] for d in gsm8k)
    assert load_docs("amc23")[0]["gold"] == "27"  # stored as the float 27.0
    assert "025" in {d["gold"] for d in load_docs("aime24")}  # zero padding kept; the verifier compares numerically


def test_task_name_and_unknown_benchmark():
    assert get_benchmark("rpt_gsm8k").name == "gsm8k"
    with pytest.raises(KeyError, match="known: .*gsm8k"):
        get_benchmark("nope")


def _fake_mirror(tmp_path, monkeypatch, lines):
    (tmp_path / "gsm8k").mkdir()
    (tmp_path / "gsm8k" / "test.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("RPT_DATA_DIR", str(tmp_path))


def test_missing_file_names_it_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("RPT_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match=r"gsm8k/test\.jsonl does not exist.*RPT_DATA_DIR"):
        load_docs("gsm8k")


def test_broken_json_row_is_reported_with_file_and_line(tmp_path, monkeypatch):
    good = json.dumps({"question": "1+1?", "answer": "so\n#### 2"})
    _fake_mirror(tmp_path, monkeypatch, [good, "", good, '{"question": "oops"'])
    with pytest.raises(DataError, match=r"test\.jsonl:4: not valid JSON"):
        load_docs("gsm8k")


def test_row_missing_a_column_is_reported(tmp_path, monkeypatch):
    _fake_mirror(tmp_path, monkeypatch, [json.dumps({"question": "1+1?"})])
    with pytest.raises(DataError, match=r"test\.jsonl:1: row lacks column\(s\) \['answer'\]"):
        load_docs("gsm8k")


def test_unusable_gold_is_reported(tmp_path, monkeypatch):
    _fake_mirror(tmp_path, monkeypatch, [json.dumps({"question": "1+1?", "answer": "two"})])
    with pytest.raises(DataError, match=r"test\.jsonl:1: unusable row for benchmark 'gsm8k'.*####"):
        load_docs("gsm8k")


def test_non_object_row_is_reported(tmp_path, monkeypatch):
    _fake_mirror(tmp_path, monkeypatch, ["[1, 2]"])
    with pytest.raises(DataError, match=r"test\.jsonl:1: expected a JSON object"):
        load_docs("gsm8k")


def test_hub_path_is_used_without_mirror(monkeypatch):
    """Without RPT_DATA_DIR the hub is asked (here offline, so `datasets` refuses: the point is
    that the hub id, config and split from the registry reach load_dataset)."""
    import datasets

    seen = {}

    def fake_load_dataset(path, name=None, split=None, revision=None, streaming=False):
        seen.update(path=path, name=name, split=split, revision=revision)
        return [{"question": "1+1?", "answer": "#### 2"}]

    monkeypatch.delenv("RPT_DATA_DIR")
    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    docs = load_docs("gsm8k")
    assert seen == {"path": "openai/gsm8k", "name": "main", "split": "test",
                    "revision": "740312add88f781978c0658806c59bc2815b9866"}
    assert docs[0]["gold"] == "2" and docs[0]["rpt_id"] == "0"
