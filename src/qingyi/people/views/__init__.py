"""The people pages, one module per area: roster (the list, a person's card, create, edit,
age-out, leaving, transfers and change requests), imports (roster import and export), cadres
(recording an election, adding a position) and logins (the profile, a person's login, an
organisation's roles); common holds what they share."""
