"""The roadmap's pages, one module per topic; `roadmap.urls` routes to them."""
