"""The offline and OpenAI providers, the latter against a real OpenAI-compatible HTTP server."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from providers.base import LessonRequest, QuizRequest
from providers.errors import ProviderOutputInvalid, ProviderUnavailable
from providers.offline import LESSON_FIELDS, offline_provider
from providers.openai_provider import openai_provider
from providers.output import LLMLesson, describe_validation_error, quiz_model
from tests.support.fake_openai import LLM_PROMPT_PREFIX, LLM_TITLE_PREFIX, USAGE
from tests.support.llm import PLANTED_KEY, TIMEOUT_SECONDS

LESSON = LessonRequest(
    subject="science",
    grade_level=4,
    learning_objectives=("Describe the water cycle", "Explain evaporation"),
    content_type="lesson",
    complexity="basic",
    seed=8,
)
QUIZ = QuizRequest(subject="history", grade_level=7, difficulty="medium", question_count=5, seed=3)
QUESTION_KEYS = {"prompt", "options", "correct_index", "answer", "explanation", "topic"}


def test_offline_provider__same_request_and_seed_same_content():
    assert offline_provider.generate_lesson(LESSON) == offline_provider.generate_lesson(LESSON)
    assert offline_provider.generate_quiz_questions(
        QUIZ
    ) == offline_provider.generate_quiz_questions(QUIZ)
    other_seed = QuizRequest(**{**QUIZ.as_context(), "seed": 4})
    assert offline_provider.generate_quiz_questions(other_seed) != (
        offline_provider.generate_quiz_questions(QUIZ)
    )


def test_offline_provider__lesson_and_questions_have_the_shared_shape():
    lesson = offline_provider.generate_lesson(LESSON)
    assert set(lesson) == set(LESSON_FIELDS)
    questions = offline_provider.generate_quiz_questions(QUIZ)
    assert len(questions) == 5
    assert all(set(question) == QUESTION_KEYS for question in questions)


def test_openai_provider__lesson_from_a_valid_answer(llm):
    lesson = openai_provider.generate_lesson(LESSON)
    assert set(lesson) == set(LESSON_FIELDS)
    assert lesson["title"].startswith(LLM_TITLE_PREFIX)
    assert lesson["activities"][0]["duration_minutes"] == 15

    (request,) = llm.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {PLANTED_KEY}"
    body = request.body
    assert body["model"] == "gpt-4o-mini"
    assert body["seed"] == 8
    response_format = body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["schema"]["additionalProperties"] is False
    prompt = body["messages"][-1]["content"]
    assert "Grade 4 science" in prompt
    assert "1. Describe the water cycle\n2. Explain evaporation" in prompt


def test_openai_provider__questions_shaped_like_offline_ones(llm):
    questions = openai_provider.generate_quiz_questions(QUIZ)
    assert len(questions) == 5
    for question in questions:
        assert set(question) == QUESTION_KEYS
        assert question["prompt"].startswith(LLM_PROMPT_PREFIX)
        assert question["options"][question["correct_index"]] == question["answer"]
        assert question["topic"] == "history.fake_topic"
    schema = llm.requests[0].body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["questions"]["minItems"] == 5
    assert schema["properties"]["questions"]["maxItems"] == 5
    assert "Grade 7 history at medium difficulty" in llm.requests[0].body["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        ("error", ProviderUnavailable, "openai answered HTTP 500"),
        ("malformed", ProviderOutputInvalid, "openai answer rejected: 1 problem: (root): Invalid"),
        (
            "invalid",
            ProviderOutputInvalid,
            "openai answer rejected: 2 problems: questions.0.options: List should have at least "
            "4 items after validation, not 3; questions.0.correct_index: Input should be less "
            "than or equal to 3",
        ),
    ],
)
def test_openai_provider__failures_raise_categorised_errors_after_one_call(
    llm, mode, error, message
):
    llm.set_mode(mode)
    with pytest.raises(error) as caught:
        openai_provider.generate_quiz_questions(QUIZ)
    assert str(caught.value).startswith(message)
    assert caught.value.sentry_tags == {"service": "openai"}
    assert caught.value.sentry_component == "providers"
    assert llm.calls == 1  # max_retries=0: the breaker and the fallback decide, not the client


def test_openai_provider__error_categories():
    assert ProviderUnavailable.error_category == "external_api"
    assert ProviderOutputInvalid.error_category == "ai_agents"


def test_openai_provider__lesson_missing_a_field_is_invalid(llm):
    llm.set_mode("invalid")
    with pytest.raises(ProviderOutputInvalid, match="sections: Field required"):
        openai_provider.generate_lesson(LESSON)


def test_openai_provider__timeout_raises_unavailable_in_time(llm):
    llm.set_mode("hang")
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match=f"did not answer within {TIMEOUT_SECONDS} s"):
        openai_provider.generate_lesson(LESSON)
    assert time.monotonic() - started < TIMEOUT_SECONDS + 1.5


def test_openai_provider__slow_but_in_time_is_fine(llm):
    llm.set_mode("slow", delay=0.1)
    assert openai_provider.generate_lesson(LESSON)["title"].startswith(LLM_TITLE_PREFIX)


def test_openai_provider__unreachable_server_raises_unavailable(llm, settings):
    from tests.support.sentry_receiver import free_port

    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(ProviderUnavailable, match="could not connect to openai"):
        openai_provider.generate_quiz_questions(QUIZ)


def test_fake_openai__answers_with_usage(llm):
    import httpx

    response = httpx.post(
        f"{llm.base_url}/chat/completions",
        json={
            "model": "m",
            "messages": [],
            "response_format": {"json_schema": {"schema": {"properties": {}}}},
        },
    )
    assert response.json()["usage"] == USAGE
    assert response.json()["object"] == "chat.completion"


def test_llm_quiz_shape__options_that_read_the_same_are_invalid():
    # The one question shape refuses what the offline generator never writes: two options a
    # student could not tell apart, which would make a right answer count as wrong.
    answer = {
        "questions": [
            {
                "prompt": "Capital of France?",
                "options": ["Paris", " paris", "Rome", "Oslo"],
                "correct_index": 0,
                "explanation": "Paris is the capital.",
                "topic": "capitals",
            }
        ]
    }
    with pytest.raises(ValidationError) as caught:
        quiz_model(1).model_validate(answer)
    assert describe_validation_error(caught.value).startswith(
        "1 problem: questions.0.options: Value error, duplicate options"
    )


def test_llm_shapes__offline_content_passes_the_llm_validation():
    lesson = offline_provider.generate_lesson(LESSON)
    assert LLMLesson.model_validate(lesson).model_dump() == lesson
    questions = offline_provider.generate_quiz_questions(QUIZ)
    without_answer = [{k: v for k, v in q.items() if k != "answer"} for q in questions]
    quiz = quiz_model(len(questions)).model_validate({"questions": without_answer})
    assert [question.to_dict() for question in quiz.questions] == questions
