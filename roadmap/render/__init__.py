"""Roadmap widgets drawn as HTML + SVG strings in Python, one module per topic; the
composition (`roadmap.compose`) calls them."""
