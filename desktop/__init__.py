"""Disclosure Desk (政府信息公开申请办理系统)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("disclosure-desk")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
