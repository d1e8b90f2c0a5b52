// Strings come from Django's JavaScript catalogue (/jsi18n/?lang=…, loaded before this bundle);
// without it the English source strings show. Call gettext("literal") so makemessages finds them.
export function gettext(text) {
  return typeof window.gettext === 'function' ? window.gettext(text) : text;
}

export function interpolate(format, values) {
  if (typeof window.interpolate === 'function') {
    return window.interpolate(format, values, !Array.isArray(values));
  }
  return format.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));
}
