"""Input shapes of the feedback pages, one module per topic."""
