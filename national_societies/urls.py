from django.urls import path

import core.ids  # noqa: F401  (registers the "id" converter: a database id, else 404)

from national_societies import views
from national_societies.invitation_batches import views as batch_views

app_name = "national_societies"
urlpatterns = [
    path("account/", views.my_account, name="my_account"),
    path("language/", views.language, name="language"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("society/", views.society_home, name="society_home"),
    path("society/<slug:society_slug>/members/", views.members, name="members"),
    path("society/<slug:society_slug>/members/<id:user_id>/", views.member_detail, name="member"),
    path("society/<slug:society_slug>/members/<id:user_id>/role/", views.member_role, name="member_role"),
    path("society/<slug:society_slug>/members/<id:user_id>/editor/", views.member_editor, name="member_editor"),
    path("society/<slug:society_slug>/members/<id:user_id>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("society/<slug:society_slug>/members/<id:user_id>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("society/<slug:society_slug>/invitations/new/", views.invitation_new, name="invitation_new"),
    path("society/<slug:society_slug>/invitations/bulk/", batch_views.invitations_bulk, name="invitations_bulk"),
    path("society/<slug:society_slug>/invitations/bulk/send/", batch_views.invitations_bulk_send, name="invitations_bulk_send"),
    path("society/<slug:society_slug>/invitations/batches/<id:batch_id>/", batch_views.invitation_batch, name="invitation_batch"),
    path("society/<slug:society_slug>/invitations/<id:invitation_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path("society/<slug:society_slug>/invitations/<id:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
