"""Quality: the rule catalogue, Great Expectations suites built from it, and the gate."""
