"""Benchmarks: run as modules, e.g. ``python -m benchmarks.population`` (or ``make bench``)."""
