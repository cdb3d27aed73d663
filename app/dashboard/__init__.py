"""The leaders' dashboard: a static page over the statistics API."""
