"""The site planner: where to put the next k sites so they reach the most need, with the
survey's uncertainty carried through (``/plans/{program}``)."""
