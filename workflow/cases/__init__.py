"""Cases: a recommendation and its addressees' entries, with their scope, registration,
transitions, due dates and queries."""
