"""Every Python example of the README runs (with few epochs, to stay quick)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).parents[1] / "README.md").read_text()
# The interop section needs skforecast, sktime and aeon: tests/test_interop.py runs it.
CORE = README.split("## Working with skforecast, sktime and aeon")[0]
BLOCKS = re.findall(r"```python\n(.*?)```", CORE, flags=re.S)


def test_the_readme_has_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("block", BLOCKS, ids=[b.splitlines()[-1][:40] for b in BLOCKS])
def test_readme_example_runs(block, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(re.sub(r"max_epochs=\d+", "max_epochs=2", block))
    # A script file in a fresh process: the Dask example's workers re-import it.
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
