"""Reading what was recorded: /transcript export, search and stats, and the exporters."""
