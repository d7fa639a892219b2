"""Lab tests: tiny models on CPU; tests marked `gpu` run only where CUDA is present."""

import pytest


def pytest_collection_modifyitems(config, items):
    """Skip @pytest.mark.gpu tests on machines without CUDA."""
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same RNG state."""
    import torch

    torch.manual_seed(0)
