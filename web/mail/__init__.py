"""E-mail: the SMTP settings (``settings``), the words of each notification
(``words``), the messages in each person's language (``compose``) and the sender that
empties the outbox (``deliver``)."""
