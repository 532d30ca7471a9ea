from __future__ import annotations

from ninja import Schema


class ChoiceOut(Schema):
    id: str
    label: str


class SubjectOut(Schema):
    id: str
    label: str
    aliases: list[str]
    kinds: list[str]


class GradeLevelOut(Schema):
    value: int
    label: str
    band: str


class GradeBandOut(Schema):
    id: str
    grades: list[int]


class LessonOptionsOut(Schema):
    content_types: list[ChoiceOut]
    complexities: list[ChoiceOut]
    max_objectives: int
    max_objective_length: int


class QuizOptionsOut(Schema):
    difficulties: list[ChoiceOut]
    min_questions: int
    max_questions: int


class TerrainOptionsOut(Schema):
    biomes: list[str]
    min_size: int
    max_size: int


class CatalogOut(Schema):
    subjects: list[SubjectOut]
    grade_levels: list[GradeLevelOut]
    grade_bands: list[GradeBandOut]
    lesson: LessonOptionsOut
    quiz: QuizOptionsOut
    terrain: TerrainOptionsOut
