"""The treatments app's routes: each room's own, under one namespace."""

from django.urls import include, path

app_name = "treatments"

urlpatterns = [
    path("", include("treatments.plans.urls")),
    path("", include("treatments.outcomes.urls")),
]
