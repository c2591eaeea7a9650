"""URLs of the access app: the one-time-code steps of sign-in and revealing masked fields."""

from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    path("two-factor/", views.otp_verify, name="otp-verify"),
    path("two-factor/enrol/", views.otp_enrol, name="otp-enrol"),
    path("reveal/<str:object_type>/<int:pk>/", views.reveal, name="reveal"),
]
