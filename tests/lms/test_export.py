"""The packages as a teacher downloads them from the API, checked as an LMS importer would:
valid against the IMS XSDs, text intact and inert, names safe, size bounded."""

from __future__ import annotations

import pytest
from lxml import etree, html

from lms.export.package import Package
from tests.lms.support import (
    CC,
    CP,
    QTI,
    QTI_ASI,
    TRICKY_EXPORTED,
    assert_cartridge,
    assert_qti_package,
    cc_manifest_as_cp,
    class_of,
    cp_schema,
    lesson_of,
    qti_schema,
    quiz_of,
    xml_of,
)
from tests.support.api import Api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline_only")]


def qti_url(quiz) -> str:
    return f"/api/v1/lms/quizzes/{quiz.pk}/qti.zip"


def cartridge_url(lesson) -> str:
    return f"/api/v1/lms/lessons/{lesson.pk}/cartridge.imscc"


def download(client, user, url: str, **params) -> bytes:
    response = Api(client, user).get(url, **params)
    assert response.status_code == 200, response.content
    return response


# --- QTI 2.1 --------------------------------------------------------------------------------------


def test_quiz_qti__valid_package_with_every_question_answer_and_explanation(client, teacher):
    quiz = quiz_of(teacher, question_count=4)
    response = download(client, teacher, qti_url(quiz))
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and f'-{quiz.pk}-qti21.zip"' in disposition
    assert response["Cache-Control"] == "private, no-store"

    archive = assert_qti_package(response.content)
    items = [xml_of(archive, f"items/item-{n:03d}.xml") for n in range(1, 5)]
    for item, question in zip(items, quiz.questions, strict=True):
        assert item.findtext(f".//{{{QTI}}}prompt") == question["prompt"]
        choices = item.findall(f".//{{{QTI}}}simpleChoice")
        assert [choice.text for choice in choices] == question["options"]
        correct = item.findtext(f".//{{{QTI}}}correctResponse/{{{QTI}}}value")
        assert correct == choices[question["correct_index"]].get("identifier")
        assert item.findtext(f"{{{QTI}}}modalFeedback") == question["explanation"]
        scores = item.findall(f"{{{QTI}}}outcomeDeclaration[@identifier='SCORE']")
        assert len(scores) == 1


def test_quiz_qti__markup_quotes_unicode_and_control_characters_arrive_as_text(client, teacher):
    quiz = quiz_of(teacher, question_count=2, tricky=True)
    archive = assert_qti_package(download(client, teacher, qti_url(quiz)).content)
    item = xml_of(archive, "items/item-001.xml")
    assert item.findtext(f".//{{{QTI}}}prompt") == TRICKY_EXPORTED
    assert item.findtext(f".//{{{QTI}}}simpleChoice") == TRICKY_EXPORTED
    assert item.findtext(f"{{{QTI}}}modalFeedback") == TRICKY_EXPORTED
    assert not list(item.iter("script", f"{{{QTI}}}script"))  # text, never markup
    title = xml_of(archive, "assessmentTest.xml").get("title")
    assert title.endswith(TRICKY_EXPORTED)


def test_quiz_qti__schemas_refuse_a_broken_item_so_the_validation_can_fail(client, teacher):
    """The vendored XSDs really check: a choice without its identifier, or a manifest resource
    without a type, is refused."""
    archive = assert_qti_package(download(client, teacher, qti_url(quiz_of(teacher))).content)
    item = xml_of(archive, "items/item-001.xml")
    del item.find(f".//{{{QTI}}}simpleChoice").attrib["identifier"]
    assert not qti_schema().validate(item)
    manifest = xml_of(archive, "imsmanifest.xml")
    del manifest.find(f".//{{{CP}}}resource").attrib["type"]
    assert not cp_schema().validate(manifest)


# --- Common Cartridge 1.3 ---------------------------------------------------------------------


def test_lesson_cartridge__lesson_page_and_chosen_quizzes_in_order(client, teacher):
    lesson = lesson_of(teacher)
    first, second = quiz_of(teacher, question_count=2), quiz_of(teacher, question_count=3)
    response = download(client, teacher, cartridge_url(lesson), quiz_ids=f"{second.pk},{first.pk}")
    assert response["Content-Type"] == "application/vnd.ims.imsccv1p3"
    assert response["Content-Disposition"].endswith(f'-{lesson.pk}.imscc"')

    archive = assert_cartridge(response.content)
    manifest = xml_of(archive, "imsmanifest.xml")
    titles = [item.findtext(f"{{{CC}}}title") for item in manifest.iter(f"{{{CC}}}item")][1:]
    assert titles == [lesson.title, second.title, first.title]
    page = html.fromstring(archive.read("lesson/lesson.html"))
    assert page.findtext(".//h1") == lesson.title
    headings = [h.text_content() for h in page.iter("h2")]
    assert [s["heading"] for s in lesson.content["sections"]] == [
        h for h in headings if h in {s["heading"] for s in lesson.content["sections"]}
    ]
    assessment = xml_of(archive, f"quiz-{second.pk}/assessment.xml")
    items = list(assessment.iter(f"{{{QTI_ASI}}}item"))
    assert len(items) == 3
    for item, question in zip(items, second.questions, strict=True):
        texts = [m.text for m in item.iter(f"{{{QTI_ASI}}}mattext")]
        assert texts == [question["prompt"], *question["options"], question["explanation"]]
        right = item.findtext(f".//{{{QTI_ASI}}}varequal")
        labels = [label.get("ident") for label in item.iter(f"{{{QTI_ASI}}}response_label")]
        assert right == labels[question["correct_index"]]


