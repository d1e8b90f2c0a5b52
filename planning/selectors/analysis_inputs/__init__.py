"""The selectors that read each analysis' inputs as the pure analyses' plain records
(:mod:`planning.analysis.records`): areas, efficiency totals, targets, networks."""
