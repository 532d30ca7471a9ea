"""A quiz as an IMS QTI 2.1 content package: what Canvas, Moodle, Schoology and Blackboard import.

The zip holds ``imsmanifest.xml`` (IMS Content Packaging 1.1 with IMS LOM metadata), one
``assessmentItem`` per question under ``items/`` and an ``assessmentTest`` that lists them in
order. Each item is a single-choice ``choiceInteraction`` whose correct response is the stored
``correct_index``; it scores 1 when right (``SCORE``) and always shows the explanation as modal
feedback once answered, as our own quiz results page does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml import etree

from lms.export.package import XML_NS, XSI, Package, xml_bytes, xml_text

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_v1p2"
IMSMD_XSD = "http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd"

ITEM_TYPE = "imsqti_item_xmlv2p1"
TEST_TYPE = "imsqti_test_xmlv2p1"
CONTENT_TYPE = "application/zip"
TEST_FILE = "assessmentTest.xml"
LANGUAGE = "en"


def item_identifier(index: int) -> str:
    return f"item-{index + 1:03d}"


def choice_identifier(index: int) -> str:
    # QTI identifiers are NCNames: they may not start with a digit.
    return f"choice-{index + 1}"


def _qti(tag: str) -> str:
    return f"{{{QTI}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: object = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _qti(tag), {k: v for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _root(tag: str, **attrs: str) -> etree._Element:
    root = etree.Element(_qti(tag), nsmap={None: QTI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{QTI} {QTI_XSD}")
    for name, value in attrs.items():
        root.set(name, value)
    return root


def _set_outcome(parent: etree._Element, identifier: str, base_type: str, value: str) -> None:
    setter = _sub(parent, "setOutcomeValue", identifier=identifier)
    _sub(setter, "baseValue", value, baseType=base_type)


def assessment_item(*, question: dict[str, Any], index: int) -> etree._Element:
    """One stored question (``quizzes.schemas.StoredQuestion``) as a QTI 2.1 assessmentItem."""
    item = _root(
        "assessmentItem",
        identifier=item_identifier(index),
        title=xml_text(f"Question {index + 1}"),
        adaptive="false",
        timeDependent="false",
    )
    item.set(f"{{{XML_NS}}}lang", LANGUAGE)
    response = _sub(
        item, "responseDeclaration", identifier="RESPONSE", cardinality="single",
        baseType="identifier",
    )  # fmt: skip
    correct = _sub(response, "correctResponse")
    _sub(correct, "value", choice_identifier(question["correct_index"]))
    score = _sub(
        item, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float"
    )
    _sub(_sub(score, "defaultValue"), "value", "0")
    _sub(
        item, "outcomeDeclaration", identifier="FEEDBACK", cardinality="single",
        baseType="identifier",
    )  # fmt: skip

    body = _sub(item, "itemBody")
    interaction = _sub(
        body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false", maxChoices="1"
    )
    _sub(interaction, "prompt", question["prompt"])
    for option_index, option in enumerate(question["options"]):
        _sub(interaction, "simpleChoice", option, identifier=choice_identifier(option_index))

    # Written out rather than the match_correct template: the template never sets FEEDBACK,
    # and the explanation is the part of the question a child learns most from.
    processing = _sub(item, "responseProcessing")
    condition = _sub(processing, "responseCondition")
    when_right = _sub(condition, "responseIf")
    match = _sub(when_right, "match")
    _sub(match, "variable", identifier="RESPONSE")
    _sub(match, "correct", identifier="RESPONSE")
    _set_outcome(when_right, "SCORE", "float", "1")
    _set_outcome(_sub(condition, "responseElse"), "SCORE", "float", "0")
    _set_outcome(processing, "FEEDBACK", "identifier", "EXPLANATION")

    _sub(
        item, "modalFeedback", question["explanation"], outcomeIdentifier="FEEDBACK",
        identifier="EXPLANATION", showHide="show",
    )  # fmt: skip
    return item


def assessment_test(*, quiz_id: int, title: str, count: int) -> etree._Element:
    """The quiz's questions in their stored order, one linear part, the total as ``SCORE``."""
    test = _root("assessmentTest", identifier=f"quiz-{quiz_id}", title=xml_text(title))
    _sub(test, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    part = _sub(
        test, "testPart", identifier="part-1", navigationMode="linear",
        submissionMode="individual",
    )  # fmt: skip
    section = _sub(
        part, "assessmentSection", identifier="section-1", title=xml_text(title), visible="true"
    )
    for index in range(count):
        _sub(
            section, "assessmentItemRef", identifier=item_identifier(index),
            href=f"items/{item_identifier(index)}.xml",
        )  # fmt: skip
    processing = _sub(test, "outcomeProcessing")
    total = _sub(_sub(processing, "setOutcomeValue", identifier="SCORE"), "sum")
    _sub(total, "testVariables", variableIdentifier="SCORE")
    return test


def manifest(*, quiz_id: int, title: str, count: int) -> etree._Element:
    """IMS CP 1.1: one test resource depending on one resource per item."""
    root = etree.Element(f"{{{CP}}}manifest", nsmap={None: CP, "imsmd": IMSMD, "xsi": XSI})
    root.set("identifier", f"MANIFEST-quiz-{quiz_id}")
    root.set(f"{{{XSI}}}schemaLocation", f"{CP} {CP_XSD} {IMSMD} {IMSMD_XSD}")

    def cp(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
        element = etree.SubElement(parent, f"{{{CP}}}{tag}", attrs)
        if text is not None:
            element.text = xml_text(text)
        return element

    metadata = cp(root, "metadata")
    cp(metadata, "schema", "QTIv2.1 Package")
    cp(metadata, "schemaversion", "1.0.0")
    general = etree.SubElement(etree.SubElement(metadata, f"{{{IMSMD}}}lom"), f"{{{IMSMD}}}general")
    langstring = etree.SubElement(
        etree.SubElement(general, f"{{{IMSMD}}}title"), f"{{{IMSMD}}}langstring"
    )
    langstring.set(f"{{{XML_NS}}}lang", LANGUAGE)
    langstring.text = xml_text(title)

    cp(root, "organizations")
    resources = cp(root, "resources")
    test = cp(resources, "resource", identifier=f"test-quiz-{quiz_id}", type=TEST_TYPE)
    test.set("href", TEST_FILE)
    cp(test, "file", href=TEST_FILE)
    for index in range(count):
        cp(test, "dependency", identifierref=f"res-{item_identifier(index)}")
    for index in range(count):
        href = f"items/{item_identifier(index)}.xml"
        item = cp(resources, "resource", identifier=f"res-{item_identifier(index)}", type=ITEM_TYPE)
        item.set("href", href)
        cp(item, "file", href=href)
    return root


def qti_package(
    *, quiz_id: int, title: str, questions: Sequence[dict[str, Any]], max_bytes: int
) -> bytes:
    """The zip for one quiz whose stored questions were already checked (``quiz_checked``)."""
    package = Package(max_bytes=max_bytes)
    package.add(
        "imsmanifest.xml", xml_bytes(manifest(quiz_id=quiz_id, title=title, count=len(questions)))
    )
    package.add(
        TEST_FILE,
        xml_bytes(assessment_test(quiz_id=quiz_id, title=title, count=len(questions))),
    )
    for index, question in enumerate(questions):
        package.add(
            f"items/{item_identifier(index)}.xml",
            xml_bytes(assessment_item(question=question, index=index)),
        )
    return package.zip_bytes()
