"""Transcripts: exports, search, /transcript and herbot transcript export."""
