"""Publish stage: the only code that writes to the output folder."""
