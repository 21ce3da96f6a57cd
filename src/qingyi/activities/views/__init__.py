"""Pages of league work, in four modules: activities (the organiser's), member (check-in,
registration, own history), planning (calendar, compliance) and publicity."""
