"""Installed versions, as recorded in the manifests of saved matchers and model files."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["package_version"]


def package_version(dist: str = "parkmatch") -> str:
    """The installed version of a distribution (``0.0.0+unknown`` in a source tree that was
    not installed)."""
    try:
        return version(dist)
    except PackageNotFoundError:
        return "0.0.0+unknown"
