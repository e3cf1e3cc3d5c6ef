"""What a start costs (issue 9): importing the emulator leaves the heavy libraries that
only some requests need unimported, and the copied word lists still equal Faker's (so the
generated text stays byte-identical)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from emulator.generate.words import LOREM_EN, LOREM_ZH

LAZY = ("faker", "jsonschema", "jsonschema_rs", "yaml", "h11")


def test_importing_and_building_the_app_leaves_heavy_libraries_unimported() -> None:
    script = ("import sys\nfrom emulator import create_app\ncreate_app()\n"
              f"print(sorted(m for m in {LAZY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60, check=True).stdout.strip()
    assert out == "[]"


def test_the_word_lists_equal_fakers() -> None:
    en_us = pytest.importorskip("faker.providers.lorem.en_US")
    zh_cn = pytest.importorskip("faker.providers.lorem.zh_CN")
    assert tuple(en_us.Provider.word_list) == LOREM_EN
    assert tuple(zh_cn.Provider.word_list) == LOREM_ZH
