"""Goals, key results and initiatives, under /w/<ws>/."""

urlpatterns: list = []
