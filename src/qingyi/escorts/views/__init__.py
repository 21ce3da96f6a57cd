"""The escort pages, one module per area: public (the request form and the patient's link, no
login) and dispatch (the coordinator's board and assignment, the assigned volunteer's phone);
common holds what they share."""
