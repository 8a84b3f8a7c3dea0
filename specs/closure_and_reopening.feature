Feature: Closing and reopening a case
  A case is closed by the Parliament side (the secretariat records the decision), never
  by an addressee, and always with a reason: implemented, no action needed, not
  implemented / rejected, superseded (by a later recommendation or a Committee of
  Ministers decision), lapsed / no further action, or no reply possible. Until the
  committee has assessed the answers there is nothing to judge, so only superseded,
  lapsed and no reply possible can close it then. A closed case can be reopened.

  "Come as far as" means the usual way: transmitted on 2 May 2024; the first required
  addressee answers on 10 May, the others on 21 May; the committee assesses from
  12 June and monitors the implementation from 26 June (or asks the last required
  addressee again that day); closed as implemented on 11 December 2024; reopened on
  5 February 2025.

  Background:
    Given recommendation 752/1 was adopted on 2024-03-15 for these addressees:
      | addressee | answer required |
      | NL        | yes             |
      | BE-FED    | yes             |
      | LU        | no              |

  Rule: Before the assessment a case closes only as superseded, lapsed or no reply possible

    Scenario Outline: A case closed before the committee assessed it
      Given the recommendation has come as far as "<state>"
      When the secretariat closes the recommendation as "<reason>" on 2024-09-16 because "<why>"
      Then the recommendation is closed as "<reason>"
      And the history of the recommendation ends with:
        | actor | role        | action | from   | to     | reason |
        | anna  | secretariat | close  | <from> | closed | <why>  |

      Examples:
        | state               | from                | reason            | why                                            |
        | transmitted         | transmitted         | lapsed            | Geen gevolg meer na de verkiezingen            |
        | awaiting answers    | awaiting_answers    | superseded        | Vervangen door aanbeveling 760/1               |
        | answered            | answered            | no reply possible | De bevoegde dienst is opgeheven                |
        | follow-up requested | follow_up_requested | lapsed            | Beschikking van het Comité van Ministers M (2024) 5 |

    Scenario Outline: A judgement on the answers needs the committee's assessment first
      Given the recommendation has come as far as "<state>"
      When the secretariat closes the recommendation as "<reason>" on 2024-09-16
      Then it is refused as "transition_refused" with the message:
        """
        cannot close: the committee has not assessed the answers (before assessment a case can only be closed as superseded, lapsed, no_reply_possible)
        """
      And the refusal names the rule "assessed_before_closure"
      And nothing is written
      And the recommendation is "<state>"

      Examples:
        | state               | reason           |
        | transmitted         | implemented      |
        | awaiting answers    | no action needed |
        | answered            | not implemented  |
        | follow-up requested | implemented      |

  Rule: After the assessment any closure reason may be given

    Scenario Outline: The committee closes an assessed case
      Given the recommendation has come as far as "<state>"
      When the secretariat closes the recommendation as "<reason>" on 2025-03-03
      Then the recommendation is closed as "<reason>"
      And the history payload of the last event records:
        """
        {"closure_reason": "<key>"}
        """

      Examples:
        | state                     | reason           | key              |
        | under assessment          | implemented      | implemented      |
        | monitoring implementation | not implemented  | not_implemented  |
        | reopened                  | no action needed | no_action_needed |

    Scenario: A closure reason the Parliament does not use is refused
      Given the recommendation has come as far as "monitoring implementation"
      When the secretariat closes the recommendation as "done" on 2024-12-11
      Then it is refused as "invalid" with the message:
        """
        unknown closure reason 'done'; choose one of implemented, no_action_needed, not_implemented, superseded, lapsed, no_reply_possible
        """
      And the refusal points at the field "closure_reason"
      And nothing is written
      And the recommendation is "monitoring implementation"

  Rule: A closed case no longer waits for answers

    Scenario: Outstanding answers are no longer due once the case is closed
      Given the recommendation has come as far as "awaiting answers"
      When the secretariat closes the recommendation as "superseded" on 2024-11-20 because "Vervangen door aanbeveling 760/1"
      Then the recommendation is closed as "superseded"
      And the answer of BE-FED is "pending"
      And on 2024-11-20 at 18:00 the deadline of BE-FED is "no deadline"
      And the ministry of BE-FED may now choose nothing
      When the ministry of BE-FED sends the final answer for BE-FED on 2024-11-21 with the position "agrees"
      Then it is refused as "transition_refused" with the message:
        """
        cannot submit the final answer: the recommendation is not awaiting answers (it is not yet transmitted, or it is answered, under assessment or closed)
        """
      And the refusal names the rule "case_accepts_answers"
      And nothing is written

  Rule: The Parliament side may reopen a closed case, giving its reason

    Scenario: Reopening clears the closure and keeps the previous reason in the history
      Given the recommendation has come as far as "closed"
      When the secretariat reopens the recommendation on 2025-02-05 because "De uitvoering blijkt onvolledig"
      Then the recommendation is "reopened"
      And the recommendation has no closure reason
      And the history of the recommendation ends with:
        | actor | action | from   | to       | reason                          |
        | anna  | reopen | closed | reopened | De uitvoering blijkt onvolledig |
      And the history payload of the last event records:
        """
        {"previous_closure_reason": "implemented"}
        """
      And the secretariat may now choose:
        | action            | addressee |
        | start_assessment  |           |
        | request_follow_up |           |
        | start_monitoring  |           |
        | close             |           |
      And the ministry of NL may now choose nothing

    Scenario: A reopened case asks again, receives the answer and is closed anew
      Given the recommendation has come as far as "reopened"
      When the secretariat requests a follow-up from NL on 2025-02-10: "Hoe staat het met de uitvoering?"
      Then the recommendation is "follow-up requested"
      And the answer of NL is due on Monday 11 August 2025 at 17:00
      When the ministry of NL sends the final answer for NL on 2025-04-14 with the position "agrees"
      Then the recommendation is "answered"
      When the secretariat starts the assessment on 2025-05-07
      And the secretariat closes the recommendation as "implemented" on 2025-05-07 because "Uitvoering bevestigd"
      Then the recommendation is closed as "implemented"

    Scenario: A case closed before anyone answered has nothing to follow up on
      Given the secretariat transmitted it on 2024-05-02
      And the secretariat closed the recommendation as "lapsed" on 2024-09-02
      And the secretariat reopened the recommendation on 2024-10-01 because "Nieuwe regering"
      When the secretariat requests a follow-up from NL on 2024-10-02: "Graag alsnog een antwoord"
      Then it is refused as "transition_refused" with the message:
        """
        cannot request a follow-up: no addressee has given a final reply to follow up on
        """
      And the refusal names the rule "final_reply_given"
      And nothing is written
      And the recommendation is "reopened"

    Scenario: Reopening needs a reason
      Given the recommendation has come as far as "closed"
      When the secretariat reopens the recommendation on 2025-02-05 without a reason
      Then it is refused as "invalid" with the message "reason is required"
      And the refusal points at the field "reason"
      And nothing is written
      And the recommendation is closed as "implemented"

  Rule: Two people cannot both decide on the same version of a case

    Scenario: The second of two simultaneous closures is refused
      Given the recommendation has come as far as "under assessment"
      And the secretariat has the recommendation open on screen
      When another staff member closes the recommendation as "implemented" on 2024-07-01
      And the secretariat closes the recommendation as "no action needed" on 2024-07-01 from the version it has open
      Then it is refused as "conflict" with a message starting "recommendation 752/1 was changed meanwhile (it is now at version"
      And the message ends with "reload it and try again"
      And nothing is written
      And the recommendation is closed as "implemented"
