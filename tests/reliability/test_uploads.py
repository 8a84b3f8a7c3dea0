"""Hostile uploads: wrong type, misleading name, polyglots, oversize, a zip bomb, a path in
the name. Each is refused with a reason naming the file, and nothing is stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from tests.pdfs import pdf
from tests.web.conftest import case_id, login, text
from workflow import errors as werr
from workflow.actors import Actor
from workflow.answers import pdf_files, replies
from workflow.cases import scope
from workflow.models import Attachment

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _zip(member: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return out.getvalue()


ZIP_BOMB = _zip("zeros.bin", b"\x00" * (50 * 1024 * 1024))  # 50 MiB packed into ~50 kB

HOSTILE = {
    "a picture named .pdf": ("scan.pdf", PNG, "pdf_only"),
    "a real PDF named .exe": ("brief.exe", pdf(), "pdf_name"),
    "a real PDF with no extension": ("brief", pdf(), "pdf_name"),
    "a hidden name": (".pdf", pdf(), "pdf_name"),
    "a zip behind a PDF header": ("brief.pdf", b"%PDF-1.7\n" + _zip("x.exe", b"MZ" * 100),
                                  "pdf_only"),
    "a real PDF with a zip appended": ("brief.pdf", pdf() + _zip("x.exe", b"MZ" * 100),
                                       "pdf_only"),
    "only a PDF header": ("brief.pdf", b"%PDF-1.4\n%%EOF\n", "pdf_unreadable"),
    "a zip bomb named .pdf": ("bom.pdf", ZIP_BOMB, "pdf_only"),
    "one byte too many": ("big.pdf", b"%PDF-" + b"0" * (pdf_files.MAX_ATTACHMENT_BYTES - 4),
                          "attachment_size"),
    "a path up the tree": ("../../etc/passwd.pdf", pdf(), "pdf_name"),
    "a Windows path": ("C:\\Users\\x\\brief.pdf", pdf(), "pdf_name"),
    "a NUL in the name": ("brief\x00.pdf", pdf(), "unstorable_text"),
}


def _attachments(app) -> int:
    from web.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attachment))


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_the_workflow_refuses_and_stores_nothing(app, case):
    from web.extensions import db

    filename, content, rule = HOSTILE[case]
    with app.app_context():
        rec = scope.find_recommendation(db.session, "743/5Bis")
        nl = Actor("minbuza", "ministry", "NL")
        draft = replies.save_draft(db.session, nl, rec.entry("NL"), text_nl="Concept")
        with pytest.raises(werr.ValidationError) as refused:
            replies.add_attachment(db.session, nl, draft, filename=filename, content=content)
        assert refused.value.rule == rule and refused.value.field in ("attachment", "filename")
        db.session.rollback()
    assert _attachments(app) == 0


def test_a_real_pdf_is_accepted_by_its_content_not_its_claimed_type(app):
    from web.extensions import db

    with app.app_context():
        rec = scope.find_recommendation(db.session, "743/5Bis")
        nl = Actor("minbuza", "ministry", "NL")
        draft = replies.save_draft(db.session, nl, rec.entry("NL"), text_nl="Concept")
        att = replies.add_attachment(db.session, nl, draft, filename="Brief 12.PDF",
                                     content=pdf("brief"), content_type="text/html")
        assert (att.filename, att.content_type) == ("Brief 12.PDF", "application/pdf")
        db.session.rollback()


@pytest.mark.parametrize("case", ["a zip behind a PDF header", "a real PDF named .exe",
                                  "a path up the tree", "only a PDF header"])
def test_the_answer_form_refuses_next_to_the_field(app, client, case):
    filename, content, _rule = HOSTILE[case]
    rid = case_id(app, "743/5Bis")
    login(client, "minbuza")
    response = client.post(f"/ministry/cases/{rid}", data={
        "kind": "final", "position": "agrees", "text_nl": "Wij steunen", "version": "",
        "draft_version": "", "save_draft": "1",
        "attachment": (io.BytesIO(content), filename, "application/pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    page = text(response)
    assert 'id="attachment-error"' in page and "Traceback" not in page
    assert _attachments(app) == 0
