Feature: The answers of the addressees
  Each addressee of a recommendation answers for itself: an interim reply first if it
  needs time, then a final answer with a position (agrees, partly agrees, disagrees,
  takes note), or it declines to answer. A ministry answers only for its own
  government; the secretariat records answers that arrive on paper. When the Committee
  of Ministers answers collectively, the secretariat may waive the answers of the
  governments it covers. The case is "answered" once every required addressee has
  answered, declined or been waived; optional addressees do not hold it up.

  Background:
    Given recommendation 748/3 was adopted on 2024-03-15 for these addressees:
      | addressee | answer required |
      | NL        | yes             |
      | BE-FED    | yes             |
      | CM        | yes             |
      | LU        | no              |
    And the secretariat transmitted it on 2024-05-02

  Rule: An interim reply does not stop the clock

    Scenario: A ministry sends an interim reply
      When the ministry of NL sends an interim reply for NL on 2024-05-06
      Then the answer of NL is "interim reply received"
      And the recommendation is "awaiting answers"
      And the answer of NL is due on Monday 4 November 2024 at 17:00
      And on 2024-11-12 at 18:00 the deadline of NL is "overdue"
      And the ministry of NL may now choose:
        | action            | addressee |
        | submit_interim    | NL        |
        | submit_answer     | NL        |
        | decline           | NL        |
        | request_extension | NL        |

  Rule: A final answer carries a position; declining needs a reason

    Scenario: A ministry sends its final answer with a position
      Given the ministry of NL sent an interim reply for NL on 2024-05-06
      When the ministry of NL sends the final answer for NL on 2024-06-14 with the position "partly agrees"
      Then the answer of NL is "answered" with the position "partly agrees"
      And the answer of NL was received on 2024-06-14, the day it was sent, without a letter date
      And the history of the recommendation ends with:
        | actor | role     | organisation | action        | addressee | from          | to       |
        | jan   | ministry | NL           | submit_answer | NL        | interim_reply | answered |
      And on 2024-11-12 at 18:00 the deadline of NL is "no deadline"

    Scenario: A final answer without a position is refused
      When the ministry of NL sends the final answer for NL on 2024-06-14 without a position
      Then it is refused as "invalid" with the message:
        """
        a final answer needs a position: agrees, partly agrees, disagrees or takes note
        """
      And the refusal points at the field "position"
      And nothing is written
      And the answer of NL is "pending"

    Scenario: A position the Parliament does not use is refused
      When the ministry of NL sends the final answer for NL on 2024-06-14 with the position "welcomes"
      Then it is refused as "invalid" with the message:
        """
        unknown position 'welcomes'; choose one of agrees, partly_agrees, disagrees, takes_note
        """
      And the refusal points at the field "position"
      And nothing is written

    Scenario: A government declines to answer, giving its reason
      When the ministry of BE-FED declines to answer for BE-FED on 2024-05-21 because "De bevoegdheid ligt bij de gewesten"
      Then the answer of BE-FED is "declined"
      And the recommendation is "awaiting answers"
      And the history of the recommendation ends with:
        | actor  | action           | addressee | from        | to               | reason                              |
        | claire | decline          | BE-FED    | pending     | declined         | De bevoegdheid ligt bij de gewesten |
        | system | receive_reaction |           | transmitted | awaiting_answers |                                     |

    Scenario: Declining without a reason is refused
      When the ministry of BE-FED declines to answer for BE-FED on 2024-05-21 without giving a reason
      Then it is refused as "invalid" with the message "reason is required"
      And the refusal points at the field "reason"
      And nothing is written

    Scenario: An addressee answers only once
      Given the ministry of NL sent the final answer for NL on 2024-06-14 with the position "agrees"
      When the ministry of NL sends the final answer for NL on 2024-06-20 with the position "disagrees"
      Then it is refused as "transition_refused" with the message:
        """
        cannot submit the final answer: the answer is answered; this is possible only when it is pending, interim reply received
        """
      And the refusal names the rule "state"
      And nothing is written
      And the answer of NL is "answered" with the position "agrees"

  Rule: A ministry answers for its own government only; the secretariat records paper answers

    Scenario: A ministry cannot answer for another government
      When the ministry of BE-FED sends the final answer for NL on 2024-05-21 with the position "agrees"
      Then it is refused as "not_found" with the message "no answer of NL on 748/3 in your scope"
      And nothing is written
      And the answer of NL is "pending"

    Scenario: The secretariat records an answer received on paper, with its own dates
      When the secretariat records the paper answer of NL on 2024-05-13: received on 2024-05-06, letter dated 2024-05-03, position "agrees"
      Then the answer of NL is "answered" with the position "agrees"
      And the answer of NL was received on 2024-05-06 in a letter dated 2024-05-03
      And the history of the recommendation ends with:
        | actor  | role        | action           | addressee | from        | to               | effective        | recorded         |
        | anna   | secretariat | submit_answer    | NL        | pending     | answered         | 2024-05-06 12:00 | 2024-05-13 10:00 |
        | system | system      | receive_reaction |           | transmitted | awaiting_answers | 2024-05-06 12:00 | 2024-05-13 10:00 |
      And the history payload of event 3 records:
        """
        {"on_behalf": true, "received_on": "2024-05-06", "letter_date": "2024-05-03", "kind": "final"}
        """

    Scenario: A letter cannot be dated after it was received
      When the secretariat records the paper answer of NL on 2024-05-13: received on 2024-05-06, letter dated 2024-05-08, position "agrees"
      Then it is refused as "invalid" with the message:
        """
        the date on the letter (2024-05-08) is after the date it was received (2024-05-06)
        """
      And the refusal points at the field "letter_date"
      And nothing is written

    Scenario: A letter cannot answer a recommendation before the plenary adopted it
      When the secretariat records the paper answer of NL on 2024-05-13: received on 2024-05-06, letter dated 2024-03-01, position "agrees"
      Then it is refused as "invalid" with the message:
        """
        the date on the letter (2024-03-01) is before the recommendation was adopted (2024-03-15)
        """
      And the refusal points at the field "letter_date"
      And nothing is written

    Scenario: An answer cannot have been received before the recommendation was sent
      When the secretariat records the paper answer of NL on 2024-05-13: received on 2024-04-30, letter dated 2024-04-29, position "agrees"
      Then it is refused as "invalid" with the message:
        """
        the date received (2024-04-30) is before the recommendation was sent (2024-05-02)
        """
      And the refusal points at the field "received_on"
      And nothing is written

  Rule: The case is answered when every required addressee has answered, declined or been waived

    Scenario: Optional addressees do not hold up the case
      Given the ministry of NL sent the final answer for NL on 2024-06-14 with the position "agrees"
      And the ministry of BE-FED declined to answer for BE-FED on 2024-06-20 because "Bevoegdheid van de gewesten"
      When the Committee of Ministers sends the final answer for CM on 2024-06-27 with the position "takes note"
      Then the recommendation is "answered"
      And the answers stand as follows:
        | addressee | answer   | position   |
        | NL        | answered | agrees     |
        | BE-FED    | declined |            |
        | CM        | answered | takes note |
        | LU        | pending  |            |
      And the history of the recommendation ends with:
        | actor        | action           | addressee | from             | to       |
        | cm-secretary | submit_answer    | CM        | pending          | answered |
        | system       | complete_answers |           | awaiting_answers | answered |
      And on 2024-11-12 at 18:00 the deadline of LU is "no deadline"

    Scenario: Once the case is answered, late answers are no longer taken in
      Given the ministry of NL sent the final answer for NL on 2024-06-14 with the position "agrees"
      And the ministry of BE-FED sent the final answer for BE-FED on 2024-06-20 with the position "agrees"
      And the Committee of Ministers sent the final answer for CM on 2024-06-27 with the position "agrees"
      When the ministry of LU sends the final answer for LU on 2024-07-01 with the position "agrees"
      Then it is refused as "transition_refused" with the message:
        """
        cannot submit the final answer: the recommendation is not awaiting answers (it is not yet transmitted, or it is answered, under assessment or closed)
        """
      And the refusal names the rule "case_accepts_answers"
      And nothing is written
      And the answer of LU is "pending"

  Rule: A collective answer of the Committee of Ministers lets the secretariat waive the others

    Scenario: The governments covered by the collective answer are waived
      Given the Committee of Ministers sent the final answer for CM on 2024-06-13 with the position "agrees"
      When the secretariat waives the answer of NL on 2024-06-17 because "Gedekt door het collectieve antwoord van het Comité van Ministers"
      And the secretariat waives the answer of BE-FED on 2024-06-17 because "Gedekt door het collectieve antwoord van het Comité van Ministers"
      Then the recommendation is "answered"
      And the answers stand as follows:
        | addressee | answer   | position |
        | NL        | waived   |          |
        | BE-FED    | waived   |          |
        | CM        | answered | agrees   |
        | LU        | pending  |          |
      And the history of the recommendation ends with:
        | actor  | action           | addressee | from             | to       | reason                                                            |
        | anna   | waive            | NL        | pending          | waived   | Gedekt door het collectieve antwoord van het Comité van Ministers |
        | anna   | waive            | BE-FED    | pending          | waived   | Gedekt door het collectieve antwoord van het Comité van Ministers |
        | system | complete_answers |           | awaiting_answers | answered |                                                                   |

    Scenario: Without a collective answer nothing can be waived
      When the secretariat waives the answer of NL on 2024-06-17 because "Het Comité zal antwoorden"
      Then it is refused as "transition_refused" with the message:
        """
        cannot waive: the Committee of Ministers has not given a collective answer on this case
        """
      And the refusal names the rule "collective_answer_covers"
      And nothing is written
      And the answer of NL is "pending"

    Scenario: A collective refusal to answer covers nobody
      Given the Committee of Ministers declined to answer for CM on 2024-06-13 because "Geen consensus in het Comité"
      When the secretariat waives the answer of NL on 2024-06-17 because "Gedekt door het Comité"
      Then it is refused as "transition_refused" with the message:
        """
        cannot waive: the Committee of Ministers has not given a collective answer on this case
        """
      And the refusal names the rule "collective_answer_covers"
      And nothing is written

    Scenario: The collective answer cannot waive itself
      Given the Committee of Ministers sent an interim reply for CM on 2024-06-13
      When the secretariat waives the answer of CM on 2024-06-17 because "Het Comité antwoordt later"
      Then it is refused as "transition_refused" with the message:
        """
        cannot waive: the Committee of Ministers has not given a collective answer on this case
        """
      And the refusal names the rule "collective_answer_covers"
      And nothing is written

    Scenario: Only the secretariat waives an answer
      Given the Committee of Ministers sent the final answer for CM on 2024-06-13 with the position "agrees"
      When the ministry of NL waives the answer of NL on 2024-06-17 because "Het Comité heeft geantwoord"
      Then it is refused as "forbidden" with the message:
        """
        cannot waive the answer: only the secretariat may do this (you are ministry)
        """
      And the refusal names the rule "role"
      And nothing is written
      And the answer of NL is "pending"

    Scenario: A waiver needs a reason
      Given the Committee of Ministers sent the final answer for CM on 2024-06-13 with the position "agrees"
      When the secretariat waives the answer of NL on 2024-06-17 because " "
      Then it is refused as "invalid" with the message "reason is required"
      And the refusal points at the field "reason"
      And nothing is written
