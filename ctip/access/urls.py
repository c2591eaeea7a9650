"""URLs of the access app: one-time-code steps of sign-in, reveal, device tokens."""

from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    path("two-factor/", views.otp_verify, name="otp-verify"),
    path("two-factor/enrol/", views.otp_enrol, name="otp-enrol"),
    path("reveal/<str:object_type>/<int:pk>/", views.reveal, name="reveal"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    path("device-tokens/", views.device_tokens, name="device-tokens"),
    path("device-tokens/<int:pk>/revoke/", views.device_token_revoke, name="device-token-revoke"),
]
