"""Content to export, and the checks every exported package must pass.

Validation is against the IMS XSDs vendored in ``schemas/`` (see ``schemas/SOURCE.md``), offline.
"""

from __future__ import annotations

import copy
import io
import zipfile
from functools import cache
from pathlib import Path

from lxml import etree

from accounts.models import Classroom, User
from accounts.services import classroom_create
from lessons.models import Lesson
from lessons.services import lesson_generate
from quizzes.models import Quiz
from quizzes.services import quiz_generate

SCHEMAS = Path(__file__).parent / "schemas"
QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
CC = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
LOM_MANIFEST = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest"
QTI_ASI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"

# Everything XML and HTML must escape, quotes both ways, a CDATA end, non-ASCII, an emoji,
# a right-to-left override, and a control character XML 1.0 cannot carry at all.
TRICKY = "Is 3 < 5 && \"x\" > 'y'? </prompt>]]><script>alert(1)</script> ünïcødé 🌍 \u202e\x0b!"
# TRICKY as an export carries it: the one character XML cannot hold is dropped.
TRICKY_EXPORTED = TRICKY.replace("\x0b", "")
TRAVERSAL = "../../../etc/passwd /abs\\olute"

# The CC 1.3 profile's resource types (ccv1p3 ResourceType vocabulary).
CC_RESOURCE_TYPES = {
    "webcontent",
    "associatedcontent/imscc_xmlv1p3/learning-application-resource",
    "imsdt_xmlv1p3",
    "imswl_xmlv1p3",
    "imsqti_xmlv1p2/imscc_xmlv1p3/assessment",
    "imsqti_xmlv1p2/imscc_xmlv1p3/question-bank",
    "imsbasiclti_xmlv1p3",
}


@cache
def schema(relative: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / relative)))


def qti_schema() -> etree.XMLSchema:
    return schema("qti21/qtiv2p1/imsqti_v2p1.xsd")


def cp_schema() -> etree.XMLSchema:
    return schema("qti21/imscp_v1p1.xsd")


def cc_qti_schema() -> etree.XMLSchema:
    return schema("cc13/ccv1p3_qtiasiv1p2p1.xsd")


def assert_valid(xsd: etree.XMLSchema, document: etree._Element, name: str) -> None:
    assert xsd.validate(document), f"{name}: {xsd.error_log}"


