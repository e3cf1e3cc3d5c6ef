"""Cross-cutting checks: one step function each, with the small state class it owns."""
