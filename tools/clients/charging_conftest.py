"""Fixtures for OpenEVSE's tests/integration/test_charging.py against any URL.

OpenEVSE's own conftest.py starts their emulator in Docker and their native
firmware; this one gives the same fixtures for a charger that is already
running (`npm start`, started by run.mjs), at the URL in EVSE_URL. The
per-test reset is the one their conftest does: drop the manual override and
put max_current_soft back.
"""

import os
from urllib.parse import urlparse

import pytest
import requests

URL = os.environ["EVSE_URL"].rstrip("/")


def pytest_configure(config):
    # Their tests carry @pytest.mark.timeout (pytest-timeout, not in Debian's pytest).
    config.addinivalue_line("markers", "timeout(seconds): per-test time limit (pytest-timeout)")


@pytest.fixture(scope="session")
def evse_instance():
    return {"native_url": URL, "native_port": urlparse(URL).port}


@pytest.fixture(scope="session")
def evse_baseline_config(evse_instance):
    return requests.get(f"{URL}/config", timeout=5).json()


@pytest.fixture(autouse=True)
def reset_evse_state(evse_instance, evse_baseline_config):
    yield
    requests.delete(f"{URL}/override", timeout=5)
    baseline = evse_baseline_config.get("max_current_soft")
    if baseline is not None and requests.get(f"{URL}/config", timeout=5).json().get("max_current_soft") != baseline:
        requests.post(f"{URL}/config", json={"max_current_soft": baseline}, timeout=5)
