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

// Numbers as the page's language writes them: "5.279,5" in Vietnamese, "5,279.5" in English.
export function formatNumber(value, digits = 2, {fixed = false} = {}) {
  const lang = (document.documentElement.lang || 'vi').toLowerCase().startsWith('en') ? 'en-GB' : 'vi-VN';
  const number = Number(value);
  if (value === null || value === undefined || value === '' || !Number.isFinite(number)) {
    return value === null || value === undefined ? '' : String(value);
  }
  return new Intl.NumberFormat(lang, {maximumFractionDigits: digits, minimumFractionDigits: fixed ? digits : 0})
    .format(number);
}
