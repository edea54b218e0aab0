import sys
from pathlib import Path

import pytest

TRAINING = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TRAINING))


@pytest.fixture(autouse=True, scope="session")
def _threads():
    import torch

    torch.set_num_threads(2)
