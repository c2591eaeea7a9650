"""Nothing registered: the web app has no models; it holds the layout, the menu, the home page."""
