Feature: Bad input is refused clearly and changes nothing
  Whatever goes wrong - an action that does not exist, a user in the wrong role or
  organisation, an addressee that is not on the case, a date that cannot be, a badly
  written document number, a holiday calendar nobody knows - the workflow answers with
  a specific error that says what is wrong and what to do about it. The request is
  then rolled back as a whole: no history entry, no changed state.

  Background:
    Given recommendation 743/5Bis was adopted on 2024-03-15 for NL, BE-FED and CM
    And the secretariat transmitted it on 2024-05-02

  Rule: Only known actions can be chosen

    Scenario: An action the recommendation does not know
      When the secretariat chooses the action "approve" on 2024-05-06
      Then it is refused as "unknown_trigger" with the message:
        """
        unknown action 'approve' for a recommendation; known actions: transmit, receive_reaction, complete_answers, start_assessment, request_follow_up, start_monitoring, close, reopen
        """
      And the refusal points at the field "trigger"
      And nothing is written
      And the recommendation is "transmitted"

    Scenario: An action an answer does not know
      When the ministry of NL chooses the action "accept" for the answer of NL on 2024-05-06
      Then it is refused as "unknown_trigger" with a message starting "unknown action 'accept' for a"
      And the message ends with "; known actions: submit_interim, submit_answer, decline, waive, ask_again, grant_extension, request_extension, refuse_extension, stop_clock, resume_clock"
      And the refusal points at the field "trigger"
      And nothing is written
      And the answer of NL is "pending"

  Rule: Each role does only its own work

    Scenario Outline: A user in the wrong role
      When <who> <does>
      Then it is refused as "forbidden" with the message "<message>"
      And the refusal names the rule "role"
      And nothing is written

      Examples:
        | who                    | does                                                                            | message                                                                                   |
        | the ministry of NL     | closes the recommendation as "lapsed" on 2024-05-06                             | cannot close the case: only the secretariat may do this (you are ministry)                |
        | the auditor            | sends the final answer for NL on 2024-05-06 with the position "agrees"          | cannot submit the final answer: only the ministry or secretariat may do this (you are auditor) |
        | the ministry of BE-FED | grants BE-FED an extension of 10 days on 2024-05-06 because "Meer tijd nodig"   | cannot grant an extension: only the secretariat may do this (you are ministry)           |
        | the auditor            | declares 2024-05-31 a closing day of BE-FED on 2024-05-06 because "Brugdag"     | only the secretariat may change a calendar (you are auditor)                              |

  Rule: A ministry sees and answers only the cases of its own government

    Scenario: A ministry answering for another government is told there is no such answer
      When the ministry of BE-FED sends the final answer for NL on 2024-05-06 with the position "agrees"
      Then it is refused as "not_found" with the message "no answer of NL on 743/5Bis in your scope"
      And nothing is written
      And the answer of NL is "pending"

    Scenario: A ministry of a government that is not addressed does not see the case
      When the ministry of LU chooses the action "close" on 2024-05-06
      Then it is refused as "not_found" with the message "no recommendation 743/5Bis in your scope"
      And nothing is written
      And the ministry of LU may now choose nothing

    Scenario: A case outside the ministry's scope stays "not found" whichever way it is closed
      When the ministry of LU closes the recommendation as "lapsed" on 2024-05-06
      Then it is refused as "not_found" with the message "no recommendation 743/5Bis in your scope"
      And nothing is written

    Scenario: A ministry does not see a recommendation before it is transmitted
      Given recommendation 744/2 was adopted on 2024-03-15 for NL
      When the ministry of NL sends an interim reply for NL on 2024-05-06
      Then it is refused as "not_found" with the message "no recommendation 744/2 in your scope"
      And nothing is written
      And the ministry of NL may now choose nothing

  Rule: Answers concern the addressees on the case

    Scenario: An answer for an addressee that is not on the case
      When the ministry of DE-NW sends the final answer for DE-NW on 2024-05-06 with the position "agrees"
      Then it is refused as "unknown_addressee" with the message:
        """
        DE-NW is not an addressee of recommendation 743/5Bis (its addressees: NL, BE-FED, CM)
        """
      And the refusal points at the field "addressee"
      And nothing is written

    Scenario: A waiver for an addressee that is not on the case
      Given the Committee of Ministers sent the final answer for CM on 2024-06-13 with the position "agrees"
      When the secretariat waives the answer of LU on 2024-06-17 because "Gedekt door het Comité"
      Then it is refused as "unknown_addressee" with the message:
        """
        LU is not an addressee of recommendation 743/5Bis (its addressees: NL, BE-FED, CM)
        """
      And nothing is written

    Scenario: A recommendation addressed to a body the catalogue does not know
      When the secretariat registers recommendation "744/2" adopted on 2024-03-15 for NL and FR with the deadline rule "6 months" on 2024-05-06
      Then it is refused as "unknown_addressee" with the message:
        """
        unknown addressee 'FR'; known: BE-BRU, BE-DG, BE-FED, BE-FWB, BE-VLG, BE-WAL, CM, DE-NW, LU, NL
        """
      And nothing is written
      And no recommendation 744/2 is registered

    Scenario: A follow-up to an addressee not on the case is refused before anyone is asked again
      Given the recommendation has come as far as "under assessment"
      When the secretariat requests a follow-up from NL and DE-NW on 2024-06-26: "Wat is de stand van zaken?"
      Then it is refused as "unknown_addressee" with the message:
        """
        DE-NW is not an addressee of recommendation 743/5Bis (its addressees: NL, BE-FED, CM)
        """
      And nothing is written
      And the recommendation is "under assessment"

  Rule: Dates must be possible

    Scenario: A fixed due date before the plenary adopted the recommendation
      When the secretariat registers recommendation "744/2" adopted on 2024-03-15 for NL with the deadline rule "2024-03-01" on 2024-05-06
      Then it is refused as "invalid" with the message "the due date 2024-03-01 is not after the adoption date 2024-03-15"
      And the refusal points at the field "deadline_rule"
      And nothing is written
      And no recommendation 744/2 is registered

    Scenario: An adoption date in the future
      When the secretariat registers recommendation "744/2" adopted on 2024-06-13 for NL with the deadline rule "6 months" on 2024-05-06
      Then it is refused as "invalid" with the message "adoption date 2024-06-13 is in the future; give the plenary date"
      And the refusal points at the field "adopted_on"
      And nothing is written

    Scenario: A transmission date in the future
      Given recommendation 744/2 was adopted on 2024-03-15 for NL
      When the secretariat transmits the recommendation on 2024-05-06, sent on 2024-06-01
      Then it is refused as "invalid" with the message "transmission date 2024-06-01 is in the future"
      And the refusal points at the field "transmitted_on"
      And nothing is written
      And the recommendation is "adopted"

  Rule: Document numbers and deadline rules are written the Parliament's way

    Scenario Outline: A malformed document number
      When the secretariat registers recommendation "<number>" adopted on 2024-03-15 for NL with the deadline rule "6 months" on 2024-05-06
      Then it is refused as "invalid" with the message "malformed document number '<number>': write NUMBER/PART as the Benelux Parliament does, e.g. 743/5 or 743/5Bis"
      And the refusal points at the field "doc_number"
      And nothing is written

      Examples:
        | number           |
        | 743-5            |
        | 743/5 Bis        |
        | Aanbeveling 743/5 |
        | 743/             |

    Scenario: A document number that is already registered
      When the secretariat registers recommendation "743/5Bis" adopted on 2024-03-15 for NL with the deadline rule "6 months" on 2024-05-06
      Then it is refused as "invalid" with the message "a recommendation 743/5Bis is already registered; open it instead"
      And the refusal points at the field "doc_number"
      And nothing is written

    Scenario Outline: A deadline rule that cannot be read
      When the secretariat registers recommendation "744/2" adopted on 2024-03-15 for NL with the deadline rule "<rule>" on 2024-05-06
      Then it is refused as "invalid" with the message "<message>"
      And the refusal points at the field "deadline_rule"
      And nothing is written
      And no recommendation 744/2 is registered

      Examples:
        | rule        | message                                                                                                              |
        | 20 days     | '20 days' is ambiguous: say 20 calendar days or 20 working days                                                      |
        | zes maanden | cannot read the deadline rule 'zes maanden'; write e.g. "6 months", "30 calendar days", "20 working days" or a date such as "2027-03-01" |
        | 2024-02-30  | '2024-02-30' is not a real date; write a fixed due date as YYYY-MM-DD, e.g. 2027-03-01                               |

  Rule: Holiday calendars must exist

    Scenario: A subdivision the holiday calendars do not know
      When the addressee catalogue is loaded with DE-NW on the holiday calendar of country "DE" subdivision "NRW"
      Then it is refused as "invalid" with a message starting "addressee DE-NW: the holidays package has no subdivision 'NRW' for country DE; use one of"
      And the message ends with "(NW is North Rhine-Westphalia)"
      And the refusal points at the field "calendar"
      And nothing is written
      And DE-NW still counts its working days on the holiday calendar of country "DE" subdivision "NW"

    Scenario: A country the holiday calendars do not know
      When the addressee catalogue is loaded with LU on the holiday calendar of country "BX" without subdivision
      Then it is refused as "invalid" with a message starting "addressee LU: the holidays package has no calendar for country 'BX'; use an upper-case ISO 3166-1 code such as BE, NL, LU or DE"
      And the refusal points at the field "calendar"
      And nothing is written
      And LU still counts its working days on the holiday calendar of country "LU" without subdivision
