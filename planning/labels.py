"""Field and value labels of the published layers, in the active language.

One mechanism: the labels are the models' own ``verbose_name`` and choice labels, gettext
message ids in English with the Vietnamese in ``locale/vi``, rendered in the language that is
active (the request's). There is no second table of English labels.
"""

from __future__ import annotations


def capitalised(text: str) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def field_label(field) -> str:
    """The field's ``verbose_name`` in the active language, capitalised."""
    return capitalised(field.verbose_name)


def choice_labels(field) -> dict[str, str]:
    """Value -> label (active language) for a field with choices ({} for a field without)."""
    return {
        str(value): str(label)
        for value, label in (field.choices or [])
        if not isinstance(label, (list, tuple))
    }


def layer_fields(spec) -> list[dict]:
    """The published fields of a catalogue layer, as popups show them (active language)."""
    model = spec.model
    out = []
    for name in spec.fields:
        field = model._meta.get_field(name)
        entry = {"name": name, "label": field_label(field)}
        choices = choice_labels(field)
        if choices:
            entry["choices"] = choices
        if field.is_relation:
            entry["relation"] = field.related_model._meta.label
        else:
            entry["type"] = field.get_internal_type()
        out.append(entry)
    return out
