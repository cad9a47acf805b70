"""Runs last (file order): after every scenario has moved money, the books must balance."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e.conftest import PROJECT_ROOT


def test_ledger_invariants_hold_after_all_scenarios(pytestconfig, request):
    if pytestconfig.getoption("base_url", None):
        pytest.skip("against a deployment the test cannot read its database")
    request.getfixturevalue("base_url")  # the harness ran, on this database
    database_url = request.getfixturevalue("test_database")
    result = subprocess.run(
        [sys.executable, "-m", "socialshop.ledger", "check", "--db-url", database_url],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ledger OK" in result.stdout
