"""Authentication backends that read the signed-in user with their membership and organisation in the
same query: every request needs them (permissions, navigation, the access log's actor columns)."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from national_societies.viewer import READ_WITH_MEMBERSHIP


def _user_with_membership(backend, user_id):
    user = (
        get_user_model()
        ._default_manager.select_related("membership__national_society")
        .filter(pk=user_id)
        .first()
    )
    if user is None or not backend.user_can_authenticate(user):
        return None
    setattr(user, READ_WITH_MEMBERSHIP, True)
    return user


class MembershipModelBackend(ModelBackend):
    def get_user(self, user_id):
        return _user_with_membership(self, user_id)


class MembershipAuthenticationBackend(AuthenticationBackend):
    """allauth's backend (sign-in by email, rate limits), with the same one-query user lookup."""

    def get_user(self, user_id):
        return _user_with_membership(self, user_id)
