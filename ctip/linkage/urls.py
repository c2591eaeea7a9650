"""URLs of the linkage pages: the review queue, a pair, an identity, unmerging a record."""

from django.urls import path

from . import views

app_name = "linkage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("pairs/<int:pk>/", views.pair, name="pair"),
    path("identities/<int:pk>/", views.identity, name="identity"),
    path("records/<int:pk>/unmerge/", views.unmerge, name="unmerge"),
]
