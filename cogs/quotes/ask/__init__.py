"""/ask: the answering engine (retrieval, answerability, sessions) beside its cog, buttons and
``herbot ask``."""
