"""Layout, navigation, sign-in pages and static assets shared by every page."""
