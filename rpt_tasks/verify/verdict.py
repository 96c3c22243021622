"""The result of verifying one output: truthy when correct, float() is the 0/1 reward."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    correct: bool
    answer: str | None  # what was read as the final answer (code: the program); None = none found
    detail: str = ""  # why not, when it is useful (e.g. the sandbox status)

    def __bool__(self) -> bool:
        return self.correct

    def __float__(self) -> float:
        return 1.0 if self.correct else 0.0
