"""One typed shape per content kind (``curriculum.shapes``): every schema that reads a kind (the
API's, the student views, the sockets', the stored-content checks) carries each of the shape's
fields with its type, so a field added to a shape cannot be left out of one of them. Readers
carry none of the writers' limits: what was stored before a limit existed still reads."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from curriculum.shapes import (
    Activity,
    AssessmentItem,
    LessonContent,
    QuizQuestion,
    Section,
    TerrainStatistics,
    VocabularyTerm,
)
from curriculum.terrain import TerrainParams
from lessons.schemas import (
    STUDENT_ITEM_FIELDS,
    LessonForStudentOut,
    LessonOut,
    SectionOut,
    StoredLessonContent,
)
from live.payloads import quiz_for_students
from quizzes.schemas import (
    STUDENT_QUESTION_FIELDS,
    QuestionForStudentOut,
    QuestionOut,
    QuizForStudentOut,
    QuizOut,
    StoredQuestion,
)
from quizzes.services import quiz_generate
from terrain.schemas import TerrainOut
from terrain.services import terrain_generate
from tests.support.api import get

# What may differ between a shape and its readers: the writers' limits, and the names.
LIMITS = {"minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"}
NAMES = {"title", "description"}


def _resolved(schema: Any, defs: dict[str, Any], drop: set[str]) -> Any:
    """``schema`` with its ``$ref``s inlined and the keywords in ``drop`` removed."""
    if isinstance(schema, list):
        return [_resolved(item, defs, drop) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _resolved(defs[schema["$ref"].rsplit("/", 1)[1]], defs, drop)
    return {
        key: _resolved(value, defs, drop) if key != "properties" else _properties(value, defs, drop)
        for key, value in schema.items()
        if key not in drop and key != "$defs"
    }


def _properties(properties: dict[str, Any], defs: dict[str, Any], drop: set[str]) -> Any:
    return {name: _resolved(value, defs, drop) for name, value in properties.items()}


def shape_of(model: type[BaseModel], *, limits: bool = False) -> dict[str, Any]:
    """The fields and types of ``model`` (at any depth): its JSON schema without names and,
    unless ``limits``, without the writers' limits."""
    schema = model.model_json_schema()
    drop = NAMES | {"additionalProperties"} | (set() if limits else LIMITS)
    return _resolved(schema, schema.get("$defs", {}), drop)


def without(schema: dict[str, Any], *fields: str) -> dict[str, Any]:
    return {
        **schema,
        "properties": {k: v for k, v in schema["properties"].items() if k not in fields},
        "required": [name for name in schema["required"] if name not in fields],
    }


def part(schema: dict[str, Any], *fields: str) -> dict[str, Any]:
    return without(schema, *(name for name in schema["properties"] if name not in fields))


def student_part(shape: type[BaseModel]) -> dict[str, Any]:
    return without(shape_of(shape), *shape.teacher_only)


# --- lessons ------------------------------------------------------------------------------------


def test_lesson_schemas__carry_every_field_of_the_shape_with_its_type():
    content = shape_of(LessonContent)
    fields = list(content["properties"])
    stored = shape_of(StoredLessonContent)
    # Missing parts read as empty, as they always have: the stored check requires nothing.
    assert without(content, "title") == {**stored, "required": content["required"][1:]}
    assert part(shape_of(LessonOut), *fields) == content
    student = part(shape_of(LessonForStudentOut), *fields)
    assert student["properties"]["assessment"]["items"] == student_part(AssessmentItem)
    assert {**student, "properties": {**student["properties"], "assessment": None}} == {
        **content,
        "properties": {**content["properties"], "assessment": None},
    }
    assert STUDENT_ITEM_FIELDS == {"assessment": ("question",)}


def test_lesson_schemas__read_without_the_writers_limits():
    long = " " + "a" * 5000 + " "
    with pytest.raises(ValueError):
        Section(heading="", body=long)
    # Verbatim: no limit, no whitespace stripped, an extra key ignored as it always was.
    assert SectionOut.model_validate({"heading": "", "body": long, "x": 1}).body == long
    assert not any(key in str(shape_of(LessonOut, limits=True)) for key in LIMITS)


# --- quizzes ------------------------------------------------------------------------------------


def test_quiz_schemas__carry_every_field_of_the_shape_with_its_type():
    question = shape_of(QuizQuestion)
    answer = {"type": "string"}
    assert without(shape_of(QuestionOut), "answer") == question
    assert shape_of(QuestionOut)["properties"]["answer"] == answer
    assert list(QuestionOut.model_fields) == [
        "prompt", "options", "correct_index", "answer", "explanation", "topic",
    ]  # fmt: skip
    student = shape_of(QuestionForStudentOut)
    assert without(student, "index") == student_part(QuizQuestion)
    assert shape_of(QuizForStudentOut)["properties"]["questions"]["items"] == student
    assert shape_of(QuizOut)["properties"]["questions"]["items"] == shape_of(QuestionOut)
    assert STUDENT_QUESTION_FIELDS == ("prompt", "options", "topic")
    assert set(StoredQuestion.model_fields) == {*QuizQuestion.model_fields, "answer"}


@pytest.mark.django_db
@pytest.mark.usefixtures("offline_only")
def test_quiz_socket_payload__carries_what_a_student_reads_of_each_question(teacher):
    quiz = quiz_generate(
        owner_id=teacher.pk, subject="science", grade_level=5, difficulty="easy", question_count=2
    )
    payload = quiz_for_students(quiz)
    for question in payload["questions"]:
        assert list(question) == list(QuestionForStudentOut.model_fields)


# --- terrain ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_terrain_statistics__the_api_returns_every_field_of_the_shape(client, teacher):
    """``TerrainOut.statistics`` stays a free-form object in the OpenAPI document (typing it
    would change the documented type); what is stored is ``TerrainStatistics``' dump and the
    API returns it as stored, so each of the shape's fields reaches clients."""
    assert TerrainOut.model_fields["statistics"].annotation == dict[str, Any]
    terrain = terrain_generate(
        owner_id=teacher.pk, params=TerrainParams(size=32, seed=1, biome="islands", water_level=0.3)
    )
    statistics = get(client, f"/api/v1/terrain/{terrain.pk}", teacher).json()["statistics"]
    assert statistics == terrain.statistics
    assert statistics == TerrainStatistics.model_validate(statistics).model_dump()
    assert set(statistics) == set(TerrainStatistics.model_fields)  # jsonb keeps no key order


# What a student reads of each part, decided field by field. A field added to a shape reaches the
# student views unless it is ``teacher_only``: this pin makes whoever adds one decide which.
STUDENT_SEES = {
    Section: {"heading", "body"},
    VocabularyTerm: {"term", "definition"},
    Activity: {"title", "instructions", "duration_minutes"},
    AssessmentItem: {"question"},
    QuizQuestion: {"prompt", "options", "topic"},
}


@pytest.mark.parametrize("shape", list(STUDENT_SEES), ids=lambda shape: shape.__name__)
def test_student_fields__every_field_of_a_shape_is_decided_for_students(shape):
    assert set(shape.model_fields) - set(shape.teacher_only) == STUDENT_SEES[shape], (
        f"{shape.__name__} has a new field: add it to teacher_only, or to STUDENT_SEES if "
        "students may read it"
    )
