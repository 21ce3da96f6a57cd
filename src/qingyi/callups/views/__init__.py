"""The call-up pages, one module per area: board (the coordinator's list, new call-up, board,
targeting, sending, filling and closing) and member (the volunteer's call-ups and answer);
common holds what they share."""
