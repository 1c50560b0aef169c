"""Presenting results: the report, figures, exports, terminal text and their shared style."""
