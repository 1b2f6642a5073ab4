"""Loaded by pytest for every test of the project (a notebook run alone too): the run's own
folders and no DeepL key, from tests/isolation.py."""

from tests.isolation import pytest_configure, pytest_unconfigure

__all__ = ["pytest_configure", "pytest_unconfigure"]
