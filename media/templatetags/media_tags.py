from django import template

from media.rendering import render_picture, share_url

register = template.Library()


@register.simple_tag
def media_picture(media, shape="crop", sizes="", lazy=True):
    """A responsive <picture> of a library image (nothing for None or a document)."""
    return render_picture(media, shape=shape, sizes=sizes, lazy=lazy)


@register.filter
def media_share_url(media) -> str:
    return share_url(media) if media is not None else ""
