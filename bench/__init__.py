"""Benchmarks: each module prints a table with its baseline measured in the same run.

``python -m bench`` runs them all; ``python -m bench.<name>`` runs one.
"""
