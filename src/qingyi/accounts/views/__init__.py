"""The accounts pages, one module per area: tokens (create, revoke) and roles (revoke). Sign-in
and passwords are Django's own views (accounts/urls.py); the pages where logins meet the roster
are people's (people/views/logins.py)."""
