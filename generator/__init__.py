"""wlsite: the county whitelist site generator and offline form kit."""

from importlib.metadata import version

__version__ = version("wlsite")
