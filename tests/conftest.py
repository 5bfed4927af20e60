"""Test isolation: no test reads the registry files of the user running the tests."""

from __future__ import annotations

import os
import tempfile


def pytest_configure() -> None:
    """Point the user-level registry folder at an empty place before anything loads it."""
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="sayso-test-config-")
