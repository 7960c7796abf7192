from __future__ import annotations

import pytest

from tests.factories_messaging import make_console_accounts


@pytest.fixture
def consoles(org):
    """Console transports on every channel: everything "goes out" to the log."""
    return make_console_accounts(org)
