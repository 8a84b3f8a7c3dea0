Feature: Answer deadlines
  No treaty sets a deadline for answering the Benelux Parliament, so each recommendation
  carries its own rule: "6 months" (the Council of Europe target, the default),
  "30 calendar days", "20 working days" or a fixed date. The clock starts on the day the
  recommendation is transmitted (day zero). An answer is due at 17:00 Brussels time on a
  working day of the addressee: weekends, the public holidays of its country (Belgium,
  the Netherlands, Luxembourg, North Rhine-Westphalia) and the closing days the
  secretariat declares do not count. The secretariat may extend a deadline or stop the
  clock, for instance while a Committee of Ministers decision is awaited.

  Rule: Working days skip weekends, public holidays and closing days of each addressee

    Scenario: Twenty working days across Ascension Day and Whit Monday in Belgium
      Given recommendation 743/5Bis was adopted on 2024-03-15 for BE-FED with the deadline rule "20 working days"
      When the secretariat transmits the recommendation on 2024-05-02
      Then the answer of BE-FED is due on Monday 3 June 2024 at 17:00
      And the answer of BE-FED is due at 15:00 UTC
      And the due date of BE-FED is explained as:
        """
        Start: Thursday 2 May 2024 (day zero).
        Rule: 20 working days, calendar BE-FED (Belgium holidays).
        Skipped Saturday 4 May 2024 and Sunday 5 May 2024: weekend.
        Skipped Thursday 9 May 2024: Ascension Day.
        Skipped Saturday 11 May 2024 and Sunday 12 May 2024: weekend.
        Skipped Saturday 18 May 2024 and Sunday 19 May 2024: weekend.
        Skipped Monday 20 May 2024: Pentecost Monday.
        Skipped Saturday 25 May 2024 and Sunday 26 May 2024: weekend.
        Skipped Saturday 1 June 2024 and Sunday 2 June 2024: weekend.
        Counted 20 working days: Monday 3 June 2024.
        Due: Monday 3 June 2024 at 17:00 Europe/Brussels (15:00 UTC).
        """

    Scenario: Each addressee counts its own holidays and closing days
      Given recommendation 743/5Bis was adopted on 2024-03-15 for BE-FED, NL, LU, DE-NW and BE-BRU with the deadline rule "20 working days"
      When the secretariat transmits the recommendation on 2024-05-02
      Then the due dates are:
        | addressee | due                            |
        | BE-FED    | Monday 3 June 2024 at 17:00    |
        | NL        | Monday 3 June 2024 at 17:00    |
        | LU        | Monday 3 June 2024 at 17:00    |
        | DE-NW     | Tuesday 4 June 2024 at 17:00   |
        | BE-BRU    | Tuesday 4 June 2024 at 17:00   |
      And the explanation of the due date of DE-NW includes "Skipped Thursday 30 May 2024: Corpus Christi."
      And the explanation of the due date of BE-BRU includes "Skipped Wednesday 8 May 2024: closing day."
      And the explanation of the due date of LU includes "Skipped Thursday 9 May 2024: Ascension Day and Europe Day."

    Scenario: Labour Day is a holiday in Belgium, not in the Netherlands
      Given recommendation 743/5Bis was adopted on 2024-03-15 for BE-FED and NL with the deadline rule "3 working days"
      When the secretariat transmits the recommendation on 2024-04-30
      Then the due dates are:
        | addressee | due                         |
        | BE-FED    | Monday 6 May 2024 at 17:00  |
        | NL        | Friday 3 May 2024 at 17:00  |
      And the explanation of the due date of BE-FED includes "Skipped Wednesday 1 May 2024: Labor Day."

  Rule: Months keep the day of the month, or take the last day of a shorter month

    Scenario: The default of six months, falling on a Saturday, in winter time
      Given recommendation 743/5Bis was adopted on 2024-03-15 for NL
      When the secretariat transmits the recommendation on 2024-05-02
      Then the answer of NL is due on Monday 4 November 2024 at 17:00
      And the answer of NL is due at 16:00 UTC
      And the due date of NL is explained as:
        """
        Start: Thursday 2 May 2024 (day zero).
        Rule: 6 calendar months, calendar NL (Netherlands holidays).
        Added 6 calendar months: Saturday 2 November 2024.
        Skipped Saturday 2 November 2024 and Sunday 3 November 2024: weekend.
        Moved to the next working day: Monday 4 November 2024.
        Due: Monday 4 November 2024 at 17:00 Europe/Brussels (16:00 UTC).
        """

    Scenario: Six months from 31 October end on the last day of April
      Given recommendation 752/1 was adopted on 2024-10-18 for BE-FED with the deadline rule "6 months"
      When the secretariat transmits the recommendation on 2024-10-31
      Then the answer of BE-FED is due on Wednesday 30 April 2025 at 17:00
      And the explanation of the due date of BE-FED includes "Added 6 calendar months: Wednesday 30 April 2025 (day 31 does not exist in April)."

    Scenario: One month from 31 January ends on 29 February in a leap year
      Given recommendation 744/2 was adopted on 2023-12-08 for NL with the deadline rule "1 month"
      When the secretariat transmits the recommendation on 2024-01-31
      Then the answer of NL is due on Thursday 29 February 2024 at 17:00
      And the explanation of the due date of NL includes "Added 1 calendar month: Thursday 29 February 2024 (day 31 does not exist in February)."

    Scenario: A due date on a public holiday moves to the next working day
      Given recommendation 744/2 was adopted on 2023-11-09 for BE-FED with the deadline rule "6 months"
      When the secretariat transmits the recommendation on 2023-11-09
      Then the answer of BE-FED is due on Friday 10 May 2024 at 17:00
      And the explanation of the due date of BE-FED ends with:
        """
        Added 6 calendar months: Thursday 9 May 2024.
        Skipped Thursday 9 May 2024: Ascension Day.
        Moved to the next working day: Friday 10 May 2024.
        Due: Friday 10 May 2024 at 17:00 Europe/Brussels (15:00 UTC).
        """

  Rule: Calendar days and fixed dates also end on a working day

    Scenario: Thirty calendar days ending on a Saturday
      Given recommendation 743/5Bis was adopted on 2024-03-15 for BE-FED with the deadline rule "30 calendar days"
      When the secretariat transmits the recommendation on 2024-05-02
      Then the answer of BE-FED is due on Monday 3 June 2024 at 17:00
      And the explanation of the due date of BE-FED includes "Added 30 calendar days: Saturday 1 June 2024."

    Scenario: A fixed due date on a Sunday
      Given recommendation 743/5Bis was adopted on 2024-03-15 for BE-FED with the deadline rule "2024-09-01"
      When the secretariat transmits the recommendation on 2024-05-02
      Then the answer of BE-FED is due on Monday 2 September 2024 at 17:00
      And the explanation of the due date of BE-FED ends with:
        """
        Fixed due date: Sunday 1 September 2024.
        Skipped Sunday 1 September 2024: weekend.
        Moved to the next working day: Monday 2 September 2024.
        Due: Monday 2 September 2024 at 17:00 Europe/Brussels (15:00 UTC).
        """

  Rule: The secretariat may extend a deadline while the answer is outstanding

    Background:
      Given recommendation 743/5Bis was adopted on 2024-03-15 for BE-FED and NL with the deadline rule "20 working days"

    Scenario: An extension in days counts working days under a working-day rule
      Given the secretariat transmitted it on 2024-05-02
      When the secretariat grants BE-FED an extension of 5 days on 2024-05-21 because "Regeringsformatie"
      Then the answer of BE-FED is due on Monday 10 June 2024 at 17:00
      And the answer of NL is due on Monday 3 June 2024 at 17:00
      And the explanation of the due date of BE-FED ends with:
        """
        Counted 20 working days: Monday 3 June 2024.
        Extension: +5 working days (reason: Regeringsformatie).
        Skipped Saturday 8 June 2024 and Sunday 9 June 2024: weekend.
        Extended to Monday 10 June 2024.
        Due: Monday 10 June 2024 at 17:00 Europe/Brussels (15:00 UTC).
        """
      And the history of the recommendation ends with:
        | actor | role        | action          | addressee | reason            |
        | anna  | secretariat | grant_extension | BE-FED    | Regeringsformatie |
      And the last event moved the due date of BE-FED from 2024-06-03T15:00:00.000000Z to 2024-06-10T15:00:00.000000Z

    Scenario: An extension to a new date that falls on a Sunday
      Given the secretariat transmitted it on 2024-05-02
      When the secretariat grants BE-FED an extension to 2024-07-21 on 2024-05-21 because "Federale verkiezingen van 9 juni"
      Then the answer of BE-FED is due on Monday 22 July 2024 at 17:00

    Scenario: A ministry asks for more time and the secretariat grants it
      Given the secretariat transmitted it on 2024-05-02
      When the ministry of BE-FED asks for more time for BE-FED until 2024-06-28 on 2024-05-21 because "Overleg met de gewesten loopt nog"
      Then the request for more time of BE-FED is "open"
      And the answer of BE-FED is due on Monday 3 June 2024 at 17:00
      When the ministry of BE-FED asks for more time for BE-FED until 2024-07-05 on 2024-05-22 because "Nog meer tijd"
      Then it is refused as "transition_refused" with the message "a request for more time is already waiting for a decision"
      And the refusal names the rule "one_open_request"
      And nothing is written
      When the secretariat grants BE-FED an extension to 2024-06-28 on 2024-05-23 because "Overleg met de gewesten"
      Then the request for more time of BE-FED is "granted"
      And the answer of BE-FED is due on Friday 28 June 2024 at 17:00

    Scenario: The secretariat refuses a request for more time
      Given the secretariat transmitted it on 2024-05-02
      When the ministry of BE-FED asks for more time for BE-FED until 2024-06-28 on 2024-05-21 because "Overleg met de gewesten loopt nog"
      And the secretariat refuses the request for more time of BE-FED on 2024-05-22 because "De commissie vergadert op 10 juni"
      Then the request for more time of BE-FED is "refused"
      And the answer of BE-FED is due on Monday 3 June 2024 at 17:00
      And the history of the recommendation ends with:
        | actor  | action            | addressee | reason                            |
        | claire | request_extension | BE-FED    | Overleg met de gewesten loopt nog |
        | anna   | refuse_extension  | BE-FED    | De commissie vergadert op 10 juni |
      When the secretariat refuses the request for more time of BE-FED on 2024-05-23 because "Nogmaals"
      Then it is refused as "transition_refused" with the message "this request was already decided"
      And the refusal names the rule "open_request"
      And nothing is written

    Scenario: An extension must end after the current due date
      Given the secretariat transmitted it on 2024-05-02
      When the secretariat grants BE-FED an extension to 2024-05-31 on 2024-05-21 because "Brugdag"
      Then it is refused as "invalid" with the message "the new due date 2024-05-31 is not later than the current one 2024-06-03"
      And the refusal points at the field "new_date"
      And nothing is written

    Scenario: Only the secretariat extends a deadline
      Given the secretariat transmitted it on 2024-05-02
      When the ministry of BE-FED grants BE-FED an extension of 10 days on 2024-05-21 because "Wij hebben meer tijd nodig"
      Then it is refused as "forbidden" with the message "cannot grant an extension: only the secretariat may do this (you are ministry)"
      And the refusal names the rule "role"
      And nothing is written

    Scenario: No extension once the final answer is in
      Given the secretariat transmitted it on 2024-05-02
      And the ministry of BE-FED sent the final answer for BE-FED on 2024-05-21 with the position "agrees"
      When the secretariat grants BE-FED an extension of 10 days on 2024-05-22 because "Vergissing"
      Then it is refused as "transition_refused" with the message "cannot grant an extension: BE-FED has already given its final reply"
      And the refusal names the rule "answer_outstanding"
      And nothing is written

    Scenario: No extension before the recommendation is transmitted
      When the secretariat grants BE-FED an extension of 10 days on 2024-04-22 because "Vooraf afgesproken"
      Then it is refused as "transition_refused" with the message "cannot grant an extension: recommendation 743/5Bis has not been transmitted yet"
      And the refusal names the rule "transmitted"
      And nothing is written
      And the answer of BE-FED has no due date

  Rule: An extension in days under a month rule counts calendar days

    Scenario: Ten more days on a six-month deadline
      Given recommendation 743/5Bis was adopted on 2024-03-15 for NL
      And the secretariat transmitted it on 2024-05-02
      When the secretariat grants NL an extension of 10 days on 2024-10-21 because "Kabinetswissel"
      Then the answer of NL is due on Thursday 14 November 2024 at 17:00
      And the explanation of the due date of NL includes "Extension: +10 calendar days (reason: Kabinetswissel): Thursday 14 November 2024."

  Rule: Stopping the clock pauses the deadline; resuming moves it by the time stopped

    Background:
      Given recommendation 743/5Bis was adopted on 2024-03-15 for NL with the deadline rule "20 working days"
      And the secretariat transmitted it on 2024-05-02

    Scenario: While the clock is stopped the answer is not overdue
      When the secretariat stops the clock of NL on 2024-05-13 because "Wacht op het besluit van het Comité van Ministers"
      Then on 2024-06-04 at 10:00 the deadline of NL is "paused"
      And the answer of NL is due on Monday 3 June 2024 at 17:00
      And the explanation of the due date of NL ends with:
        """
        Due: Monday 3 June 2024 at 17:00 Europe/Brussels (15:00 UTC).
        The clock is stopped since 2024-05-13 (Wacht op het besluit van het Comité van Ministers); the due date moves when it resumes.
        """

    Scenario: Resuming moves the due date by the working days stopped
      Given the secretariat stopped the clock of NL on 2024-05-13 because "Wacht op het besluit van het Comité van Ministers"
      When the secretariat resumes the clock of NL on 2024-05-27, the last stopped day being 2024-05-24, because "Besluit genomen op 23 mei"
      Then the answer of NL is due on Friday 14 June 2024 at 17:00
      And on 2024-06-04 at 10:00 the deadline of NL is "reminder"
      And the explanation of the due date of NL ends with:
        """
        Counted 20 working days: Monday 3 June 2024.
        Clock stopped 2024-05-13 to 2024-05-24 (Wacht op het besluit van het Comité van Ministers; Besluit genomen op 23 mei): +9 working days.
        Skipped Saturday 8 June 2024 and Sunday 9 June 2024: weekend.
        Moved to Friday 14 June 2024.
        Due: Friday 14 June 2024 at 17:00 Europe/Brussels (15:00 UTC).
        """
      And the history of the recommendation ends with:
        | actor | action       | addressee | reason                                            |
        | anna  | stop_clock   | NL        | Wacht op het besluit van het Comité van Ministers |
        | anna  | resume_clock | NL        | Besluit genomen op 23 mei                         |

    Scenario: The clock cannot be stopped twice, nor resumed when it runs
      Given the secretariat stopped the clock of NL on 2024-05-13 because "Wacht op het besluit van het Comité van Ministers"
      When the secretariat stops the clock of NL on 2024-05-14 because "Nogmaals"
      Then it is refused as "transition_refused" with the message "the clock is already stopped"
      And the refusal names the rule "clock_running"
      And nothing is written
      When the secretariat resumes the clock of NL on 2024-05-27, the last stopped day being 2024-05-24, because "Besluit genomen"
      Then the answer of NL is due on Friday 14 June 2024 at 17:00
      When the secretariat resumes the clock of NL on 2024-05-28, the last stopped day being 2024-05-27, because "Nogmaals"
      Then it is refused as "transition_refused" with the message "the clock is not stopped"
      And the refusal names the rule "clock_stopped"
      And nothing is written

    Scenario Outline: A stop or a resumption outside the running clock is refused
      When the secretariat <does>
      Then it is refused as "invalid" with the message "<message>"
      And the refusal points at the field "<field>"
      And nothing is written

      Examples:
        | does                                                                          | message                                                                                | field |
        | stops the clock of NL as from 2024-04-30 on 2024-05-13 because "Vergeten"     | the clock cannot stop before it started (2024-05-02)                                   | start |
        | stops the clock of NL as from 2024-06-04 on 2024-06-04 because "Te laat"      | the clock cannot stop after the due date 2024-06-03; grant an extension instead        | start |

    Scenario: A stop before the clock stopped is refused when resuming
      Given the secretariat stopped the clock of NL on 2024-05-13 because "Wacht op het Comité"
      When the secretariat resumes the clock of NL on 2024-05-27, the last stopped day being 2024-05-10, because "Vergissing"
      Then it is refused as "invalid" with the message "the clock cannot resume before it stopped (2024-05-13)"
      And the refusal points at the field "end"
      And nothing is written

    Scenario: Only the secretariat stops the clock
      When the ministry of NL stops the clock of NL on 2024-05-13 because "Wij wachten op Brussel"
      Then it is refused as "forbidden" with the message "cannot stop the clock: only the secretariat may do this (you are ministry)"
      And the refusal names the rule "role"
      And nothing is written

  Rule: Under a month rule the clock stop adds calendar days

    Scenario: Twelve stopped days on a six-month deadline
      Given recommendation 743/5Bis was adopted on 2024-03-15 for BE-FED
      And the secretariat transmitted it on 2024-05-02
      And the secretariat stopped the clock of BE-FED on 2024-06-03 because "Advies van de Raad van State"
      When the secretariat resumes the clock of BE-FED on 2024-06-17, the last stopped day being 2024-06-14, because "Advies ontvangen"
      Then the answer of BE-FED is due on Monday 18 November 2024 at 17:00
      And the explanation of the due date of BE-FED includes "Clock stopped 2024-06-03 to 2024-06-14 (Advies van de Raad van State; Advies ontvangen): +12 calendar days: Saturday 16 November 2024."

  Rule: Reminders come 30 and 7 days before; an answer is overdue after 17:00 on the due date

    Scenario: The deadline of an outstanding answer over time
      Given recommendation 743/5Bis was adopted on 2024-03-15 for BE-FED with the deadline rule "20 working days"
      And the secretariat transmitted it on 2024-05-02
      Then the deadline of BE-FED stands as follows:
        | on                  | status       | days overdue | next reminder |
        | 2024-05-03 at 10:00 | on time      | 0            | 2024-05-04    |
        | 2024-05-06 at 10:00 | reminder     | 0            | 2024-05-27    |
        | 2024-06-03 at 17:00 | reminder     | 0            |               |
        | 2024-06-03 at 17:01 | overdue      | 0            |               |
        | 2024-06-13 at 10:00 | overdue      | 9            |               |
        | 2024-09-01 at 17:00 | overdue      | 90           |               |
        | 2024-09-01 at 17:01 | very overdue | 90           |               |

    Scenario: An interim reply does not stop the deadline, a final answer does
      Given recommendation 743/5Bis was adopted on 2024-03-15 for BE-FED and NL with the deadline rule "20 working days"
      And the secretariat transmitted it on 2024-05-02
      And the ministry of BE-FED sent an interim reply for BE-FED on 2024-05-27
      And the ministry of NL sent the final answer for NL on 2024-05-31 with the position "disagrees"
      Then on 2024-06-13 at 10:00 the deadline of BE-FED is "overdue"
      And on 2024-06-13 at 10:00 the deadline of NL is "no deadline"

  Rule: A new closing day does not silently move stored due dates

    Background:
      Given recommendation 743/5Bis was adopted on 2024-03-15 for BE-FED with the deadline rule "20 working days"
      And the secretariat transmitted it on 2024-05-02

    Scenario: The secretariat declares a closing day, then recomputes the due date
      When the secretariat declares 2024-05-31 a closing day of BE-FED on 2024-05-06 because "Brugdag na Hemelvaart verplaatst"
      Then the answer of BE-FED is due on Monday 3 June 2024 at 17:00
      And the explanation of the due date of BE-FED ends with:
        """
        Due: Tuesday 4 June 2024 at 17:00 Europe/Brussels (15:00 UTC).
        Note: the calendar changed since this due date was stored; the stored date stands until the secretariat recomputes it.
        """
      And the stored due dates waiting to be recomputed are:
        | recommendation | addressee | stored                      | recomputed                   |
        | 743/5Bis       | BE-FED    | Monday 3 June 2024 at 17:00 | Tuesday 4 June 2024 at 17:00 |
      When the secretariat recomputes the due date of BE-FED on 2024-05-07 because "Sluitingsdag 31 mei"
      Then the answer of BE-FED is due on Tuesday 4 June 2024 at 17:00
      And no stored due date is waiting to be recomputed
      And the history of the recommendation ends with:
        | actor | action        | addressee | reason              |
        | anna  | recompute_due | BE-FED    | Sluitingsdag 31 mei |
      And the last event moved the due date of BE-FED from 2024-06-03T15:00:00.000000Z to 2024-06-04T15:00:00.000000Z

    Scenario: Only the secretariat changes a calendar
      When the ministry of BE-FED declares 2024-05-31 a closing day of BE-FED on 2024-05-06 because "Brugdag"
      Then it is refused as "forbidden" with the message "only the secretariat may change a calendar (you are ministry)"
      And the refusal names the rule "role"
      And nothing is written
