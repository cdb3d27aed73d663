"""Working time: calendars, sessions, holidays and processing times, as pure values and
functions. Below the catalogue, so units, calendars and dossiers share one notion of it."""
