"""Capacity and cost: the instances a load needs on a plan, and what they cost a month.

queueing (M/M/c arithmetic) and prices and billing (each plan's billing model) know
nothing of profiles; model sizes one AppSpec for one load; plans resolves the
alternatives a comparison answers for; inputs reads the user's files (a price export,
a `bench --json` result); report formats; run is the command.
"""
