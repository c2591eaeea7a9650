"""URLs of the shared pages: home, sign-in and sign-out."""

from django.urls import path

from ctip.access.views import SignInView, SignOutView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", SignInView.as_view(), name="login"),
    path("sign-out/", SignOutView.as_view(), name="logout"),
]
