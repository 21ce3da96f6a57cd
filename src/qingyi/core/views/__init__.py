"""Core's own pages, one module per area: rules (the committee's rule settings) and
notifications (the list behind the bell, marking read). The dashboard is organizations'
(organizations/views/dashboard.py)."""
