"""A lesson and its quizzes as an IMS Common Cartridge 1.3 (``.imscc``).

The cartridge's ``imsmanifest.xml`` is in the CC 1.3 profile of IMS Content Packaging
(``imsccv1p3/imscp_v1p1``) with the profile's LOM metadata. Its one organization is a
rooted hierarchy: an untitled root item holding, in order, the lesson (a ``webcontent`` HTML
page) and each quiz (an assessment in CC's QTI 1.2.1 profile,
``imsqti_xmlv1p2/imscc_xmlv1p3/assessment``). The lesson page is what a student in the class
reads: the assessment's model answers stay out of it, as on our own student page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from lxml import etree

from lms.export.package import XSI, Package, xml_bytes, xml_text

CC = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
CC_XSD = "http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imscp_v1p2_v1p0.xsd"
LOM_MANIFEST = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest"
LOM_MANIFEST_XSD = "http://www.imsglobal.org/profile/cc/ccv1p3/LOM/ccv1p3_lommanifest_v1p0.xsd"
QTI_ASI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI_ASI_XSD = "http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_qtiasiv1p2p1.xsd"

WEBCONTENT = "webcontent"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p3/assessment"
CONTENT_TYPE = "application/vnd.ims.imsccv1p3"
LESSON_FILE = "lesson/lesson.html"
LANGUAGE = "en"


@dataclass(frozen=True)
class CartridgeQuiz:
    id: int
    title: str
    questions: Sequence[dict[str, Any]]


def quiz_folder(quiz_id: int) -> str:
    return f"quiz-{quiz_id}"


def _element(namespace: str, parent: etree._Element | None, tag: str, text=None, **attrs):
    name = f"{{{namespace}}}{tag}"
    element = (
        etree.Element(name, attrs) if parent is None else etree.SubElement(parent, name, attrs)
    )
    if text is not None:
        element.text = xml_text(text)
    return element


def manifest(*, lesson: dict[str, Any], quizzes: Sequence[CartridgeQuiz]) -> etree._Element:
    root = etree.Element(
        f"{{{CC}}}manifest", nsmap={None: CC, "lomimscc": LOM_MANIFEST, "xsi": XSI}
    )
    root.set("identifier", f"cc-lesson-{lesson['id']}")
    root.set(f"{{{XSI}}}schemaLocation", f"{CC} {CC_XSD} {LOM_MANIFEST} {LOM_MANIFEST_XSD}")

    def cc(parent, tag, text=None, **attrs):
        return _element(CC, parent, tag, text, **attrs)

    def lom(parent, tag, text=None, **attrs):
        return _element(LOM_MANIFEST, parent, tag, text, **attrs)

    metadata = cc(root, "metadata")
    cc(metadata, "schema", "IMS Common Cartridge")
    cc(metadata, "schemaversion", "1.3.0")
    general = lom(lom(metadata, "lom"), "general")
    lom(lom(general, "title"), "string", lesson["title"], language=LANGUAGE)
    lom(general, "language", LANGUAGE)
    if lesson["summary"]:
        lom(lom(general, "description"), "string", lesson["summary"], language=LANGUAGE)
    keyword = lom(general, "keyword")
    lom(keyword, "string", lesson["subject"], language=LANGUAGE)

    organization = cc(
        cc(root, "organizations"), "organization", identifier="organization",
        structure="rooted-hierarchy",
    )  # fmt: skip
    top = cc(organization, "item", identifier="root")  # CC: the root item has no title
    lesson_item = cc(top, "item", identifier="item-lesson", identifierref="res-lesson")
    cc(lesson_item, "title", lesson["title"])
    for quiz in quizzes:
        quiz_item = cc(
            top, "item", identifier=f"item-quiz-{quiz.id}", identifierref=f"res-quiz-{quiz.id}"
        )
        cc(quiz_item, "title", quiz.title)

    resources = cc(root, "resources")
    page = cc(resources, "resource", identifier="res-lesson", type=WEBCONTENT, href=LESSON_FILE)
    cc(page, "file", href=LESSON_FILE)
    for quiz in quizzes:
        # CC: an assessment resource names its one file and has no href of its own.
        resource = cc(resources, "resource", identifier=f"res-quiz-{quiz.id}", type=ASSESSMENT)
        cc(resource, "file", href=f"{quiz_folder(quiz.id)}/assessment.xml")
    return root


def _field(parent, label: str, entry: str) -> None:
    row = _element(QTI_ASI, parent, "qtimetadatafield")
    _element(QTI_ASI, row, "fieldlabel", label)
    _element(QTI_ASI, row, "fieldentry", entry)


def _material(parent, text: str) -> None:
    material = _element(QTI_ASI, parent, "material")
    _element(QTI_ASI, material, "mattext", text, texttype="text/plain")


def assessment(*, quiz: CartridgeQuiz) -> etree._Element:
    """A quiz in CC's QTI 1.2.1 profile: multiple-choice items worth 100 each when right, the
    explanation as general feedback shown after any answer."""
    root = etree.Element(f"{{{QTI_ASI}}}questestinterop", nsmap={None: QTI_ASI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{QTI_ASI} {QTI_ASI_XSD}")
    test = _element(
        QTI_ASI, root, "assessment", ident=f"quiz-{quiz.id}", title=xml_text(quiz.title)
    )
    metadata = _element(QTI_ASI, test, "qtimetadata")
    _field(metadata, "cc_profile", "cc.exam.v0p1")
    _field(metadata, "qmd_assessmenttype", "Examination")
    section = _element(QTI_ASI, test, "section", ident="root_section")
    for index, question in enumerate(quiz.questions):
        # Every ident is an xs:ID: unique in the whole document, not just in its item.
        prefix = f"quiz-{quiz.id}-q{index + 1}"
        item = _element(
            QTI_ASI, section, "item", ident=prefix,
            title=xml_text(f"Question {index + 1}"),
        )  # fmt: skip
        item_metadata = _element(QTI_ASI, _element(QTI_ASI, item, "itemmetadata"), "qtimetadata")
        _field(item_metadata, "cc_profile", "cc.multiple_choice.v0p1")
        _field(item_metadata, "cc_weighting", "1")
        presentation = _element(QTI_ASI, item, "presentation")
        _material(presentation, question["prompt"])
        choices = _element(
            QTI_ASI,
            _element(
                QTI_ASI,
                presentation,
                "response_lid",
                ident=f"{prefix}-response",
                rcardinality="Single",
            ),
            "render_choice",
        )
        for option_index, option in enumerate(question["options"]):
            label = _element(
                QTI_ASI, choices, "response_label", ident=f"{prefix}-choice{option_index + 1}"
            )
            _material(label, option)

        processing = _element(QTI_ASI, item, "resprocessing")
        _element(
            QTI_ASI, _element(QTI_ASI, processing, "outcomes"), "decvar", varname="SCORE",
            vartype="Decimal", minvalue="0", maxvalue="100",
        )  # fmt: skip
        always = _element(QTI_ASI, processing, "respcondition", **{"continue": "Yes"})
        _element(QTI_ASI, _element(QTI_ASI, always, "conditionvar"), "other")
        _element(
            QTI_ASI,
            always,
            "displayfeedback",
            feedbacktype="Response",
            linkrefid=f"{prefix}-feedback",
        )
        right = _element(QTI_ASI, processing, "respcondition", **{"continue": "No"})
        _element(
            QTI_ASI, _element(QTI_ASI, right, "conditionvar"), "varequal",
            f"{prefix}-choice{question['correct_index'] + 1}", respident=f"{prefix}-response",
        )  # fmt: skip
        _element(QTI_ASI, right, "setvar", "100", action="Set", varname="SCORE")

        feedback = _element(QTI_ASI, item, "itemfeedback", ident=f"{prefix}-feedback")
        _material(_element(QTI_ASI, feedback, "flow_mat"), question["explanation"])
    return root


def lesson_page(*, lesson: dict[str, Any]) -> bytes:
    """The lesson as a standalone HTML page (Django's autoescaping makes any text inert)."""
    return render_to_string("lms/cartridge_lesson.html", {"lesson": lesson}).encode("utf-8")


def cartridge_package(
    *, lesson: dict[str, Any], quizzes: Sequence[CartridgeQuiz], max_bytes: int
) -> bytes:
    """The ``.imscc`` for ``lesson`` (the fields of ``LessonForStudentOut``) and ``quizzes``, all
    already checked by their selectors."""
    package = Package(max_bytes=max_bytes)
    package.add("imsmanifest.xml", xml_bytes(manifest(lesson=lesson, quizzes=quizzes)))
    package.add(LESSON_FILE, lesson_page(lesson=lesson))
    for quiz in quizzes:
        package.add(f"{quiz_folder(quiz.id)}/assessment.xml", xml_bytes(assessment(quiz=quiz)))
    return package.zip_bytes()
