"""The volunteering pages, one module per area: member (a volunteer's own pages: shifts,
sign-up, scan, my hours), projects (the coordinator's projects, posts, shifts, sign-ups), hours
(check-in by hand, verification, corrections, the overview and export), volunteers,
qualifications, applications, certificates, personal_qr, service_points, stars and figures;
common holds what they share."""
