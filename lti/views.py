"""LTI endpoints: our JWKS, OIDC login, launch, the deep-linking picker, grade posts."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.exception import LtiException, OIDCException

from accounts.models import Role, User
from lti import selectors, services
from lti.http import LmsCallError
from lti.tool import MessageLaunch, OIDCLogin
from monitoring.facade import capture_exception, sentry_manager

logger = logging.getLogger(__name__)

LOGIN_BACKEND = "accounts.throttling.LoginLockoutBackend"
OWNER_KEY = "lti-launch-owner:{}"


def _refused(request: HttpRequest, reason: str, status: int = 400) -> HttpResponse:
    """A clear page, and nothing else: no session, no sign-in."""
    logger.warning("lti launch refused: %s", reason)
    sentry_manager.add_breadcrumb(message="LTI launch refused", category="lti", data={})
    return render(request, "lti/refused.html", {"reason": reason}, status=status)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    services.tool_key_ensure()
    return JsonResponse(selectors.tool_jwks())


@csrf_exempt  # the LMS posts here from its own site; state and nonce protect the flow
@never_cache
@require_http_methods(["GET", "POST"])
def oidc_login(request: HttpRequest) -> HttpResponse:
    """Third-party initiated login: send the browser to the platform with a state and nonce."""
    try:
        return OIDCLogin(request).redirect(request.build_absolute_uri(reverse("lti:launch")))
    except (OIDCException, LtiException) as exc:
        return _refused(request, str(exc))


@csrf_exempt  # the platform form-posts the id_token; the launch checks state and nonce
@never_cache
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    message = MessageLaunch(request)
    try:
        message.validate()
        accepted = services.lti_launch_accept(launch=message)
    except LtiException as exc:
        return _refused(request, str(exc))
    except services.LaunchRefused as exc:
        return _refused(request, str(exc), status=403)
    except LmsCallError as exc:
        capture_exception(exc)  # the LMS is down: tagged external_api, its host
        return _refused(request, "Your LMS could not be reached to check this launch", 502)
    login(request, accepted.user, backend=LOGIN_BACKEND)
    cache.set(OWNER_KEY.format(message.get_launch_id()), accepted.user.pk, 2 * 3600)
    return redirect(accepted.next_url)


def _own_launch(request: HttpRequest, launch_id: str) -> MessageLaunch:
    user: User = request.user
    if user.role not in (Role.TEACHER, Role.ADMIN):
        raise PermissionDenied("Only teachers place content in a course")
    if cache.get(OWNER_KEY.format(launch_id)) != user.pk:
        raise Http404("This launch has expired: open the tool from your course again")
    try:
        return MessageLaunch.restore(launch_id=launch_id, request=request)
    except LtiException:
        raise Http404("This launch has expired: open the tool from your course again") from None


@login_required
@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest, launch_id: str) -> HttpResponse:
    """The teacher picks one of their quizzes or lessons; we answer the LMS with a signed JWT."""
    message = _own_launch(request, launch_id)
    if request.method == "GET":
        context = {"launch_id": launch_id, **selectors.deep_link_choices(user=request.user)}
        return render(request, "lti/deep_link.html", context)
    kind, _, raw_id = request.POST.get("item", "").partition(":")
    content = (
        selectors.deep_link_content(user=request.user, kind=kind, content_id=int(raw_id))
        if raw_id.isdigit()
        else None
    )
    if content is None:
        raise Http404("Pick one of your quizzes or lessons")
    token = services.deep_link_response_jwt(launch=message, kind=kind, content=content)
    return_url = message.get_deep_link()._deep_link_settings["deep_link_return_url"]
    response = render(
        request,
        "lti/deep_link_return.html",
        {"return_url": return_url, "jwt": token, "title": content.title},
    )
    # The form posts to the LMS: allow that one origin in this page's form-action.
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(return_url))
    response._csp_update = {"form-action": [origin]}
    return response


def _require_teacher(request: HttpRequest) -> User:
    user: User = request.user
    if user.role not in (Role.TEACHER, Role.ADMIN):
        raise PermissionDenied("Only teachers see grade posts")
    return user


@login_required
@require_GET
def grades(request: HttpRequest) -> HttpResponse:
    """Scores owed to LMS gradebooks for the teacher's quizzes: sent, retrying or stuck."""
    teacher = _require_teacher(request)
    posts = selectors.grade_posts_for_teacher(user=teacher)[:200]
    return render(request, "lti/grades.html", {"posts": posts})


@login_required
@require_POST
def grade_retry(request: HttpRequest, grade_post_id: int) -> HttpResponse:
    teacher = _require_teacher(request)
    post = selectors.grade_post_for_teacher(user=teacher, grade_post_id=grade_post_id)
    if post is None:
        raise Http404("Grade post not found")
    services.grade_post_retry_now(post=post)
    from lti.tasks import grade_post_send

    grade_post_send.delay(post.pk)
    return redirect("lti:grades")
