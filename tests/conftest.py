"""Shared fixtures and the hypothesis profiles.

Profiles: ``dev`` (default, quick), ``ci`` (chosen when CI=true: more examples,
no deadline, derandomised so CI is reproducible), ``thorough`` (for a long run
on a developer's machine: HYPOTHESIS_PROFILE=thorough pytest).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_BUNDLE = ROOT / "fixtures" / "khrushchev"
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def catalogue_path(tmp_path: Path) -> Path:
    return tmp_path / "catalogue.db"


@pytest.fixture
def bundle_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped bundle a test may break."""
    target = tmp_path / "bundle"
    shutil.copytree(FIXTURE_BUNDLE, target)
    return target
