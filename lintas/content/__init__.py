"""Loading and checking content."""
