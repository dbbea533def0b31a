"""Every form of the portal, as a class that validates itself (CSRF included, from Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from crossover.web.storage import suffix_of


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])
    submit = SubmitField("Sign in")


class InviteForm(FlaskForm):
    name = StringField("Client name", validators=[InputRequired(), Length(max=200)])
    email = EmailField(
        "Client contact email", validators=[InputRequired(), Email(), Length(max=254)]
    )
    days = IntegerField(
        "Link valid for (days)", default=30, validators=[InputRequired(), NumberRange(1, 365)]
    )
    submit = SubmitField("Create the private link")


class NewLinkForm(FlaskForm):
    days = IntegerField(
        "Link valid for (days)", default=30, validators=[InputRequired(), NumberRange(1, 365)]
    )
    submit = SubmitField("Issue a new link")


class UploadForm(FlaskForm):
    workbook = FileField("Your filled-in workbook (.xlsx)", validators=[FileRequired()])
    submit = SubmitField("Upload and check")

    def file_suffix(self) -> str:
        return suffix_of(self.workbook.data.filename or "")


class ActionForm(FlaskForm):
    """A button that changes something (render, release): the CSRF token is its only field."""

    submit = SubmitField()


class EmailForm(FlaskForm):
    to = EmailField("To", validators=[InputRequired(), Email(), Length(max=254)])
    cc = EmailField("Cc", validators=[Optional(), Email(), Length(max=254)])
    submit = SubmitField("Send the report")


class NoteForm(FlaskForm):
    text = StringField("Note", validators=[InputRequired(), Length(max=2000)])
    submit = SubmitField("Add note")


class DiffForm(FlaskForm):
    """Which two versions to compare: a GET form that only reads, so it carries no CSRF token."""

    class Meta:
        csrf = False

    old = SelectField("From version", coerce=int)
    new = SelectField("To version", coerce=int)
    submit = SubmitField("Compare")
