"""The organisation pages, one module per area: tree (the tree and an organisation's page,
create, edit, move, archive, restore), cadres (ending a position, the cadre structure),
references (party branches, departments) and dashboard (the home page and a figure's page,
routed in the ``core`` namespace by the project's URLconf)."""
