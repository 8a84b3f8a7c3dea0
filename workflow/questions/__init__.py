"""Written questions of the Parliament to the Committee of Ministers and the governments
(since the 2015 Convention): recorded against a case or on their own, each with its
addressee, due date on the addressee's calendar, reminders and answer."""
