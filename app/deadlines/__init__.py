"""Open deadlines that follow their calendar: recomputed when an override changes a day."""
