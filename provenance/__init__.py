"""prov: find reused passages across news corpora and trace them to their wire origin."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("prov")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
