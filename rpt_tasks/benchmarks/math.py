"""Math (structured): GSM8K, MATH-500, AIME 2024 and AMC 2023, scored by math equivalence of the
final answer (rpt_tasks.verify.math_answers)."""

from __future__ import annotations

from rpt_tasks.benchmarks.spec import Benchmark, Group, Hub, Mirror, math_prompt, plain_number

FOLDER = "math"
TITLE = "rpt math tasks"
INTRO = ("The math domain of \"Breaking Barriers: Do Reinforcement Post Training Gains Transfer To Unseen "
         "Domains?\" (Hu et al., arXiv 2506.19733): GSM8K, MATH-500, AIME 2024 and AMC 2023.")
NOTES = """\
Scoring: `rpt_tasks.verify` (answer kind `math`), the same function the GRPO trainer uses as its
math reward. The final answer is read after any `<think>` block: the last `ANSWER:` line, else the
last `\\boxed{}`, else the last number. Plain numbers are compared exactly (so `025` = `25`, `27.0` =
`27`, `1,000` = `1000`); anything else goes to math-verify in a worker process with a hard time
bound. The mirror's AMC 2023 answers are floats and AIME's keep zero padding; both compare
numerically."""
PAPER_SAMPLING = {"do_sample": True, "temperature": 0.6, "top_p": 0.95}  # avg@16, as in the paper
METRIC = "acc: math-verify equivalence of the final answer"


def gsm8k_gold(answer: object) -> str:
    """GSM8K solutions end with '#### <number>'; the number is the gold answer."""
    text = str(answer)
    if "####" not in text:
        raise ValueError("GSM8K answer has no '#### <number>' line")
    return text.rsplit("####", 1)[1].strip().replace(",", "")


def gsm8k_row(row: dict) -> dict:
    return {"question": row["question"], "gold": gsm8k_gold(row["answer"])}


def math_row(row: dict) -> dict:
    """MATH / MATH-500 layout: problem, answer, unique_id (subject and level kept)."""
    return {"question": row["problem"], "gold": str(row["answer"]), "id": row["unique_id"],
            "subject": row.get("subject"), "level": row.get("level")}


def aime_row(row: dict) -> dict:
    return {"question": row["problem"], "gold": plain_number(row["answer"]), "id": row["id"]}


def amc_row(row: dict) -> dict:
    return {"question": row["question"], "gold": plain_number(row["answer"]), "id": row["id"]}


_MATH = dict(domain="math", kind="math", metric=METRIC, prompt=math_prompt)

BENCHMARKS = [
    Benchmark(name="gsm8k", adapter=gsm8k_row, hub=Hub("openai/gsm8k", "test", name="main", revision="740312add88f781978c0658806c59bc2815b9866"),
              mirror=Mirror("gsm8k", "test"), size=1319, **_MATH),
    Benchmark(name="math500", adapter=math_row, hub=Hub("HuggingFaceH4/MATH-500", "test", revision="6e4ed1a2a79af7d8630a6b768ec859cb5af4d3be"),
              mirror=Mirror("math500", "test"), size=500, **_MATH),
    Benchmark(name="aime24", adapter=aime_row, hub=Hub("HuggingFaceH4/aime_2024", "train", revision="2fe88a2f1091d5048c0f36abc874fb997b3dd99a"),
              mirror=Mirror("aime24", "train"), size=30, samples=16, sampling=PAPER_SAMPLING, **_MATH),
    Benchmark(name="amc23", adapter=amc_row, hub=Hub("zwhe99/amc23", "test", revision="f9810c0439cd3c670ec885d328a2f06a87f3694a"), mirror=Mirror("amc23", "test"),
              size=40, samples=16, sampling=PAPER_SAMPLING, **_MATH),
]
VARIANTS = []
GROUPS = [Group("rpt_math", ("rpt_gsm8k", "rpt_math500", "rpt_aime24", "rpt_amc23"),
                "GSM8K, MATH-500, AIME 2024 and AMC 2023")]
CITATIONS = {
    "gsm8k": "@article{cobbe2021gsm8k, title={Training Verifiers to Solve Math Word Problems}, author={Cobbe, Karl and others}, journal={arXiv:2110.14168}, year={2021}}",
    "math500": "@article{hendrycks2021math, title={Measuring Mathematical Problem Solving With the MATH Dataset}, author={Hendrycks, Dan and others}, journal={NeurIPS}, year={2021}}",
}
