"""Analysis of finished runs.

Comparison tables, sweep outcomes, sensitivity, calibration, the parameter ensemble and effect
sizes.
"""
