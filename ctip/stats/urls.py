"""URLs of the statistics pages (mounted under /stats/)."""

from django.urls import path

from . import api, views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/<str:kind>/<str:period>/", views.report_page, name="report"),
    path("releases/", views.releases, name="releases"),
    path("dark-figure/", views.dark_figure_page, name="mse"),
    path("public/", views.public_index, name="public"),
    path("public/<int:pk>/", views.public_release, name="public-release"),
    path("public/<int:pk>.csv", views.public_release_csv, name="public-release-csv"),
    path("api/releases/", api.release_list, name="api-releases"),
    path("api/releases/<int:pk>/", api.release_detail, name="api-release"),
]
