"""Optional LLM judge for free-form answers, through any OpenAI-compatible endpoint.

Off by default: rule-based verifiers decide everything unless RPT_JUDGE_BASE_URL is set (e.g.
http://localhost:8000/v1 for `vllm serve`), and even then only answers the rules reject are
sent, so a judge can rescue a paraphrase but never overturn an exact match. Responses are
cached per (question, answer, gold), so repeated evaluation costs nothing. Training rewards
never call it (they must be cheap and deterministic).
"""

from __future__ import annotations

import json
import os
import threading
import urllib.request

PROMPT = """You grade answers to a question against the reference answer.
Question: {question}
Reference answer: {gold}
Candidate answer: {answer}
Does the candidate answer mean the same as the reference answer (same entities, or the same
number up to rounding and units)? Reply with exactly one word: YES or NO."""

_cache: dict[tuple[str, str, str], bool] = {}
_lock = threading.Lock()


def judge_enabled() -> bool:
    return bool(os.environ.get("RPT_JUDGE_BASE_URL"))


def judge_equivalent(question: str, answer: str, gold: str, timeout_s: float = 60.0) -> bool:
    """Ask the judge model whether `answer` matches `gold`. Needs RPT_JUDGE_BASE_URL;
    RPT_JUDGE_MODEL names the model (default: the server's first), RPT_JUDGE_API_KEY the key."""
    key = (question, answer, gold)
    with _lock:
        if key in _cache:
            return _cache[key]
    base = os.environ["RPT_JUDGE_BASE_URL"].rstrip("/")
    body = {"model": os.environ.get("RPT_JUDGE_MODEL", "default"), "temperature": 0.0, "max_tokens": 4,
            "messages": [{"role": "user", "content": PROMPT.format(question=question[-4000:], gold=gold, answer=answer)}]}
    request = urllib.request.Request(
        f"{base}/chat/completions", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 "Authorization": f"Bearer {os.environ.get('RPT_JUDGE_API_KEY', 'none')}"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 - user-configured URL
        reply = json.loads(response.read())
    verdict = reply["choices"][0]["message"]["content"].strip().upper().startswith("YES")
    with _lock:
        _cache[key] = verdict
    return verdict
