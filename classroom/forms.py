"""Forms of the classroom pages. They only offer and collect: the API's own schemas validate
every generation request (``classroom.views.generating._validated``), so pages and API accept
the same."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.models import JOIN_CODE_LENGTH
from classroom.vocabulary import vocabulary_get
from curriculum import terrain as terrain_generation
from curriculum.lessons import MAX_OBJECTIVE_LENGTH, MAX_OBJECTIVES
from curriculum.quizzes import MAX_QUESTIONS, MIN_QUESTIONS


def retry_phrase(seconds: int) -> str:
    minutes = (seconds + 59) // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class SignInForm(AuthenticationForm):
    """Django's sign-in form; ``authenticate()`` goes through the lockout backend
    (``accounts.throttling``), which leaves ``login_retry_after`` on a locked request."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username and password do not match. Check them and try again.",
    }

    @property
    def locked_for(self) -> int | None:
        return getattr(self.request, "login_retry_after", None)

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if self.locked_for:
                raise ValidationError(
                    "Too many failed sign-ins for this account. Try again in "
                    f"{retry_phrase(self.locked_for)}.",
                    code="locked",
                ) from None
            raise


class JoinForm(forms.Form):
    code = forms.CharField(
        label="Join code",
        max_length=JOIN_CODE_LENGTH * 2,  # spaces and dashes are allowed when typing it
        help_text="The code your teacher gave you, for example ABCD-2345.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class ClassroomForm(forms.Form):
    name = forms.CharField(label="Class name", max_length=200)


class PublishForm(forms.Form):
    classroom_id = forms.TypedChoiceField(label="Class", coerce=int, choices=())

    def __init__(self, *args, classrooms=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classroom_id"].choices = [(c.pk, c.name) for c in classrooms]


def _choice(label: str, choices, initial=None) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, initial=initial)


class LessonGenerateForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        words = vocabulary_get()
        self.fields["subject"] = _choice("Subject", words.subjects)
        self.fields["grade_level"] = _choice("Grade", words.grades, "5")
        self.fields["learning_objectives"] = forms.CharField(
            label="Learning objectives",
            help_text=f"One a line, up to {MAX_OBJECTIVES}.",
            widget=forms.Textarea(attrs={"rows": 4}),
            max_length=MAX_OBJECTIVES * (MAX_OBJECTIVE_LENGTH + 1),
        )
        self.fields["content_type"] = _choice("Kind of lesson", words.content_types, "lesson")
        self.fields["complexity"] = _choice("Complexity", words.complexities, "intermediate")

    def payload(self) -> dict:
        data = dict(self.cleaned_data)
        data["learning_objectives"] = [
            line.strip() for line in data["learning_objectives"].splitlines() if line.strip()
        ]
        return data


class QuizGenerateForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        words = vocabulary_get()
        self.fields["subject"] = _choice("Subject", words.subjects)
        self.fields["grade_level"] = _choice("Grade", words.grades, "5")
        self.fields["difficulty"] = _choice("Difficulty", words.difficulties, "medium")
        self.fields["question_count"] = forms.IntegerField(
            label="Number of questions", min_value=MIN_QUESTIONS, max_value=MAX_QUESTIONS, initial=5
        )

    def payload(self) -> dict:
        return dict(self.cleaned_data)


class TerrainGenerateForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        g = terrain_generation
        self.fields["name"] = forms.CharField(label="Name", max_length=200, required=False)
        self.fields["biome"] = _choice("Biome", vocabulary_get().biomes, "grassland")
        self.fields["size"] = forms.IntegerField(
            label="Size (cells a side)", min_value=g.MIN_SIZE, max_value=g.MAX_SIZE, initial=128
        )
        self.fields["seed"] = forms.IntegerField(
            label="Seed (blank for random)", min_value=0, max_value=g.MAX_SEED, required=False
        )

    def payload(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value not in (None,)}
