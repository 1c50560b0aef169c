"""Test suite of inclusim."""
