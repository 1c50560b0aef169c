"""Household rules: pure functions over whole arrays, one module per concern."""
