"""The whitelist register: load, model, validate, and derive status."""