def test_lesson_cartridge__without_quiz_ids_carries_the_quizzes_published_alongside(
    client, teacher
):
    classroom = class_of(teacher)
    lesson = lesson_of(teacher)
    lesson.classrooms.add(classroom)
    alongside, unpublished, elsewhere = quiz_of(teacher), quiz_of(teacher), quiz_of(teacher)
    alongside.classrooms.add(classroom)
    elsewhere.classrooms.add(class_of(teacher))
    archive = assert_cartridge(download(client, teacher, cartridge_url(lesson)).content)
    assert sorted(archive.namelist()) == [
        "imsmanifest.xml", "lesson/lesson.html", f"quiz-{alongside.pk}/assessment.xml",
    ]  # fmt: skip
    alone = assert_cartridge(download(client, teacher, cartridge_url(lesson), quiz_ids="").content)
    assert alone.namelist() == ["imsmanifest.xml", "lesson/lesson.html"]
    assert unpublished.pk and elsewhere.pk


def test_lesson_cartridge__text_is_escaped_and_model_answers_stay_out(client, teacher):
    lesson = lesson_of(teacher, tricky=True)
    quiz = quiz_of(teacher, question_count=1, tricky=True)
    archive = assert_cartridge(
        download(client, teacher, cartridge_url(lesson), quiz_ids=str(quiz.pk)).content
    )
    manifest = xml_of(archive, "imsmanifest.xml")
    assert manifest.findtext(f".//{{{CC}}}item/{{{CC}}}item/{{{CC}}}title").endswith(
        TRICKY_EXPORTED
    )
    raw_page = archive.read("lesson/lesson.html").decode()
    assert "<script>" not in raw_page and "MODEL-ANSWER-FOR-TEACHERS" not in raw_page
    page = html.fromstring(raw_page)
    assert not list(page.iter("script"))
    assert page.findtext(".//section/h2") == lesson.content["sections"][0]["heading"]
    mattexts = [m.text for m in xml_of(archive, f"quiz-{quiz.pk}/assessment.xml").iter(
        f"{{{QTI_ASI}}}mattext"
    )]  # fmt: skip
    assert mattexts[0] == TRICKY_EXPORTED


def test_lesson_cartridge__manifest_mapping_keeps_the_validation_able_to_fail(client, teacher):
    archive = assert_cartridge(download(client, teacher, cartridge_url(lesson_of(teacher))).content)
    manifest = xml_of(archive, "imsmanifest.xml")
    manifest.find(f"{{{CC}}}resources").append(etree.Element(f"{{{CC}}}bogus"))
    assert not cp_schema().validate(cc_manifest_as_cp(manifest))


# --- names and size -------------------------------------------------------------------------------


def test_export__titles_that_look_like_paths_never_become_names(client, teacher):
    """A title of ``../../../etc/passwd`` names neither a zip entry (``opened`` checks every
    name) nor the download's file name."""
    quiz = quiz_of(teacher, tricky=True)
    response = download(client, teacher, qti_url(quiz))
    assert_qti_package(response.content)
    filename = response["Content-Disposition"].split("filename=", 1)[1].strip('"')
    assert "/" not in filename and "\\" not in filename and not filename.startswith(".")
    lesson = lesson_of(teacher, tricky=True)
    assert_cartridge(download(client, teacher, cartridge_url(lesson)).content)


def test_package__refuses_a_name_outside_the_package():
    package = Package(max_bytes=1000)
    for name in ("../evil.xml", "/etc/passwd", "items/../../x", "a\\b", ""):
        with pytest.raises(ValueError):
            package.add(name, b"x")


def test_export__over_the_size_limit_is_a_422_not_a_huge_download(client, teacher, settings):
    quiz = quiz_of(teacher, question_count=50)
    lesson = lesson_of(teacher)
    settings.LMS_EXPORT_MAX_BYTES = 20_000
    for url, params in ((qti_url(quiz), {}), (cartridge_url(lesson), {"quiz_ids": str(quiz.pk)})):
        response = Api(client, teacher).get(url, **params)
        assert response.status_code == 422, response.content
        assert "larger than 20000 bytes" in response.json()["detail"]
    settings.LMS_EXPORT_MAX_BYTES = 20 * 1024 * 1024
    assert_qti_package(download(client, teacher, qti_url(quiz)).content)


def test_lesson_cartridge__too_many_or_malformed_quiz_ids_are_422(client, teacher):
    lesson = lesson_of(teacher)
    api = Api(client, teacher)
    for value in (",".join(str(n) for n in range(1, 22)), "1,,2", "x", "-1", "0"):
        response = api.get(cartridge_url(lesson), quiz_ids=value)
        assert response.status_code == 422, (value, response.content)
        assert response.json()["detail"]