def opened(data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    for name in archive.namelist():
        parts = name.split("/")
        assert not name.startswith("/") and "\\" not in name and ":" not in name, name
        assert ".." not in parts and "" not in parts, name
    assert archive.namelist()[0] == "imsmanifest.xml"
    return archive


def xml_of(archive: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(archive.read(name))


def assert_files_match(archive: zipfile.ZipFile, manifest: etree._Element, ns: str) -> None:
    """Every file the manifest lists is in the zip, and the zip holds nothing else."""
    listed = {file.get("href") for file in manifest.iter(f"{{{ns}}}file")}
    assert listed == set(archive.namelist()) - {"imsmanifest.xml"}


def assert_qti_package(data: bytes) -> zipfile.ZipFile:
    """A QTI 2.1 content package: manifest valid IMS CP 1.1, test and items valid QTI 2.1, every
    item the test references present and declared in the manifest."""
    archive = opened(data)
    manifest = xml_of(archive, "imsmanifest.xml")
    assert_valid(cp_schema(), manifest, "imsmanifest.xml")
    assert_files_match(archive, manifest, CP)
    resources = {r.get("identifier"): r for r in manifest.iter(f"{{{CP}}}resource")}
    types = [r.get("type") for r in resources.values()]
    assert types.count("imsqti_test_xmlv2p1") == 1
    for name in archive.namelist()[1:]:
        assert_valid(qti_schema(), xml_of(archive, name), name)
    test_resource = next(r for r in resources.values() if r.get("type") == "imsqti_test_xmlv2p1")
    test = xml_of(archive, test_resource.get("href"))
    refs = [ref.get("href") for ref in test.iter(f"{{{QTI}}}assessmentItemRef")]
    items = [r for r in resources.values() if r.get("type") == "imsqti_item_xmlv2p1"]
    item_hrefs = [r.get("href") for r in items]
    assert sorted(refs) == sorted(item_hrefs) and len(refs) == len(types) - 1
    dependencies = {d.get("identifierref") for d in test_resource.iter(f"{{{CP}}}dependency")}
    assert dependencies == set(resources) - {test_resource.get("identifier")}
    return archive


def cc_manifest_as_cp(manifest: etree._Element) -> etree._Element:
    """The CC 1.3 manifest with its own elements moved into the IMS CP 1.1 namespace: the CC
    profile restricts CP, so its structure must also be valid CP 1.1."""
    mapped = copy.deepcopy(manifest)
    for element in mapped.iter(f"{{{CC}}}*"):
        element.tag = f"{{{CP}}}{etree.QName(element).localname}"
    etree.cleanup_namespaces(mapped)
    return mapped


def assert_cartridge(data: bytes) -> zipfile.ZipFile:
    """An IMS CC 1.3 cartridge.

    The CC 1.3 manifest XSD (``ccv1p3_imscp_v1p2_v1p0.xsd``) is not vendored (no reachable
    source had it with its imports; see ``schemas/SOURCE.md``), so the manifest is validated
    against IMS CP 1.1 with its namespace mapped, and the CC profile's own rules are asserted
    here one by one. Assessments validate against the CC 1.3 QTI 1.2.1 profile XSD.
    """
    archive = opened(data)
    manifest = xml_of(archive, "imsmanifest.xml")
    assert manifest.tag == f"{{{CC}}}manifest" and manifest.get("identifier")
    assert_valid(cp_schema(), cc_manifest_as_cp(manifest), "imsmanifest.xml (as CP 1.1)")
    assert_files_match(archive, manifest, CC)

    # Profile rules (t), (u), (x): the metadata names CC 1.3 and carries LOM.
    metadata = manifest.find(f"{{{CC}}}metadata")
    assert metadata.findtext(f"{{{CC}}}schema") == "IMS Common Cartridge"
    assert metadata.findtext(f"{{{CC}}}schemaversion") == "1.3.0"
    lom_title = f"{{{LOM_MANIFEST}}}lom/{{{LOM_MANIFEST}}}general/{{{LOM_MANIFEST}}}title"
    assert metadata.find(lom_title) is not None

    identifiers = [e.get("identifier") for e in manifest.iter() if e.get("identifier")]
    assert len(identifiers) == len(set(identifiers)), identifiers
    resources = {r.get("identifier"): r for r in manifest.iter(f"{{{CC}}}resource")}
    for resource in resources.values():
        assert resource.get("type") in CC_RESOURCE_TYPES, resource.get("type")
        files = resource.findall(f"{{{CC}}}file")
        if resource.get("type") == "webcontent":
            assert resource.get("href") in {file.get("href") for file in files}
        if resource.get("type").startswith("imsqti_xmlv1p2"):
            # An assessment: one file, no href of its own; valid against CC's QTI profile.
            assert resource.get("href") is None and len(files) == 1
            name = files[0].get("href")
            assert_valid(cc_qti_schema(), xml_of(archive, name), name)

    # Rules (d), (n), (p), (s): at most one organization, a rooted hierarchy with one untitled
    # root item; every other item is titled, and one that points at something points at a
    # resource of this manifest.
    organizations = manifest.findall(f"{{{CC}}}organizations/{{{CC}}}organization")
    assert len(organizations) == 1
    assert organizations[0].get("structure") == "rooted-hierarchy"
    roots = organizations[0].findall(f"{{{CC}}}item")
    assert len(roots) == 1 and roots[0].find(f"{{{CC}}}title") is None
    for item in roots[0].iter(f"{{{CC}}}item"):
        if item is roots[0]:
            continue
        assert item.findtext(f"{{{CC}}}title")
        if item.get("identifierref") is not None:
            assert item.get("identifierref") in resources
    return archive


# --- content --------------------------------------------------------------------------------------


def class_of(teacher: User, *students: User) -> Classroom:
    classroom = classroom_create(teacher=teacher, name="Room 7")
    classroom.students.add(*students)
    return classroom


def quiz_of(teacher: User, *, question_count: int = 3, tricky: bool = False) -> Quiz:
    quiz = quiz_generate(
        owner_id=teacher.pk, subject="mathematics", grade_level=3, difficulty="easy",
        question_count=question_count, seed=11,
    )  # fmt: skip
    if tricky:
        # Stored as a generator could have written it: any text, in every field we export.
        question = {
            "prompt": TRICKY, "options": [TRICKY, "plain", TRAVERSAL], "correct_index": 2,
            "answer": TRAVERSAL, "explanation": TRICKY, "topic": "tricky",
        }  # fmt: skip
        quiz.title = TRAVERSAL + TRICKY
        quiz.questions = [question] * question_count
        quiz.save(update_fields=["title", "questions"])
    return quiz


def lesson_of(teacher: User, *, tricky: bool = False) -> Lesson:
    lesson = lesson_generate(
        owner_id=teacher.pk, subject="science", grade_level=5,
        learning_objectives=["Describe the water cycle"], content_type="lesson",
        complexity="intermediate", seed=3,
    )  # fmt: skip
    if tricky:
        lesson.title = TRAVERSAL + TRICKY
        lesson.content = {
            **lesson.content,
            "summary": TRICKY,
            "sections": [{"heading": TRICKY, "body": TRICKY}],
            "assessment": [{"question": TRICKY, "answer": "MODEL-ANSWER-FOR-TEACHERS"}],
        }
        lesson.save(update_fields=["title", "content"])
    return lesson
