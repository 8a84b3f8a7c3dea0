"""Realistic demo data: Benelux themes and committees, every kind of addressee,
cases in every state, some overdue. Dates are relative to today so that the
demo shows overdue and upcoming answers whenever it is loaded."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow import accounts, clock, dispatch
from workflow.accounts.models import User
from workflow.actors import Actor
from workflow.answers import assessment, replies
from workflow.cases import catalogue, registration, scope, transitions
from workflow.cases.models import Recommendation
from workflow.comments import operations as comments
from workflow.publishing import publication
from workflow.questions import operations as questions
from workflow.questions.models import WrittenQuestion

DEMO_USERS = (
    # username, password, role, organisation, full name, locale
    ("secretariaat", "demo-secretariaat", "secretariat", "BNL-PARL",
     "Anna Peeters (Secretariaat Beneluxparlement)", "nl"),
    ("minbuza", "demo-minbuza", "ministry", "NL",
     "Jan de Vries (Ministerie van Buitenlandse Zaken, NL)", "nl"),
    ("spf-affaires-etrangeres", "demo-spf-be", "ministry", "BE-FED",
     "Claire Dubois (SPF Affaires étrangères, BE)", "fr"),
    ("maee-lu", "demo-maee-lu", "ministry", "LU",
     "Marc Weber (Ministère des Affaires étrangères, LU)", "fr"),
    ("nrw-staatskanzlei", "demo-nrw-stk", "ministry", "DE-NW",
     "Katrin Schulz (Staatskanzlei NRW)", "en"),
    ("comite-ministres", "demo-comite-cm", "ministry", "CM",
     "Secrétariat général Benelux (for the Committee of Ministers)", "fr"),
    ("auditor", "demo-auditor", "auditor", "NL-IOB",
     "Evaluation office (IOB, NL)", "en"),
)

SEC = Actor("secretariaat", "secretariat", "BNL-PARL")


def _ministry(code: str) -> Actor:
    username = {"NL": "minbuza", "BE-FED": "spf-affaires-etrangeres", "LU": "maee-lu",
                "DE-NW": "nrw-staatskanzlei", "CM": "comite-ministres"}.get(code, "demo")
    return Actor(username, "ministry", code)


CASES = [
    # doc, committee, theme, title_nl, title_fr, addressees {code: required}, rule,
    # adopted days ago, transmitted days ago (None: not yet), script of later steps
    dict(doc="726/2", committee="Sociale Aangelegenheden", theme="Sociale cohesie",
         nl="Telewerk van grensarbeiders en sociale zekerheid",
         fr="Télétravail des travailleurs frontaliers et sécurité sociale",
         to={"BE-FED": True, "NL": True, "LU": True}, rule="6 months", adopted=520,
         sent=510, steps=[("answer", "NL", 120, "agrees"), ("answer", "LU", 150, "agrees"),
                          ("answer", "BE-FED", 200, "partly_agrees"),
                          ("assess", None, 230, None), ("close", "implemented", 260, None)]),
    dict(doc="731/3", committee="Duurzame Ontwikkeling", theme="Energie",
         nl="Gezamenlijke windparken en waterstofnetwerk in de Noordzee",
         fr="Parcs éoliens communs et réseau d'hydrogène en mer du Nord",
         to={"CM": True, "BE-FED": True, "NL": True, "LU": False}, rule="6 months",
         adopted=330, sent=320, steps=[("answer", "NL", 150, "agrees"),
                                       ("interim", "BE-FED", 160, None)]),
    dict(doc="733/4", committee="Justitie en Veiligheid", theme="Veiligheid",
         nl="Uitvoering van het Benelux-politieverdrag bij grensoverschrijdende achtervolging",
         fr="Mise en œuvre du traité de police Benelux pour la poursuite transfrontalière",
         to={"BE-FED": True, "NL": True, "LU": True}, rule="6 months", adopted=250,
         sent=245, steps=[("answer", "LU", 60, "agrees")]),
    dict(doc="735/2", committee="Grensoverschrijdende Samenwerking", theme="Mobiliteit",
         nl="Betere treinverbindingen Luik-Maastricht-Aken",
         fr="Meilleures liaisons ferroviaires Liège-Maastricht-Aix-la-Chapelle",
         to={"BE-FED": True, "BE-WAL": True, "NL": True, "DE-NW": True},
         rule="6 months", adopted=180, sent=172, steps=[("answer", "DE-NW", 40, "agrees")]),
    dict(doc="737/3", committee="Sociale Aangelegenheden", theme="Fraudebestrijding",
         nl="Gegevensuitwisseling tegen grensoverschrijdende sociale fraude",
         fr="Échange de données contre la fraude sociale transfrontalière",
         to={"CM": True, "BE-FED": True, "NL": True, "LU": True}, rule="6 months",
         adopted=300, sent=295, steps=[("answer", "CM", 100, "agrees"),
                                       ("waive", "BE-FED", 101, None),
                                       ("waive", "NL", 101, None), ("waive", "LU", 101, None),
                                       ("publish", None, 105, None)]),
    dict(doc="739/2", committee="Duurzame Ontwikkeling", theme="Milieu",
         nl="PFAS in grensoverschrijdende waterlopen",
         fr="PFAS dans les cours d'eau transfrontaliers",
         to={"BE-FED": True, "BE-VLG": True, "NL": True}, rule="6 months", adopted=400,
         sent=390, steps=[("answer", "NL", 200, "agrees"), ("answer", "BE-FED", 210, "agrees"),
                          ("answer", "BE-VLG", 215, "partly_agrees"),
                          ("assess", None, 230, None), ("monitor", None, 240, None)]),
    dict(doc="741/4", committee="Economie en Financiën", theme="Economie en kennis",
         nl="Automatische erkenning van diploma's in de Benelux",
         fr="Reconnaissance automatique des diplômes dans le Benelux",
         to={"BE-FED": True, "BE-FWB": True, "NL": True, "LU": True}, rule="6 months",
         adopted=420, sent=410, steps=[("answer", "NL", 250, "disagrees"),
                                       ("answer", "LU", 240, "agrees"),
                                       ("answer", "BE-FED", 260, "takes_note"),
                                       ("answer", "BE-FWB", 262, "partly_agrees"),
                                       ("assess", None, 280, None),
                                       ("judge", "NL", 284, "unsatisfactory"),
                                       ("judge", "LU", 284, "satisfactory"),
                                       ("judge", "BE-FED", 285, "partly_satisfactory"),
                                       ("judge", "BE-FWB", 285, "partly_satisfactory"),
                                       ("publish", None, 286, None),
                                       ("comment", "BE-FED", 288, None),
                                       ("follow_up", "NL", 290, None)]),
    dict(doc="743/5Bis", committee="Grensoverschrijdende Samenwerking", theme="Gezondheid",
         nl="Grensoverschrijdende inzet van ambulances",
         fr="Intervention transfrontalière des ambulances",
         to={"BE-FED": True, "NL": True, "DE-NW": True}, rule="40 working days", adopted=75,
         sent=70, steps=[]),
    dict(doc="745/1", committee="Buitenlandse Aangelegenheden", theme="Benelux-samenwerking",
         nl="Versterking van de rol van het Beneluxparlement",
         fr="Renforcement du rôle du Parlement Benelux",
         to={"CM": True}, rule="3 months", adopted=700, sent=690,
         steps=[("close", "superseded", 400, None)]),
    dict(doc="747/2", committee="Duurzame Ontwikkeling", theme="Ruimtelijke ordening",
         nl="Afstemming van ruimtelijke plannen in grensgebieden",
         fr="Coordination de l'aménagement du territoire dans les zones frontalières",
         to={"BE-FED": True, "NL": True, "LU": True}, rule="6 months", adopted=6, sent=None,
         steps=[]),
]


JUDGEMENT_NOTES = {
    "satisfactory": "De commissie acht het antwoord volledig.",
    "partly_satisfactory": "De commissie mist een tijdpad voor de uitvoering.",
    "unsatisfactory": "De commissie vindt de weigering onvoldoende gemotiveerd.",
}
COMMENTS = {
    "BE-FED": "Notre réponse à la recommandation {doc} a été remise par courrier diplomatique ; "
              "le Parlement l'a enregistrée à sa réception.",
}
# Written questions of members: addressee, subject, asked and answered (days ago; None:
# not yet answered, one of them overdue)
QUESTIONS = [
    ("NL", "Stand van de grensoverschrijdende ambulancezorg", 60, 20),
    ("BE-FED", "Erkenning van diploma's van verpleegkundigen", 120, None),
    ("LU", "Télétravail et imposition des frontaliers", 20, None),
]


def _at(today: date, days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(hour), tzinfo=UTC)


def create_demo_users(session: Session, now: datetime) -> list[tuple[str, str, str, str]]:
    created = []
    for username, password, role, org, name, locale in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            accounts.create_user(session, username=username, password=password, role=role,
                                 organisation=org, full_name=name, locale=locale,
                                 email=f"{username}@example.org",  # a reserved domain
                                 is_admin=username == "secretariaat", now=now)
        created.append((username, password, role, org))
    return created


def load_demo(session: Session, now: datetime | None = None) -> dict:
    """Load the demo (once: a database with recommendations is left alone).
    Flushes; the caller commits."""
    now = clock.ensure_aware(now) if now else clock.utcnow()
    catalogue.sync_addressees(session)
    users = create_demo_users(session, now)
    if session.scalar(select(func.count(Recommendation.id))):
        return {"users": users, "recommendations": 0}
    # "n days ago" counts Brussels days, as every page shows them (late in the evening
    # the UTC date is still yesterday's); the earliest step is 5 days ago, in the past.
    today = clock.brussels_date(now)
    # Replay every case's steps in time order, so the history reads chronologically.
    actions = [a for spec in CASES for a in _case_actions(session, spec, today)]
    actions += _question_actions(session, today)
    for _when, _order, action in sorted(actions, key=lambda a: (a[0], a[1])):
        action()
    return {"users": users, "recommendations": len(CASES)}


def _question_actions(session: Session, today: date):
    def ask(code, subject, asked):
        return lambda: questions.ask_question(
            session, SEC, addressee_code=code, subject=subject,
            asked_on=today - timedelta(days=asked), asker="Lid van het Beneluxparlement",
            text=f"{subject}: welke stappen zet de regering, en wanneer?",
            now=_at(today, asked))

    def answer(subject, answered):
        def run():
            question = session.scalar(select(WrittenQuestion).where(
                WrittenQuestion.subject == subject))
            questions.answer_question(session, SEC, question, now=_at(today, answered, 15),
                                      answered_on=today - timedelta(days=answered),
                                      answer_text="De regering antwoordt per brief.")
        return run

    actions = []
    for code, subject, asked, answered in QUESTIONS:
        actions.append((_at(today, asked), 0, ask(code, subject, asked)))
        if answered is not None:
            actions.append((_at(today, answered, 15), 0, answer(subject, answered)))
    return actions


def _case_actions(session: Session, spec: dict, today: date):
    adopted = today - timedelta(days=spec["adopted"])
    doc = spec["doc"]

    def rec() -> Recommendation:
        return scope.find_recommendation(session, doc)

    def register():
        r = registration.register_recommendation(
            session, SEC, doc_number=doc, adopted_on=adopted, addressees=spec["to"],
            title_nl=spec["nl"], title_fr=spec["fr"],
            text_nl=f"Het Beneluxparlement beveelt de regeringen aan: {spec['nl'].lower()}; "
                    "het verzoekt hen binnen de gestelde termijn te antwoorden.",
            text_fr=f"Le Parlement Benelux recommande aux gouvernements : "
                    f"{spec['fr'].lower()} ; il les invite à répondre dans le délai fixé.",
            committee=spec["committee"], theme=spec["theme"],
            session_label=f"Plenaire zitting {adopted.isoformat()[:7]}",
            deadline_rule=spec["rule"], now=_at(today, spec["adopted"] - 1))
        registration.set_published(session, SEC, r, True, now=_at(today, spec["adopted"] - 1, 11))

    actions = [(_at(today, spec["adopted"] - 1), 0, register)]
    if spec["sent"] is None:
        return actions
    sent_at = _at(today, spec["sent"])
    actions.append((sent_at, 1, lambda: transitions.transmit(session, SEC, rec(), now=sent_at)))
    for order, (step, arg, days_after_sending, extra) in enumerate(spec["steps"], start=2):
        when = _at(today, spec["sent"] - days_after_sending, 14)
        actions.append((when, order, _step(session, rec, step, arg, extra, when)))
    return actions


def _step(session, rec, step, arg, extra, when):
    def run():
        r = rec()
        if step in ("answer", "interim"):
            replies.submit_reply(
                session, _ministry(arg), r.entry(arg),
                kind="final" if step == "answer" else "interim", position=extra,
                text_nl=f"Antwoord van {arg} op aanbeveling {r.doc_number}.",
                text_fr=f"Réponse de {arg} à la recommandation {r.doc_number}.",
                letter_date=when.date() - timedelta(days=3), now=when)
        elif step == "waive":
            replies.waive(
                session, SEC, r.entry(arg), now=when,
                reason="Gedekt door het collectieve antwoord van het Comité van Ministers")
        elif step == "assess":
            dispatch.fire(session, SEC, r, "start_assessment", now=when)
        elif step == "judge":  # the committee's judgement of that addressee's final answer
            final = next(a for a in r.entry(arg).answers if a.is_assessable)
            assessment.assess_answer(session, SEC, final, judgement=extra, now=when,
                                     note=JUDGEMENT_NOTES[extra])
        elif step == "publish":  # every submitted answer of the case, on the public side
            plan = publication.plan_case(session, SEC, r)
            publication.publish_planned(session, SEC, plan, expected_digest=plan.digest,
                                        now=when)
        elif step == "comment":  # the government's right of reply beside its figures
            comments.post_comment(session, _ministry(arg), recommendation=r, now=when,
                                  text=COMMENTS[arg].format(doc=r.doc_number))
        elif step == "monitor":
            dispatch.fire(session, SEC, r, "start_monitoring", now=when)
        elif step == "close":
            transitions.close(session, SEC, r, closure_reason=arg, now=when,
                              reason="Besluit van de commissie")
        elif step == "follow_up":
            transitions.request_follow_up(session, SEC, r, addressees=[arg], now=when,
                                          reason="Kan de regering toelichten waarom zij de "
                                          "automatische erkenning afwijst?")

    return run
