"""Recording threads live: the recorder, the listeners and /record, and the SQL they run."""
