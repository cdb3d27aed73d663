"""Demo data: a realistic province loaded through the service layer."""
