"""Pages of a product's strategy, under /w/<ws>/products/<key>/strategy/."""

urlpatterns: list = []
