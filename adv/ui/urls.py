"""Pages of a firm, under /t/<tenant_slug>/ (TenantMiddleware has resolved the firm and the member)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("members/", views.members, name="members"),
    path("members/<uuid:pk>/", views.member_detail, name="member_detail"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<uuid:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("settings/", views.firm_settings, name="firm_settings"),
    path("settings/logo/", views.firm_logo, name="firm_logo"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<uuid:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("audit/", views.audit, name="audit"),
]
