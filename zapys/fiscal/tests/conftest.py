from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.simulators.checkbox import CheckboxSimulator


@pytest.fixture(autouse=True)
def _payments_settings(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def sim() -> Iterator[CheckboxSimulator]:
    with CheckboxSimulator() as simulator:
        yield simulator
