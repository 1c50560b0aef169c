"""Designing experiments.

Sweep specs, sampling designs, and comparisons and sweeps as experiments.
"""
