"""/ask: its engine (retrieval, answerability), cog, buttons and ``herbot ask``."""
