"""Account pages: login (with a second factor when the user has one), logout, passwords,
invitation acceptance, profile, and two-factor setup / verification / removal.

These pages live outside any firm (no /t/<slug>/ prefix): they deal with the person, not with
tenant data. Every write goes through `adv.users.services` or `adv.tenancy.services`.
"""

from __future__ import annotations

import time
from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from adv.tenancy import services as tenancy_services
from adv.tenancy.errors import DomainError

from . import selectors, services
from .forms import (
    InvitationSignupForm,
    LoginForm,
    OTPCodeForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    TOTPConfirmForm,
)
from .lockout import address_is_locked, address_lockout_response
from .models import User

# A password checked, the second factor still to come: kept in the session, not logged in yet.
PENDING_LOGIN_KEY = "adv_pending_login"
PENDING_LOGIN_TTL_SECONDS = 10 * 60
PENDING_LOGIN_MAX_FAILURES = 5
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _default_next() -> str:
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, next_url: str | None) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _apply_remember_me(request, remember: bool) -> None:
    # Unchecked: the session ends with the browser. Checked: SESSION_COOKIE_AGE.
    request.session.set_expiry(None if remember else 0)


def _firm_home(tenant) -> str:
    return f"/t/{tenant.slug}/"


# --- Login / logout -------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if address_is_locked(request):
            return address_lockout_response(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        remember = bool(form.cleaned_data.get("remember_me"))
        redirect_to = self.get_success_url()
        if selectors.user_has_two_factor(user=user):
            # Not logged in yet: the second factor decides (two_factor_verify).
            self.request.session[PENDING_LOGIN_KEY] = {
                "user_id": str(user.pk),
                "backend": getattr(user, "backend", MODEL_BACKEND),
                "remember": remember,
                "next": redirect_to,
                "at": time.time(),
                "failures": 0,
            }
            return redirect("two_factor_verify")
        auth_login(self.request, user)
        _apply_remember_me(self.request, remember)
        return HttpResponseRedirect(redirect_to)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""

    next_page = reverse_lazy("login")


def _pending_login(request) -> dict | None:
    pending = request.session.get(PENDING_LOGIN_KEY)
    if not pending:
        return None
    if time.time() - pending.get("at", 0) > PENDING_LOGIN_TTL_SECONDS:
        del request.session[PENDING_LOGIN_KEY]
        return None
    return pending


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Ask for the code of the authenticator app (or a backup code) and mark the session verified."""
    pending = None
    if request.user.is_authenticated:
        user = request.user
        next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next")) or _default_next()
        if user.is_verified():
            return redirect(next_url)
        if not selectors.user_has_two_factor(user=user):
            return redirect(_with_next(reverse("two_factor_setup"), next_url))
    else:
        pending = _pending_login(request)
        user = User.objects.filter(pk=pending["user_id"], is_active=True).first() if pending else None
        if user is None:
            request.session.pop(PENDING_LOGIN_KEY, None)
            messages.info(request, _("Votre session a expiré : reconnectez-vous."))
            return redirect("login")
        next_url = pending["next"]

    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_check(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
            if pending is not None:
                pending["failures"] = pending.get("failures", 0) + 1
                request.session[PENDING_LOGIN_KEY] = pending
                if pending["failures"] >= PENDING_LOGIN_MAX_FAILURES:
                    del request.session[PENDING_LOGIN_KEY]
                    messages.error(request, _("Trop de codes incorrects : reconnectez-vous."))
                    return redirect("login")
        else:
            if pending is not None:
                del request.session[PENDING_LOGIN_KEY]
                auth_login(request, user, backend=pending["backend"])
                _apply_remember_me(request, pending["remember"])
            django_otp.login(request, device)
            return redirect(next_url)
    return render(
        request,
        "users/two_factor_verify.html",
        {"form": form, "next": next_url if request.user.is_authenticated else "", "account_email": user.email},
    )


# --- Passwords ------------------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    @property
    def extra_email_context(self):  # read by PasswordResetView.form_valid
        # Links point to the configured public address, never to the request's Host header.
        return {"site_url": settings.SITE_URL}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


# --- Invitations ----------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = tenancy_services.invitation_find(token)
    if invitation is None:
        raise Http404(_("Ce lien d'invitation n'existe pas."))
    firm = invitation.tenant
    context = {"invitation": invitation, "firm": firm}
    if not invitation.is_usable:
        return _invitation_unusable(request, invitation.status, context)

    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():
            return render(request, "users/invitation_other_account.html", context, status=403)
        if request.method == "POST":
            try:
                tenancy_services.invitation_accept(raw_token=token, user=request.user)
            except DomainError as exc:
                return _invitation_refused(request, exc, context)
            messages.success(request, _("Bienvenue chez %(firm)s !") % {"firm": firm.name})
            return redirect(_firm_home(firm))
        return render(request, "users/invitation_join.html", context)

    if selectors.user_exists(email=invitation.email):
        context["login_url"] = _with_next(reverse("login"), request.path)
        return render(request, "users/invitation_login_required.html", context)

    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = tenancy_services.invitation_accept(
                raw_token=token,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except DomainError as exc:
            if exc.field == "password":
                form.add_error("password1", exc.message)
            else:
                return _invitation_refused(request, exc, context)
        else:
            auth_login(request, membership.user, backend=MODEL_BACKEND)
            messages.success(request, _("Bienvenue chez %(firm)s !") % {"firm": firm.name})
            return redirect(_firm_home(firm))
    context["form"] = form
    return render(request, "users/invitation_signup.html", context)


def _invitation_unusable(request, status: str, context: dict):
    messages_by_status = {
        "accepted": _("Cette invitation a déjà été utilisée."),
        "revoked": _("Cette invitation a été annulée par la société."),
        "expired": _("Cette invitation a expiré."),
    }
    context.update({"problem": messages_by_status.get(status, _("Cette invitation n'est plus valable.")), "status": status})
    return render(request, "users/invitation_unusable.html", context, status=410)


def _invitation_refused(request, exc: DomainError, context: dict):
    context.update({"problem": exc.message, "status": exc.code})
    return render(request, "users/invitation_unusable.html", context, status=exc.status)


# --- Profile --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_update_profile(
                user=request.user,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                language=form.cleaned_data["language"],
            )
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            translation.activate(user.language)  # the confirmation already speaks the new language
            messages.success(request, _("Profil enregistré."))
            response = redirect("profile")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
    return render(
        request,
        "users/profile.html",
        {
            "form": form,
            "two_factor_enabled": selectors.user_has_two_factor(user=request.user),
            "two_factor_required": selectors.two_factor_required(user=request.user),
        },
    )


# --- Two-factor authentication -----------------------------------------------------------------------


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def _grouped_secret(device) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Show the QR code and the secret; a first valid code turns the second factor on."""
    user = request.user
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    required_tenants = selectors.two_factor_required_tenants(user=user)
    if selectors.user_has_two_factor(user=user):
        if not user.is_verified():
            return redirect(_with_next(reverse("two_factor_verify"), next_url or request.get_full_path()))
        return render(
            request,
            "users/two_factor_status.html",
            {
                "next": next_url,
                "required_tenants": required_tenants,
                "backup_codes_remaining": selectors.backup_codes_remaining(user=user),
            },
        )

    form = TOTPConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.two_factor_confirm(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            django_otp.login(request, device)
            # Shown once, in this response: the codes are stored hashed nowhere else in clear.
            return render(
                request, "users/two_factor_backup_codes.html", {"codes": codes, "next": next_url or reverse("profile"),
                                                                "just_enabled": True}
            )
    device = services.two_factor_setup_start(user=user)
    return render(
        request,
        "users/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _grouped_secret(device),
            "required_tenants": required_tenants,
        },
    )


@never_cache
@login_required
@require_POST
def two_factor_backup_codes(request):
    """Replace the backup codes (a verified session only) and show the new ones once."""
    if not request.user.is_verified():
        return redirect(_with_next(reverse("two_factor_verify"), reverse("two_factor_setup")))
    try:
        codes = services.two_factor_backup_codes_regenerate(user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("two_factor_setup")
    return render(request, "users/two_factor_backup_codes.html", {"codes": codes, "next": reverse("two_factor_setup")})


@never_cache
@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_disable(request):
    user = request.user
    if not selectors.user_has_two_factor(user=user):
        return redirect("two_factor_setup")
    required_tenants = selectors.two_factor_required_tenants(user=user)
    form = OTPCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and not required_tenants and form.is_valid():
        try:
            services.two_factor_disable(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, _("Double authentification désactivée."))
            return redirect("profile")
    elif request.method == "POST" and required_tenants:
        status = 403
    return render(
        request, "users/two_factor_disable.html", {"form": form, "required_tenants": required_tenants}, status=status
    )
