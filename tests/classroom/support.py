"""Content and classes for the classroom page tests, made through the apps' own services."""

from __future__ import annotations

from accounts.models import Classroom, Role, User
from accounts.services import classroom_create
from curriculum.terrain import TerrainParams
from lessons.models import Lesson
from lessons.services import lesson_generate
from quizzes.models import Quiz
from quizzes.services import quiz_generate
from terrain.models import Terrain
from terrain.services import terrain_generate
from tests.accounts.factories import make_user


def class_of(teacher: User, *students: User, name: str = "Room 7") -> Classroom:
    classroom = classroom_create(teacher=teacher, name=name)
    classroom.students.add(*students)
    return classroom


def quiz_of(teacher: User, classroom: Classroom | None = None) -> Quiz:
    quiz = quiz_generate(
        owner_id=teacher.pk,
        subject="mathematics",
        grade_level=3,
        difficulty="easy",
        question_count=3,
        seed=11,
    )
    if classroom is not None:
        quiz.classrooms.add(classroom)
    return quiz


def lesson_of(teacher: User, classroom: Classroom | None = None) -> Lesson:
    lesson = lesson_generate(
        owner_id=teacher.pk,
        subject="science",
        grade_level=5,
        learning_objectives=["Describe the water cycle"],
        content_type="lesson",
        complexity="intermediate",
        seed=3,
    )
    if classroom is not None:
        lesson.classrooms.add(classroom)
    return lesson


def terrain_of(teacher: User) -> Terrain:
    params = TerrainParams(
        size=32, seed=4, biome="islands", water_level=0.3, roughness=0.5, octaves=3, max_height=64
    )
    return terrain_generate(owner_id=teacher.pk, params=params)


def another_teacher() -> User:
    return make_user(Role.TEACHER)
