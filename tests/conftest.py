import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

DATA = HERE / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def tiny_map() -> Path:
    return DATA / "maps" / "tiny"
