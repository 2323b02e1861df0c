"""Pages of the strategy app, one module per area; urls.py names them by module."""
