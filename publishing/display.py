"""Generated content on admin change pages as a reader would see it, not as JSON.

One module for every content admin (lessons, quizzes, terrains), so that a later merge of those
admins keeps one renderer. Everything shown is escaped: lesson and quiz text comes from an LLM or
from what a teacher typed (objectives, subjects), and must never become markup in the admin.
Content that does not have the expected shape (older rows, hand edits) falls back to its JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import SafeString, mark_safe

CORRECT_STYLE = "color: #2b7a2b; font-weight: bold"


def pretty_json(value: object) -> SafeString:
    return format_html(
        '<pre style="white-space: pre-wrap; margin: 0">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False),
    )


def _paragraphs(text: Any) -> SafeString:
    # linebreaks escapes the text itself (autoescape=True) but returns a plain str.
    return mark_safe(linebreaks(str(text), autoescape=True))


def _list(tag: str, items: Iterable[SafeString]) -> SafeString:
    items = list(items)
    if not items:
        return format_html("<p>{}</p>", "(none)")
    inner = format_html_join("", "<li>{}</li>", ((item,) for item in items))
    return format_html("<{tag} style='margin-left: 1.5em'>{inner}</{tag}>", tag=tag, inner=inner)


def objectives_html(objectives: Any) -> SafeString:
    if not isinstance(objectives, list):
        return pretty_json(objectives)
    return _list("ol", (format_html("{}", objective) for objective in objectives))


def lesson_html(content: Any) -> SafeString:
    """Summary, sections, vocabulary, activities, assessment and duration of a lesson."""
    try:
        parts = [
            format_html(
                "<p><strong>Summary.</strong> {} <em>(about {} minutes)</em></p>",
                content.get("summary", ""),
                content.get("estimated_duration_minutes", "?"),
            ),
            format_html("<h3>{}</h3>", "Sections"),
        ]
        for section in content.get("sections", []):
            parts.append(
                format_html("<h4>{}</h4>{}", section["heading"], _paragraphs(section["body"]))
            )
        parts.append(format_html("<h3>{}</h3>", "Vocabulary"))
        parts.append(
            format_html(
                "<dl>{}</dl>",
                format_html_join(
                    "",
                    "<dt><strong>{}</strong></dt><dd>{}</dd>",
                    ((t["term"], t["definition"]) for t in content.get("vocabulary", [])),
                ),
            )  # fmt: skip
        )
        parts.append(format_html("<h3>{}</h3>", "Activities"))
        parts.append(
            _list(
                "ol",
                (
                    format_html(
                        "<strong>{}</strong> ({} min){}",
                        a["title"],
                        a.get("duration_minutes", "?"),
                        _paragraphs(a["instructions"]),
                    )
                    for a in content.get("activities", [])
                ),
            )
        )
        parts.append(format_html("<h3>{}</h3>", "Assessment"))
        parts.append(
            _list(
                "ol",
                (
                    format_html("{}<br><em>Answer:</em> {}", item["question"], item["answer"])
                    for item in content.get("assessment", [])
                ),
            )
        )
    except (AttributeError, KeyError, TypeError):
        return pretty_json(content)
    return format_html(
        '<div class="content-display" style="max-width: 60em">{}</div>',
        format_html_join("", "{}", ((part,) for part in parts)),
    )


def _option(index: int, option: Any, correct_index: Any) -> SafeString:
    if index == correct_index:
        return format_html(
            '<li style="{}" data-correct="true">{} <span>✔ correct</span></li>',
            CORRECT_STYLE,
            option,
        )
    return format_html("<li>{}</li>", option)


def questions_html(questions: Any) -> SafeString:
    """Each question: its prompt, its options (A-D) with the correct one marked, the
    explanation and the topic."""
    try:
        items = []
        for question in questions:
            options = format_html_join(
                "",
                "{}",
                (
                    (_option(i, option, question["correct_index"]),)
                    for i, option in enumerate(question["options"])
                ),
            )
            items.append(
                format_html(
                    '<p style="margin: 0.5em 0 0.2em"><strong>{}</strong></p>'
                    '<ol type="A" style="margin-left: 1.5em">{}</ol>'
                    "<p><em>Why:</em> {} <span style='color: #666'>(topic: {})</span></p>",
                    question["prompt"],
                    options,
                    question.get("explanation", ""),
                    question.get("topic", ""),
                )
            )
    except (AttributeError, KeyError, TypeError):
        return pretty_json(questions)
    return format_html(
        '<div class="content-display" style="max-width: 60em">{}</div>', _list("ol", items)
    )


def _flatten(values: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in values.items():
        name = f"{prefix}{key}".replace("_", " ")
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key} ")
        elif isinstance(value, list):
            yield name, ", ".join(str(v) for v in value)
        else:
            yield name, value


def statistics_html(statistics: Any) -> SafeString:
    """A small two-column table of figures (nested ones as "peak height", lists joined)."""
    if not isinstance(statistics, Mapping):
        return pretty_json(statistics)
    rows = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", _flatten(statistics))
    return format_html('<table class="statistics-display">{}</table>', rows)
