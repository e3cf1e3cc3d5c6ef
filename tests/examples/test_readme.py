"""Every Python snippet in the README runs, against a real server, as a user would run it.

A snippet that defines `test_...` functions is a pytest file: it runs through pytester,
with the emulator's own pytest plugin. Any other snippet is executed with the README's
address (http://127.0.0.1:8000) pointed at this test's server.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from emulator import EmulatorServer

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
SCRIPTS = [b for b in BLOCKS if "def test_" not in b]
TEST_FILES = [b for b in BLOCKS if "def test_" in b]


def test_the_readme_has_snippets() -> None:
    assert SCRIPTS


@pytest.mark.parametrize("snippet", SCRIPTS, ids=lambda s: s.strip().splitlines()[0][:40])
def test_readme_snippet_runs(server: EmulatorServer, snippet: str) -> None:
    code = snippet.replace("http://127.0.0.1:8000", server.url)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme_snippet"})


@pytest.mark.parametrize("snippet", TEST_FILES, ids=lambda s: s.strip().splitlines()[0][:40])
def test_readme_pytest_example_passes(pytester: pytest.Pytester, snippet: str) -> None:
    pytester.makepyfile(test_readme_example=snippet)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=snippet.count("def test_"))
