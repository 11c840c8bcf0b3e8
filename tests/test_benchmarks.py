"""The benchmark scripts still import.

They reach into the package's private modules (``_module.scan``, ``_cli._metrics``,
``metrics._binned_counts``), which a refactor could rename with no other test noticing.
Running them is the benchmarks' job; here each is only imported, in one fresh process
(importing some sets thread counts for the processes they start).
"""

import subprocess
import sys
from pathlib import Path

SCRIPTS = sorted((Path(__file__).parents[1] / "benchmarks").glob("*.py"))
# Peers that only the benchmark extra installs: a script that needs a missing one is skipped.
EXTRAS = ("aeon", "statsmodels")

IMPORT_ALL = f"""
import runpy, sys, traceback
for path in sys.argv[1:]:
    try:
        runpy.run_path(path, run_name="imported")  # module level only: no main()
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in {EXTRAS!r}:
            print(path, traceback.format_exc())
    except Exception:
        print(path, traceback.format_exc())
"""


def test_benchmark_scripts_import():
    assert len(SCRIPTS) >= 10
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL, *map(str, SCRIPTS)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == "", result.stdout[-4000:]
