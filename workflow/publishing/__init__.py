"""What the public sees: published answers, open data and the scoreboard."""
