"""Page input shapes of the feedback app, one module per topic."""
