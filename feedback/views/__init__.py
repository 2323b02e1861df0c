"""Pages of the feedback app, one module per topic."""
