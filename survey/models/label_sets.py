"""Reusable answer lists (“label sets”: an agreement scale, the seven municipalities, age
groups) that a new question starts from instead of typing its options again."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LabelSet(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("answer list")
        verbose_name_plural = _("answer lists")
        ordering = ["name"]

    def __str__(self):
        return self.name


class LabelSetItem(models.Model):
    """One entry of an answer list: its label and the code it gets as an option."""

    label_set = models.ForeignKey(
        LabelSet, verbose_name=_("answer list"), on_delete=models.CASCADE, related_name="items"
    )
    label = models.CharField(_("label"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    value = models.IntegerField(_("code value"))

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["label_set_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["label_set", "value"], name="labelsetitem_value_unique")
        ]

    def __str__(self):
        return self.label
