"""Development tools run from the source tree (not installed).

Documentation tables, the calibration grid fit, the Morris screening summary.
"""
