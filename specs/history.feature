Feature: A history that can be proven
  Every change to a case is written to the history in the same transaction: who did
  it, in which role and for which organisation, when it was recorded and from when it
  counts, from which state to which, and why. The entries form a chain: each one
  carries a fingerprint (hash) of its own content and of the entry before it. Nobody
  can change or delete an entry through the application, and the database itself
  refuses it. Someone with direct access to the database who switches that protection
  off is still found out: the auditor's verification names the first entry that no
  longer fits.

  Background:
    Given recommendation 743/5Bis was adopted on 2024-03-15 for NL and BE-FED
    And the secretariat transmitted it on 2024-05-02
    And the ministry of NL sent the final answer for NL on 2024-05-10 with the position "agrees"
    And the ministry of BE-FED declined to answer for BE-FED on 2024-05-21 because "Bevoegdheid van de gewesten"

  Rule: Every change is recorded with who did it and why

    Scenario: The history of a case from registration to the last answer
      Then the history of the recommendation is:
        | actor  | role        | organisation | action           | addressee | from             | to               | reason                      |
        | anna   | secretariat | BNL-PARL     | register         |           |                  | adopted          |                             |
        | anna   | secretariat | BNL-PARL     | transmit         |           | adopted          | transmitted      |                             |
        | jan    | ministry    | NL           | submit_answer    | NL        | pending          | answered         |                             |
        | system | system      | SYSTEM       | receive_reaction |           | transmitted      | awaiting_answers |                             |
        | claire | ministry    | BE-FED       | decline          | BE-FED    | pending          | declined         | Bevoegdheid van de gewesten |
        | system | system      | SYSTEM       | complete_answers |           | awaiting_answers | answered         |                             |
      And the last event names claire as its cause
      When the auditor verifies the history
      Then the history is intact with 6 events

    Scenario: A recommendation entered late counts from its plenary and transmission dates
      Given recommendation 744/2 was adopted on 2024-03-15 for NL and registered on 2024-05-20
      When the secretariat transmits the recommendation on 2024-05-20, sent on 2024-05-02
      Then the answer of NL is due on Monday 4 November 2024 at 17:00
      And the history of the recommendation is:
        | actor | action   | from    | to          | effective        | recorded         |
        | anna  | register |         | adopted     | 2024-03-15 12:00 | 2024-05-20 10:00 |
        | anna  | transmit | adopted | transmitted | 2024-05-02 12:00 | 2024-05-20 10:00 |
      When the auditor verifies the history
      Then the history is intact with 8 events

  Rule: The application and the database refuse to change or delete history

    Scenario: Changing an entry through the application is refused
      When someone changes the reason of event 3 to "Antwoord ingetrokken" through the application
      Then it is refused as "history_append_only" with the message "history events cannot be changed"
      And nothing is written
      And event 3 still has no reason

    Scenario: Deleting an entry through the application is refused
      When someone deletes event 3 through the application
      Then it is refused as "history_append_only" with the message "history events cannot be deleted"
      And nothing is written
      And 6 events are recorded

    Scenario: The database refuses a plain update or delete of an entry
      When someone runs a plain database update of the reason of event 3 to "Antwoord ingetrokken"
      Then the database refuses with "event history is append-only: UPDATE refused"
      And event 3 still has no reason
      When someone runs a plain database delete of event 3
      Then the database refuses with "event history is append-only: DELETE refused"
      And 6 events are recorded
      When the auditor verifies the history
      Then the history is intact with 6 events

  Rule: Tampering with the database directly is found by the verification

    Scenario: An entry changed behind the application's back
      When an attacker with direct database access changes the reason of event 3 to "Antwoord ingetrokken"
      And the auditor verifies the history
      Then the history is broken at event 3: "the event's content does not match its hash"
      And 2 events were checked before the break
      And the stored hash of event 3 no longer matches its content

    Scenario: An entry deleted behind the application's back
      When an attacker with direct database access deletes event 3
      And the auditor verifies the history
      Then the history is broken at event 4: "an event is missing"
      And the verification expected "seq 3" and found "seq 4"
      And 2 events were checked before the break

    Scenario: Removing the newest entries is found against a head noted earlier
      Given the auditor noted the head of the history
      When an attacker with direct database access deletes the newest event
      And the auditor verifies the history
      Then the history is intact with 5 events
      When the auditor verifies the history against the head noted earlier
      Then the history is broken at event 5: "the newest events differ from the head noted earlier"
      And 5 events were checked before the break

  Rule: The history shows how a case stood at any moment

    Scenario: Looking back at the case on earlier days
      When the auditor looks at the recommendation as it stood on 2024-05-02 at 09:00
      Then it stood at "adopted"
      And the snapshot was rebuilt from 1 events
      When the auditor looks at the recommendation as it stood on 2024-05-15 at 12:00
      Then it stood at "awaiting answers"
      And the answer of NL stood at "answered"
      And the answer of BE-FED stood at "pending"
      When the auditor looks at the recommendation as it stood on 2024-05-22 at 12:00
      Then it stood at "answered"
      And the answer of BE-FED stood at "declined"
      And the snapshot was rebuilt from 6 events

    Scenario: Looking back counts a paper answer from the day it was received
      Given recommendation 744/2 was adopted on 2024-03-15 for NL and BE-FED
      And the secretariat transmitted it on 2024-05-02
      And the ministry of BE-FED sent the final answer for BE-FED on 2024-05-08 with the position "agrees"
      When the secretariat records the paper answer of NL on 2024-05-13: received on 2024-05-06, letter dated 2024-05-03, position "agrees"
      Then the recommendation is "answered"
      When the auditor looks at the recommendation as it stood on 2024-05-14 at 12:00
      Then it stood at "answered"
      When the auditor looks at the recommendation as it stood on 2024-05-07 at 12:00
      Then it stood at "awaiting answers"

    Scenario: Looking back at a recommendation registered after it was transmitted
      Given recommendation 744/2 was adopted on 2024-03-15 for NL and registered on 2024-05-20
      When the secretariat transmits the recommendation on 2024-05-20, sent on 2024-05-02
      Then the recommendation is "transmitted"
      When the auditor looks at the recommendation as it stood on 2024-05-21 at 12:00
      Then it stood at "transmitted"
