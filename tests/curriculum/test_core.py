"""The curriculum core stays pure: importable and usable with no Django at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROGRAM = """
import json, sys
import curriculum, curriculum.shapes
from curriculum.lessons import generate_lesson
from curriculum.quizzes import generate_questions, grade_attempt
from curriculum.terrain import TerrainParams, build_lua_script, generate_heightmap

params = TerrainParams(size=32, seed=1, biome="islands", water_level=0.3)
build_lua_script(generate_heightmap(params), params)
generate_lesson(subject="science", grade_level=3, learning_objectives=["Describe the water cycle"],
                content_type="lesson", complexity="basic")
questions = [q.to_dict() for q in generate_questions(
    subject="maths", grade_level=5, difficulty="hard", question_count=3, seed=1)]
grade_attempt(questions=questions, answers=[0, 1, None])
apps = {"django", "ninja", "lessons", "quizzes", "terrain", "providers", "monitoring", "toolbox"}
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & apps)))
"""


def test_curriculum__generates_everything_without_django_or_the_apps():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
