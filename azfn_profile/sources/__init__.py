"""Sources: each format becomes Targets (an AppSpec plus what is unknown) with locations."""
