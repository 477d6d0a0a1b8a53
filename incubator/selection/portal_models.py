"""The applicant portal's records: what the office publishes with a call (documents, FAQ,
the application form's sections and questions), what applicants write (answers, budget
items, co-applicant invitations), the frozen snapshot of a submission with the call's
protocol counter, and integration requests (soccorso istruttorio).

Foreign keys name ``incubator.Call`` / ``incubator.Application`` as strings: this module
is imported at the end of ``models.py`` and must not import it back (no module cycle)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from incubator.models import MONEY

CALL = "incubator.Call"
APPLICATION = "incubator.Application"


def _localised(obj, stem: str) -> str:
    """The English text when the page is in English and one was given, else the Italian."""
    if (get_language() or "it").startswith("en"):
        return getattr(obj, f"{stem}_en") or getattr(obj, f"{stem}_it")
    return getattr(obj, f"{stem}_it") or getattr(obj, f"{stem}_en")


class CallDocument(models.Model):
    """The call text and its annexes, published on the call's public page."""

    call = models.ForeignKey(CALL, on_delete=models.CASCADE, related_name="documents", verbose_name=_("call"))
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="calls/documents/")
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("call document")
        verbose_name_plural = _("call documents")

    def __str__(self) -> str:
        return self.title


class CallFaq(models.Model):
    call = models.ForeignKey(CALL, on_delete=models.CASCADE, related_name="faqs", verbose_name=_("call"))
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("FAQ")
        verbose_name_plural = _("FAQ")

    def __str__(self) -> str:
        return self.question


class FormSection(models.Model):
    call = models.ForeignKey(CALL, on_delete=models.CASCADE, related_name="form_sections", verbose_name=_("call"))
    title_it = models.CharField(_("title (Italian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("form section")
        verbose_name_plural = _("form sections")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _localised(self, "title")


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Amount (EUR)")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    YES_NO = "yes_no", _("Yes / no")
    FILE = "file", _("File")


class Question(models.Model):
    section = models.ForeignKey(
        FormSection, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    label_it = models.CharField(_("label (Italian)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)
    help_it = models.CharField(_("help text (Italian)"), max_length=500, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    identifying = models.BooleanField(
        _("identifying"), default=False, help_text=_("Hidden from evaluators in blind review.")
    )
    max_chars = models.PositiveIntegerField(_("character limit"), null=True, blank=True)
    choices = models.TextField(
        _("options"), blank=True, help_text=_("One option per line: code | Italian label | English label.")
    )
    file_types = models.JSONField(
        _("accepted file types"), default=list, blank=True, help_text=_('e.g. ["pdf", "png", "jpeg"]')
    )
    max_file_mb = models.PositiveSmallIntegerField(_("maximum file size (MB)"), default=5)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["section__order", "section_id", "order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_chars__isnull=True) | Q(max_chars__gte=1), name="question_max_chars_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_file_mb__gte=1, max_file_mb__lte=50), name="question_file_size_1_50_mb"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _localised(self, "label")

    @property
    def help(self) -> str:
        return _localised(self, "help")

    def options(self) -> list[tuple[str, str]]:
        """(code, label in the current language) of a choice question."""
        english = (get_language() or "it").startswith("en")
        found = []
        for line in self.choices.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            italian = parts[1] if len(parts) > 1 and parts[1] else parts[0]
            label = parts[2] if english and len(parts) > 2 and parts[2] else italian
            found.append((parts[0], label))
        return found


class Answer(models.Model):
    """One question's answer in a draft: ``value`` holds the typed value as JSON (text,
    number or amount as a string, ISO date, choice codes, true/false); a file answer keeps
    the stored file, its original name and its SHA-256."""

    application = models.ForeignKey(
        APPLICATION, on_delete=models.CASCADE, related_name="answers", verbose_name=_("application")
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question"))
    value = models.JSONField(_("value"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="applications/answers/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["application", "question"], name="answer_one_per_question")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class BudgetCategory(models.TextChoices):
    PERSONNEL = "personnel", _("Personnel")
    EQUIPMENT = "equipment", _("Equipment")
    SERVICES = "services", _("Services and consultancy")
    MATERIALS = "materials", _("Materials")
    TRAVEL = "travel", _("Travel")
    OTHER = "other", _("Other costs")


class BudgetItem(models.Model):
    application = models.ForeignKey(
        APPLICATION, on_delete=models.CASCADE, related_name="budget_items", verbose_name=_("application")
    )
    category = models.CharField(_("category"), max_length=12, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount (EUR)"), **MONEY)

    class Meta:
        ordering = ["application", "category", "id"]
        verbose_name = _("budget item")
        verbose_name_plural = _("budget items")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="budget_item_amount_positive")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description} {self.amount}"


class CoApplicantInvitation(models.Model):
    application = models.ForeignKey(
        APPLICATION, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("application")
    )
    email = models.EmailField(_("email"))
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["application", "created_at", "id"]
        verbose_name = _("co-applicant invitation")
        verbose_name_plural = _("co-applicant invitations")
        constraints = [
            models.UniqueConstraint(fields=["application", "email"], name="invitation_one_per_email"),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(accepted_by__isnull=False), name="invitation_accepted_by"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class ProtocolCounter(models.Model):
    """The last protocol number given in a call: locked (select_for_update) by each
    submission, so numbers are consecutive with no gaps and no duplicates."""

    call = models.OneToOneField(CALL, on_delete=models.CASCADE, related_name="protocol_counter", primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("protocol counter")
        verbose_name_plural = _("protocol counters")

    def __str__(self) -> str:
        return f"{self.call_id}: {self.last_number}"


class SubmissionSnapshot(models.Model):
    """What was submitted, frozen: later edits of the call, the form or the people do not
    change it. ``Application.content_sha256`` is the SHA-256 of ``canonical``."""

    application = models.OneToOneField(
        APPLICATION, on_delete=models.PROTECT, related_name="snapshot", verbose_name=_("application")
    )
    content = models.JSONField(_("content"))
    canonical = models.TextField(_("canonical JSON"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("submission snapshot")
        verbose_name_plural = _("submission snapshots")

    def __str__(self) -> str:
        return str(self.application_id)


class IntegrationRequest(models.Model):
    """Soccorso istruttorio: the office asks for named items by a deadline; screening of
    the application waits while a request is open."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for the answer")
        ANSWERED = "answered", _("Answered")
        EXPIRED = "expired", _("Not answered in time")

    application = models.ForeignKey(
        APPLICATION, on_delete=models.CASCADE, related_name="integration_requests", verbose_name=_("application")
    )
    items = models.TextField(_("items to complete or clarify"))
    deadline = models.DateTimeField(_("deadline"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    answer_text = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )

    class Meta:
        ordering = ["application", "requested_at", "id"]
        verbose_name = _("integration request")
        verbose_name_plural = _("integration requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="answered") | Q(answered_at__isnull=False), name="integration_answered_has_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.items[:60]}"


class IntegrationFile(models.Model):
    request = models.ForeignKey(
        IntegrationRequest, on_delete=models.CASCADE, related_name="files", verbose_name=_("integration request")
    )
    file = models.FileField(_("file"), upload_to="applications/integrations/")
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("integration file")
        verbose_name_plural = _("integration files")

    def __str__(self) -> str:
        return self.file_name
