"""The four policy levers, built from YAML ``type:`` keys through one registry."""
