"""herbot: a Discord bot for communities discussing Spike Jonze's *Her* (2013)."""

__version__ = "0.1.0"
