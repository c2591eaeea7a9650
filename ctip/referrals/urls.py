"""URLs of the referrals pages."""

app_name = "referrals"

urlpatterns: list = []
