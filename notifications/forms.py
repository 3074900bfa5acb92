"""Forms of the notifications pages. Validation of placeholders lives in the services; the
views copy a service's field errors onto the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import defaults
from .services import Channels

DEFAULT_CHANNELS = Channels(in_app=True, email=True, daily_digest=False)

CHANNELS = (
    ("in_app", _("Dans l'application")),
    ("email", _("E-mail immédiat")),
    ("daily_digest", _("Résumé quotidien")),
)


class MessageTemplateForm(forms.Form):
    def mark_invalid(self) -> None:
        """Bootstrap's red border on the fields that have errors."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"

    subject = forms.CharField(
        label=_("Objet"),
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control adv-mono", "autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Texte"),
        widget=forms.Textarea(attrs={"class": "form-control adv-mono", "rows": 14}),
        help_text=_("Texte brut. Les variables s'écrivent {{ nom }} ; les liens deviennent cliquables dans l'e-mail."),
    )


def _checkbox(label) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


class PreferencesForm(forms.Form):
    """The general choice (three channels) and, per registered event, an optional override."""

    def __init__(self, *args, saved: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.events = defaults.events()
        general = saved.get("")
        for name, label in CHANNELS:
            self.fields[name] = _checkbox(label)
            self.initial[name] = getattr(general, name) if general else getattr(DEFAULT_CHANNELS, name)
        for event in self.events:
            # What applies today: the event's own row, else the general row, else the event's default.
            row = saved.get(event.key)
            effective = row or general or event
            self.fields[f"{event.key}__custom"] = _checkbox(_("Personnaliser"))
            self.fields[f"{event.key}__custom"].widget.attrs["data-preference-custom"] = event.key
            self.initial[f"{event.key}__custom"] = row is not None
            for name, label in CHANNELS:
                self.fields[f"{event.key}__{name}"] = _checkbox(label)
                self.fields[f"{event.key}__{name}"].widget.attrs["data-preference-channel"] = event.key
                self.initial[f"{event.key}__{name}"] = getattr(effective, name)

    def general_channels(self) -> Channels:
        data = self.cleaned_data
        return Channels(in_app=data["in_app"], email=data["email"], daily_digest=data["daily_digest"])

    def event_channels(self) -> dict[str, Channels | None]:
        data = self.cleaned_data
        result: dict[str, Channels | None] = {}
        for event in self.events:
            if data[f"{event.key}__custom"]:
                result[event.key] = Channels(
                    in_app=data[f"{event.key}__in_app"],
                    email=data[f"{event.key}__email"],
                    daily_digest=data[f"{event.key}__daily_digest"],
                )
            else:
                result[event.key] = None
        return result

    def general_fields(self):
        return [self[name] for name, _label in CHANNELS]

    def event_rows(self):
        """(event, custom field, [channel fields]) for the template."""
        return [
            (event, self[f"{event.key}__custom"], [self[f"{event.key}__{name}"] for name, _label in CHANNELS])
            for event in self.events
        ]
