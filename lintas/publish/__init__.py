"""Published files made from the model: JSON API, GeoJSON, feeds, JSON-LD, sitemaps and discovery."""
