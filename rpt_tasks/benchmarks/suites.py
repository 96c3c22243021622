"""The suite groups across domains: the paper's structured and unstructured sides, and the whole suite."""

from __future__ import annotations

from rpt_tasks.benchmarks.spec import Group

FOLDER = "suites"
TITLE = "rpt suites"
INTRO = "Groups across domains."
NOTES = ""
BENCHMARKS = []
VARIANTS = []
GROUPS = [
    Group("rpt_structured", ("rpt_math", "rpt_code"), "The paper's structured side: math and code"),
    Group("rpt_unstructured", ("rpt_knowledge",), "The paper's unstructured side: knowledge-heavy reasoning"),
    Group("rpt_suite", ("rpt_math", "rpt_code", "rpt_knowledge", "rpt_science", "rpt_logic"),
          "Every domain, offline-complete (runs from the mirror and reasoning-gym); see rpt_suite_full"),
    Group("rpt_suite_full", ("rpt_math", "rpt_code", "rpt_codeforces", "rpt_bigcodebench", "rpt_aider_polyglot",
                             "rpt_knowledge_full", "rpt_science_full", "rpt_logic"),
          "rpt_suite plus the sets that need the hub (GPQA-Diamond, MMLU-Pro STEM, FinBen, LegalBench, Codeforces),\n"
          "extra libraries (BigCodeBench) or toolchains (Aider Polyglot; rpt eval skips languages it cannot run)"),
]
CITATIONS = {}
