"""Disclosure Desk (政府信息公开申请办理系统)."""


def __getattr__(name: str) -> str:
    # The version comes from the installed package's metadata, read only when asked for
    # (importlib.metadata costs ~50 ms, which start-up does not need to pay).
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("disclosure-desk")
        except PackageNotFoundError:  # running from a source tree that was not installed
            return "0.0.0+source"
    raise AttributeError(name)
