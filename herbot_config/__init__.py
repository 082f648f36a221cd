"""herbot's shipped configuration: settings.toml, motions, debate formats and the curated store.

Package data, not code: it travels inside the wheel so that an installed herbot finds it
from any working directory.
"""
