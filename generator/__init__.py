"""wlsite: the county whitelist site generator and offline form kit."""

__version__ = "0.1.0"
