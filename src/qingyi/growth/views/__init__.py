"""The growth pages, one module per area: records (the roster, a cadre's development record,
trainings, contests, the cadre's own records) and inspections (checklists, questions, the
yearly self-inspection and its problems)."""
