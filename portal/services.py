"""Writes of the portal app: news publishing, ideas and the contact form."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.audit import audit_mails
from portal.models import Idea, IdeaStatus, Municipality, NewsArticle, NewsStatus, Topic

# Why the mail went out, for the audit log (translated when the log is read).
IDEA_REPLY_MAIL = gettext_noop("reply to the sender of the idea")


def mail_subject(text: str) -> str:
    """A subject on one line. It is built from what residents type (contact subject, idea
    title) or staff paste (event title); a line break in a header makes the mail library
    refuse the whole mail with BadHeaderError, which ended as a 500 after the idea or
    registration had already been stored."""
    return " ".join(text.split())


# --- News -----------------------------------------------------------------------------------


def news_article_publish(*, article: NewsArticle) -> NewsArticle:
    """Publish the article; a publish date in the future keeps it scheduled."""
    article.status = NewsStatus.PUBLISHED
    article.save(update_fields=["status", "updated_at"])
    return article


def news_article_unpublish(*, article: NewsArticle) -> NewsArticle:
    article.status = NewsStatus.DRAFT
    article.save(update_fields=["status", "updated_at"])
    return article


def news_articles_set_status(*, articles: QuerySet[NewsArticle], status: str) -> int:
    """Bulk publish/unpublish (admin action); saves one by one so caches invalidate."""
    changed = 0
    with transaction.atomic():
        for article in articles.exclude(status=status):
            article.status = status
            article.save(update_fields=["status", "updated_at"])
            changed += 1
    return changed


# --- Ideas ----------------------------------------------------------------------------------


def idea_submit(
    *,
    title: str,
    text: str,
    municipality: Municipality | None = None,
    topic: Topic | None = None,
    name: str = "",
    email: str = "",
) -> Idea:
    """Store a resident's idea (not public yet) and tell the cooperation management."""
    idea = Idea.objects.create(
        title=title,
        text=text,
        municipality=municipality,
        topic=topic,
        name=name,
        email=email,
    )
    admin_url = settings.SITE_URL + reverse("admin:portal_idea_change", args=[idea.pk])
    body = _(
        "A new idea has arrived on the portal and waits for moderation.\n\n"
        "Title: %(title)s\nMunicipality: %(municipality)s\nTopic: %(topic)s\n\n%(text)s\n\n"
        "Moderate it here: %(url)s\n"
    ) % {
        "title": title,
        "municipality": municipality or "–",
        "topic": topic or "–",
        "text": text,
        "url": admin_url,
    }
    message = EmailMessage(
        subject=mail_subject(_("New idea: %(title)s") % {"title": title}),
        body=body,
        to=[settings.CONTACT_EMAIL],
    )
    message.send(fail_silently=True)
    return idea


def _moderate(*, idea: Idea, status: str, user: AbstractBaseUser | None) -> Idea:
    idea.status = status
    idea.moderated_by = user
    idea.moderated_at = timezone.now()
    idea.save(update_fields=["status", "moderated_by", "moderated_at"])
    return idea


def idea_approve(*, idea: Idea, user: AbstractBaseUser | None = None) -> Idea:
    """Make the idea public (without name or e-mail unless a name was given)."""
    return _moderate(idea=idea, status=IdeaStatus.APPROVED, user=user)


def idea_reject(*, idea: Idea, user: AbstractBaseUser | None = None) -> Idea:
    return _moderate(idea=idea, status=IdeaStatus.REJECTED, user=user)


def idea_reply(*, idea: Idea, reply: str, user: AbstractBaseUser | None = None) -> Idea:
    """Store the cooperation's public reply and send it to the sender if they left an address."""
    idea.reply = reply.strip()
    idea.replied_at = timezone.now() if idea.reply else None
    idea.moderated_by = user
    idea.save(update_fields=["reply", "replied_at", "moderated_by"])
    if idea.reply and idea.email:
        greeting = _("Hello %(name)s,") % {"name": idea.name} if idea.name else _("Hello,")
        body = "\n\n".join(
            [
                greeting,
                _("thank you for your idea “%(title)s”. Our reply:") % {"title": idea.title},
                idea.reply,
                _("Kind regards\nThe cooperation management Oschatzer Land – Collmregion"),
            ]
        )
        message = EmailMessage(
            subject=mail_subject(_("Reply to your idea: %(title)s") % {"title": idea.title}),
            body=body,
            to=[idea.email],
            reply_to=[settings.CONTACT_EMAIL],
        )
        sent = message.send(fail_silently=True)
        audit_mails(obj=idea, recipients=sent, reason=IDEA_REPLY_MAIL)
    return idea


def ideas_set_status(
    *, ideas: QuerySet[Idea], status: str, user: AbstractBaseUser | None = None
) -> int:
    changed = 0
    with transaction.atomic():
        for idea in ideas.exclude(status=status):
            _moderate(idea=idea, status=status, user=user)
            changed += 1
    return changed


# --- Contact --------------------------------------------------------------------------------


def contact_send(*, name: str, email: str, subject: str, message: str) -> bool:
    """Mail a contact form message to the cooperation management (nothing is stored).

    Returns False when the mail server refused it, so the form can say so.
    """
    sent = EmailMessage(
        subject=mail_subject(_("Contact form: %(subject)s") % {"subject": subject}),
        body=_("Message from %(name)s <%(email)s>:\n\n%(message)s")
        % {"name": name, "email": email, "message": message},
        to=[settings.CONTACT_EMAIL],
        reply_to=[email],
    ).send(fail_silently=True)
    return bool(sent)


# --- Pages ----------------------------------------------------------------------------------


def pages_set_published(*, pages: QuerySet, is_published: bool) -> int:
    """Bulk (un)publish pages; saved one by one so the public cache is invalidated."""
    changed = 0
    with transaction.atomic():
        for page in pages.exclude(is_published=is_published):
            page.is_published = is_published
            page.save(update_fields=["is_published", "updated_at"])
            changed += 1
    return changed


def site_update_from_settings(**kwargs) -> None:
    """Point the sites framework's Site row at PORTAL_SITE_URL (run after every migrate).

    The portal writes its absolute URLs from ``settings.SITE_URL`` alone; this keeps the
    parts of Django that still read the Site row (the admin's "view on site") on the same
    address instead of the domain a migration once stored.
    """
    from django.contrib.sites.models import Site

    parts = urlsplit(settings.SITE_URL)
    Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": parts.netloc + parts.path.rstrip("/"), "name": settings.SITE_NAME},
    )
    Site.objects.clear_cache()
