"""Messages of Django REST framework and of Django's model fields that reach users of the API,
the OGC services and imports, but that their own Vietnamese catalogues lack (DRF's has 21 of its
~120 messages): "Authentication credentials were not provided.", "“abc” value must be an
integer." … stayed English inside Vietnamese answers.

Their Vietnamese is in ``locale/vi/LC_MESSAGES/django.po``, which comes first (LOCALE_PATHS). This
module is never imported: it only names the msgids so that ``makemessages`` keeps those entries
instead of marking them obsolete. DRF's placeholders are ``{name}`` (``str.format``), Django's
``%(name)s``.
"""

from django.utils.translation import gettext_noop

DJANGO_REST_FRAMEWORK = (
    gettext_noop("Authentication credentials were not provided."),
    gettext_noop("Incorrect authentication credentials."),
    gettext_noop("Invalid token."),
    gettext_noop("A server error occurred."),
    gettext_noop("Malformed request."),
    gettext_noop("Invalid input."),
    gettext_noop("Request was throttled."),
    gettext_noop("Could not satisfy the request Accept header."),
    gettext_noop('Unsupported media type "{media_type}" in request.'),
    gettext_noop("Invalid page."),
    gettext_noop("This field may not be null."),
    gettext_noop("This list may not be empty."),
    gettext_noop("This dictionary may not be empty."),
    gettext_noop("This selection may not be empty."),
    gettext_noop('"{input}" is not a valid choice.'),
    gettext_noop("Not a valid string."),
    gettext_noop("String value too large."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("A valid integer is required."),
    gettext_noop("A valid number is required."),
    gettext_noop("Ensure this value is less than or equal to {max_value}."),
    gettext_noop("Ensure this value is greater than or equal to {min_value}."),
    gettext_noop("Ensure that there are no more than {max_digits} digits in total."),
    gettext_noop("Ensure that there are no more than {max_decimal_places} decimal places."),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop("Ensure this field has at least {min_length} characters."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Datetime has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Expected a datetime but got a date."),
    gettext_noop("Expected a date but got a datetime."),
    gettext_noop("Datetime value out of range."),
    gettext_noop("Time has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Duration has wrong format. Use one of these formats instead: {format}."),
    gettext_noop('Expected a list of items but got type "{input_type}".'),
    gettext_noop('Expected a dictionary of items but got type "{input_type}".'),
    gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
    gettext_noop("The submitted data was not a file. Check the encoding type on the form."),
    gettext_noop("No filename could be determined."),
    gettext_noop("Ensure this filename has at most {max_length} characters (it has {length})."),
    gettext_noop('Invalid pk "{pk_value}" - object does not exist.'),
    gettext_noop("Incorrect type. Expected pk value, received {data_type}."),
    gettext_noop("Object with {slug_name}={value} does not exist."),
    gettext_noop("Invalid value."),
    gettext_noop("This field must be unique."),
    gettext_noop("The fields {field_names} must make a unique set."),
    gettext_noop("This value does not match the required pattern."),
    gettext_noop(
        "Ensure that there are no more than {max_whole_digits} digits before the decimal point."
    ),
)

DJANGO_MODEL_FIELDS = (
    gettext_noop("“%(value)s” value must be either True or False."),
    gettext_noop("“%(value)s” value must be either True, False, or None."),
    gettext_noop("“%(value)s” value must be either None, True or False."),
    gettext_noop("“%(value)s” value has an invalid date format. It must be in YYYY-MM-DD format."),
    gettext_noop(
        "“%(value)s” value has the correct format (YYYY-MM-DD) but it is an invalid date."
    ),
    gettext_noop(
        "“%(value)s” value has an invalid format. It must be in YYYY-MM-DD "
        "HH:MM[:ss[.uuuuuu]][TZ] format."
    ),
    gettext_noop(
        "“%(value)s” value has the correct format "
        "(YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ]) but it is an invalid date/time."
    ),
    gettext_noop("“%(value)s” value must be a decimal number."),
    gettext_noop("“%(value)s” value must be a float."),
    gettext_noop("“%(value)s” value must be an integer."),
    gettext_noop("Null characters are not allowed."),
)
