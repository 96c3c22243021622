#!/usr/bin/env bash
# BigCodeBench's evaluation environment: Python 3.10 with the library versions its tests were
# written against (rpt_tasks/benchmarks/bigcodebench_requirements.txt), in a folder of its own. rpt runs
# the tests with this interpreter once RPT_BIGCODEBENCH_PYTHON points at it.
#
#   bash scripts/setup_bigcodebench_env.sh [DEST]        (needs python3.10 and the package index)
set -euo pipefail
PYTHON310=${PYTHON310:-python3.10}
DEST=${1:-${RPT_CACHE:-$HOME/.cache/rpt}/bigcodebench-env}
REQUIREMENTS=$(python -c 'import pathlib, rpt_tasks; print(pathlib.Path(rpt_tasks.__file__).parent / "benchmarks" / "bigcodebench_requirements.txt")')
"$PYTHON310" -m venv "$DEST"
"$DEST/bin/pip" install --quiet --upgrade pip
"$DEST/bin/pip" install --quiet -r "$REQUIREMENTS"
# NLTK corpora some tasks load (the sandbox has no network to fetch them at run time)
"$DEST/bin/python" -m nltk.downloader -q -d "$DEST/nltk_data" punkt stopwords wordnet averaged_perceptron_tagger \
    vader_lexicon brown omw-1.4 || echo "warning: NLTK data not downloaded; the tasks that need it will fail"
echo "done. Now: export RPT_BIGCODEBENCH_PYTHON=$DEST/bin/python"
