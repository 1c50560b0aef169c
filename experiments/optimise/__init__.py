"""Budget-constrained robust policy search: ``inclusim optimise SPEC.yaml`` (docs/decisions.md)."""
