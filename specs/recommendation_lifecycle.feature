Feature: The life of a recommendation
  A recommendation adopted by the Benelux Parliament in plenary is registered by the
  secretariat, transmitted to its addressees (their answer clocks start), follows the
  answers as they come in, is assessed by the committee, and is then monitored, asked
  again, or closed. Only the secretariat moves a case forward. When answers come in,
  the aggregation rule (recorded as "system") moves the case by itself.

  "Come as far as" means the usual way: transmitted on 2 May 2024; the first required
  addressee answers on 10 May, the others on 21 May; the committee assesses from
  12 June and monitors the implementation from 26 June (or asks the last required
  addressee again that day); closed as implemented on 11 December 2024; reopened on
  5 February 2025.

  Background:
    Given recommendation 743/5Bis was adopted on 2024-03-15 for these addressees:
      | addressee | answer required |
      | NL        | yes             |
      | BE-FED    | yes             |
      | LU        | no              |

  Rule: The secretariat registers and transmits; transmitting starts every answer clock

    Scenario: A registered recommendation waits to be transmitted
      Then the recommendation is "adopted"
      And the history of the recommendation is:
        | actor | role        | action   | from | to      |
        | anna  | secretariat | register |      | adopted |
      And the secretariat may now choose:
        | action   | addressee |
        | transmit |           |
      And the ministry of NL may now choose nothing
      And the auditor may now choose nothing

    Scenario: Transmitting the recommendation starts the answer clock of every addressee
      When the secretariat transmits the recommendation on 2024-05-02
      Then the recommendation is "transmitted"
      And the due dates are:
        | addressee | due                              |
        | NL        | Monday 4 November 2024 at 17:00  |
        | BE-FED    | Monday 4 November 2024 at 17:00  |
        | LU        | Monday 4 November 2024 at 17:00  |
      And the history of the recommendation ends with:
        | actor | action   | from    | to          |
        | anna  | transmit | adopted | transmitted |
      And the ministry of NL may now choose:
        | action            | addressee |
        | submit_interim    | NL        |
        | submit_answer     | NL        |
        | decline           | NL        |
        | request_extension | NL        |
      And the system may not "receive_reaction" because of the rule "some_reaction"
      And the system may not "complete_answers" because of the rule "all_required_answered"

    Scenario: A recommendation without any required answer cannot be transmitted
      Given recommendation 744/2 was adopted on 2024-03-15 for these addressees:
        | addressee | answer required |
        | LU        | no              |
      When the secretariat transmits the recommendation on 2024-05-02
      Then it is refused as "transition_refused" with the message:
        """
        cannot transmit: the recommendation has no required addressee; add one first
        """
      And the refusal names the rule "required_addressee"
      And nothing is written
      And the recommendation is "adopted"

    Scenario: The transmission date cannot lie before the plenary adopted the recommendation
      When the secretariat transmits the recommendation on 2024-05-02, sent on 2024-03-01
      Then it is refused as "invalid" with the message:
        """
        transmission date 2024-03-01 is before the adoption date 2024-03-15
        """
      And the refusal points at the field "transmitted_on"
      And nothing is written

  Rule: The case follows the answers of its addressees (aggregation)

    Scenario: The first reaction of an addressee puts the case on "awaiting answers"
      Given the secretariat transmitted it on 2024-05-02
      When the ministry of NL sends an interim reply for NL on 2024-05-06
      Then the recommendation is "awaiting answers"
      And the history of the recommendation ends with:
        | actor  | role     | action           | addressee | from        | to               |
        | jan    | ministry | submit_interim   | NL        | pending     | interim_reply    |
        | system | system   | receive_reaction |           | transmitted | awaiting_answers |
      And the last event names jan as its cause
      And the system may not "complete_answers" because of the rule "all_required_answered"

    Scenario: The case is answered once every required addressee has answered
      Given the secretariat transmitted it on 2024-05-02
      And the ministry of NL sent the final answer for NL on 2024-05-10 with the position "agrees"
      When the ministry of BE-FED sends the final answer for BE-FED on 2024-05-21 with the position "partly agrees"
      Then the recommendation is "answered"
      And the answers stand as follows:
        | addressee | answer   | position      |
        | NL        | answered | agrees        |
        | BE-FED    | answered | partly agrees |
        | LU        | pending  |               |
      And the history of the recommendation ends with:
        | actor  | action           | addressee | from             | to       |
        | claire | submit_answer    | BE-FED    | pending          | answered |
        | system | complete_answers |           | awaiting_answers | answered |

    Scenario: While required answers are outstanding the case stays "awaiting answers"
      Given the recommendation has come as far as "awaiting answers"
      When the ministry of BE-FED sends an interim reply for BE-FED on 2024-05-17
      Then the recommendation is "awaiting answers"
      And the system may not "complete_answers" because of the rule "all_required_answered"
      And the system may not "receive_reaction" because of the rule "state"

    Scenario: Staff cannot do the work of the aggregation rule
      Given the secretariat transmitted it on 2024-05-02
      When the secretariat chooses the action "receive_reaction" on 2024-05-06
      Then it is refused as "forbidden" with the message:
        """
        cannot register a first reaction: only the system may do this (you are secretariat)
        """
      And the refusal names the rule "role"
      And nothing is written

  Rule: The committee assesses the answers, then monitors, asks again or closes

    Scenario: The committee assesses the answers and follows the implementation
      Given the recommendation has come as far as "answered"
      When the secretariat starts the assessment on 2024-06-12
      Then the recommendation is "under assessment"
      When the secretariat starts monitoring the implementation on 2024-06-26
      Then the recommendation is "monitoring implementation"
      And the history of the recommendation ends with:
        | actor | action           | from             | to               |
        | anna  | start_assessment | answered         | under_assessment |
        | anna  | start_monitoring | under_assessment | monitoring       |

    Scenario: Unsatisfactory answers: a follow-up question with a new due date
      Given the recommendation has come as far as "under assessment"
      When the secretariat requests a follow-up from BE-FED on 2024-06-26: "Welke gewesten zijn betrokken?"
      Then the recommendation is "follow-up requested"
      And the answers stand as follows:
        | addressee | answer   | position |
        | NL        | answered | agrees   |
        | BE-FED    | pending  |          |
        | LU        | pending  |          |
      And the answer of BE-FED is due on Thursday 26 December 2024 at 17:00
      And the history of the recommendation ends with:
        | actor | action            | addressee | from             | to                  | reason                         |
        | anna  | request_follow_up |           | under_assessment | follow_up_requested | Welke gewesten zijn betrokken? |
        | anna  | ask_again         | BE-FED    | answered         | pending             | Welke gewesten zijn betrokken? |
      When the ministry of BE-FED sends the final answer for BE-FED on 2024-09-16 with the position "agrees"
      Then the recommendation is "answered"
      And the answer of BE-FED is "answered" with the position "agrees"

    Scenario: A follow-up question needs a question and at least one addressee
      Given the recommendation has come as far as "under assessment"
      When the secretariat requests a follow-up from NL on 2024-06-26: ""
      Then it is refused as "invalid" with the message "reason is required"
      And the refusal points at the field "reason"
      And nothing is written
      When the secretariat requests a follow-up from nobody on 2024-06-26: "Welke termijn?"
      Then it is refused as "invalid" with the message "choose the addressees the follow-up question goes to"
      And the refusal points at the field "addressees"
      And nothing is written

    Scenario: Only an addressee that has answered can be asked again
      Given the recommendation has come as far as "under assessment"
      When the secretariat requests a follow-up from LU on 2024-06-26: "Graag alsnog een antwoord"
      Then it is refused as "transition_refused" with the message:
        """
        cannot ask LU again: it has not given its final reply yet (it is pending)
        """
      And the refusal names the rule "final_reply_given"
      And nothing is written

    Scenario: An addressee is asked again only through a follow-up of the whole case
      Given the recommendation has come as far as "under assessment"
      When the secretariat chooses the action "ask_again" for the answer of NL on 2024-06-26
      Then it is refused as "transition_refused" with the message:
        """
        cannot ask this addressee again: this follows from the action 'request a follow-up'
        """
      And the refusal names the rule "fired_by"
      And nothing is written

  Rule: Each action is possible only in certain states

    Scenario Outline: An action out of turn is refused and changes nothing
      Given the recommendation has come as far as "<state>"
      When the secretariat <does>
      Then it is refused as "transition_refused" with the message "<message>"
      And the refusal names the rule "state"
      And nothing is written
      And the recommendation is "<state>"

      Examples:
        | state                     | does                                                                  | message                                                                                                                                                               |
        | transmitted               | transmits the recommendation on 2025-03-03                            | cannot transmit to the addressees: the recommendation is transmitted; this is possible only when it is adopted                                                       |
        | awaiting answers          | starts the assessment on 2025-03-03                                   | cannot start the assessment: the recommendation is awaiting answers; this is possible only when it is answered, reopened                                             |
        | answered                  | starts monitoring the implementation on 2025-03-03                    | cannot monitor the implementation: the recommendation is answered; this is possible only when it is under assessment, reopened                                       |
        | answered                  | requests a follow-up from NL on 2025-03-03: "Graag meer details"      | cannot request a follow-up: the recommendation is answered; this is possible only when it is under assessment, monitoring implementation, reopened                    |
        | monitoring implementation | reopens the recommendation on 2025-03-03 because "Nieuwe feiten"      | cannot reopen the case: the recommendation is monitoring implementation; this is possible only when it is closed                                                     |
        | adopted                   | closes the recommendation as "lapsed" on 2025-03-03                   | cannot close the case: the recommendation is adopted; this is possible only when it is transmitted, awaiting answers, follow-up requested, answered, under assessment, monitoring implementation, reopened |
        | closed                    | closes the recommendation as "superseded" on 2025-03-03               | cannot close the case: the recommendation is closed; this is possible only when it is transmitted, awaiting answers, follow-up requested, answered, under assessment, monitoring implementation, reopened |

  Rule: Only the secretariat moves a case; ministries answer, auditors look

    Scenario Outline: Someone other than the secretariat tries to move the case
      Given the recommendation has come as far as "<state>"
      When <who> <does>
      Then it is refused as "forbidden" with the message "cannot <action>: only the secretariat may do this (you are <role>)"
      And the refusal names the rule "role"
      And nothing is written
      And the recommendation is "<state>"

      Examples:
        | state                     | who                    | does                                                             | action                     | role     |
        | adopted                   | the auditor            | transmits the recommendation on 2025-03-03                       | transmit to the addressees | auditor  |
        | answered                  | the ministry of BE-FED | starts the assessment on 2025-03-03                              | start the assessment       | ministry |
        | under assessment          | the auditor            | starts monitoring the implementation on 2025-03-03               | monitor the implementation | auditor  |
        | under assessment          | the ministry of NL     | requests a follow-up from NL on 2025-03-03: "Is dit voldoende?"  | request a follow-up        | ministry |
        | monitoring implementation | the ministry of NL     | closes the recommendation as "implemented" on 2025-03-03         | close the case             | ministry |
        | closed                    | the ministry of BE-FED | reopens the recommendation on 2025-03-03 because "Nieuwe feiten" | reopen the case            | ministry |

    Scenario: The auditor sees every case but may do nothing with it
      Given the recommendation has come as far as "answered"
      Then the auditor may now choose nothing
      And the secretariat may now choose:
        | action           | addressee |
        | start_assessment |           |
        | close            |           |
