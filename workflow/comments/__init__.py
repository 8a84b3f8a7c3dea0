"""The governments' right of reply: published comments on their scoreboard row or on
their recommendations, and the secretariat hiding an abusive one."""
