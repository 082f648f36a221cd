"""Thread recording: the recorder, its store and /record through the real bot."""
