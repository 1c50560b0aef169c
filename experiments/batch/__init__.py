"""Running experiments.

One runner for comparisons and sweeps, the worker pools, the resumable store, single runs and
their identity.
"""
