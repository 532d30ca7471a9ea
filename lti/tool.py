"""PyLTI1p3, fitted to ToolboxAI: platforms from the database, state in Redis, calls monitored.

What we add to the library, and why:

* **Nonces are single-use.** PyLTI1p3 only checks that a nonce it issued exists, so the same
  ``id_token`` could be posted again while the nonce lives; :meth:`CacheSession.check_nonce`
  deletes it atomically (Redis ``DEL``), so a replayed launch is refused.
* **Nothing of a launch lives in a Django session.** Nonces and launch data go to the cache,
  keyed by the random state/launch id: a refused launch leaves no session behind.
* **``aud``/``azp``/``exp``/``iat`` are required**: PyLTI1p3 turns PyJWT's audience check off
  and matches ``aud[0]`` by hand; we also require that ``aud`` names our client id and that
  ``azp`` does when there are several audiences, and that ``exp`` and ``iat`` are present.
* **Children's names and e-mails are dropped** before a launch is cached (see ``PII_CLAIMS``).
* **Every call to the LMS** goes through :class:`lti.http.LmsSession`.
"""

from __future__ import annotations

import typing as t

from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.launch_data_storage.cache import DjangoCacheDataStorage
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfAbstract

from lti.http import LmsSession
from lti.models import Platform

# Claims about the person that we never keep: a quiz and a grade need only ``sub``.
PII_CLAIMS = (
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "email",
    "picture",
    "locale",
    "https://purl.imsglobal.org/spec/lti/claim/lis",
)
LAUNCH_DATA_SECONDS = 2 * 3600  # a deep-linking page left open over a lesson still works


class CacheStorage(DjangoCacheDataStorage):
    """PyLTI1p3's cache storage, plus an atomic take-once read."""

    def consume(self, key: str) -> bool:
        return bool(self._get_cache().delete(self._prepare_key(key)))


class CacheSession(SessionService):
    """PyLTI1p3's session service on the cache, with single-use nonces."""

    _launch_data_lifetime = LAUNCH_DATA_SECONDS

    def __init__(self, request: t.Any) -> None:
        super().__init__(request)
        storage = CacheStorage()
        storage.set_request(request)
        self.data_storage = storage

    def check_nonce(self, nonce: str) -> bool:
        storage = t.cast(CacheStorage, self.data_storage)
        return storage.consume(self._get_key("nonce", nonce))

    def save_launch_data(self, key: str, jwt_body: t.Mapping[str, t.Any]) -> None:
        kept = {claim: value for claim, value in jwt_body.items() if claim not in PII_CLAIMS}
        super().save_launch_data(key, kept)


def tool_registration(platform: Platform) -> Registration:
    """The PyLTI1p3 registration of ``platform``, with our (decrypted) key pair."""
    from lti.services import tool_key_ensure  # the key is created on first use

    key = tool_key_ensure()
    registration = (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_key_set_url(platform.jwks_url)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.access_token_url)
        .set_tool_private_key(key.private_pem)
        .set_tool_public_key(key.public_pem)
    )
    if platform.audience:
        registration.set_auth_audience(platform.audience)
    return registration


def _platform_find(iss: str, client_id: str | None) -> Platform | None:
    platforms = Platform.objects.filter(issuer=iss, is_active=True)
    if client_id:
        return platforms.filter(client_id=client_id).first()
    # A login request may leave the client id out: only an issuer with one client is known.
    found = list(platforms[:2])
    return found[0] if len(found) == 1 else None


class DbToolConf(ToolConfAbstract):
    """Platforms as registered in the admin (an issuer may have several client ids)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: t.Any, **kwargs: t.Any):
        platform = _platform_find(iss, None)
        return tool_registration(platform) if platform else None

    def find_registration_by_params(self, iss: str, client_id: str, *args: t.Any, **kwargs: t.Any):
        platform = _platform_find(iss, client_id)
        return tool_registration(platform) if platform else None

    def find_deployment(self, iss: str, deployment_id: str):
        return None

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: t.Any, **kwargs: t.Any
    ):
        platform = _platform_find(iss, client_id)
        if platform is None or deployment_id not in (platform.deployment_ids or []):
            return None
        return Deployment().set_deployment_id(deployment_id)


class OIDCLogin(DjangoOIDCLogin):
    def __init__(self, request: t.Any) -> None:
        super().__init__(request, DbToolConf(), session_service=CacheSession(request))


class MessageLaunch(DjangoMessageLaunch):
    """A launch checked as described at the top of this module."""

    platform: Platform | None = None

    def __init__(self, request: t.Any) -> None:
        super().__init__(request, DbToolConf(), session_service=CacheSession(request))
        self.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})

    @classmethod
    def restore(cls, *, launch_id: str, request: t.Any) -> MessageLaunch:
        """A launch validated earlier (the deep-linking page posts back to us)."""
        launch = cls(request)
        body = launch.get_session_service().get_launch_data(launch_id)
        if not body:
            raise LtiException("This launch has expired: open the tool from your course again")
        launch.set_launch_id(launch_id).set_auto_validation(enable=False)
        launch.set_jwt({"body": body}).set_restored()
        launch.validate_registration()
        return launch

    def validate_registration(self) -> MessageLaunch:
        super().validate_registration()
        body = self._get_jwt_body()
        self.platform = _platform_find(body.get("iss", ""), self.get_client_id())
        assert self.platform is not None  # the registration was found from the same query
        self._requests_session = LmsSession(platform_id=self.platform.pk)
        return self

    def validate_jwt_signature(self) -> MessageLaunch:
        super().validate_jwt_signature()
        body = self._get_jwt_body()
        client_id = self.platform.client_id if self.platform else None
        audiences = body.get("aud")
        audiences = audiences if isinstance(audiences, list) else [audiences]
        if client_id not in audiences:
            raise LtiException("The token is not addressed to this tool (aud)")
        if (len(audiences) > 1 or "azp" in body) and body.get("azp") != client_id:
            raise LtiException("The token's authorised party is not this tool (azp)")
        return self

    @property
    def launch_body(self) -> dict[str, t.Any]:
        return dict(self._get_jwt_body())


def service_connector(platform: Platform) -> ServiceConnector:
    """AGS calls for ``platform`` (outside any launch: the grade-post task)."""
    return ServiceConnector(tool_registration(platform), LmsSession(platform_id=platform.pk))
