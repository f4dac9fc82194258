from __future__ import annotations

from textual import events

from ..messages import CardNumberPressed, TypedElsewhere


def redirect_key(widget, event: events.Key, turn_id: int | None = None, digits: bool = True) -> bool:
    """Printable keys typed outside the question box belong in it: never a card action. Digits 1-9 open
    a card (of ``turn_id``, or of the answer on screen) when ``digits`` — pass False once typing has begun
    (keys typed fast arrive before the focus has moved to the box). Returns True when the key was text."""
    if not event.is_printable or not event.character:
        return False
    event.stop()
    event.prevent_default()
    if digits and event.character in "123456789":
        widget.post_message(CardNumberPressed(int(event.character), turn_id))
        return False
    widget.post_message(TypedElsewhere(event.character))
    return True


def redirect_paste(widget, event: events.Paste) -> None:
    event.stop()
    event.prevent_default()
    if event.text:
        widget.post_message(TypedElsewhere(event.text))
