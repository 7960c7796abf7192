"""Fixtures of the clients tests: each test gets its own private storage root (import files),
the way the root conftest gives each test its own MEDIA_ROOT."""

from __future__ import annotations

import copy

import pytest


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    storages = copy.deepcopy(settings.STORAGES)
    storages["private"]["OPTIONS"]["location"] = str(tmp_path / "private")
    settings.STORAGES = storages
    return tmp_path / "private"
