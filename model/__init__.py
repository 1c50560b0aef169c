"""inclusim's simulation: households, their rules, policies and the indicators."""
