// Values as people read them: labels for codes, unit names for unit codes, local numbers and dates.
import {gettext} from './i18n.js';

export class Formatter {
  constructor(config) {
    this.lang = config.lang;
    this.locale = config.lang === 'vi' ? 'vi-VN' : 'en-GB';
    this.fields = config.fields || {};
    this.unitNames = config.unitNames || {};
    this.areaNames = {};
    this.number = new Intl.NumberFormat(this.locale, {maximumFractionDigits: 2});
    this.date = new Intl.DateTimeFormat(this.locale, {day: '2-digit', month: '2-digit', year: 'numeric'});
  }

  fieldsOf(layer) {
    return this.fields[layer] || [];
  }

  field(layer, name) {
    return this.fieldsOf(layer).find((f) => f.name === name);
  }

  label(layer, name) {
    const field = this.field(layer, name);
    return field ? field.label : name;
  }

  choice(layer, name, value) {
    const field = this.field(layer, name);
    return (field && field.choices && field.choices[value]) || value;
  }

  value(layer, field, value) {
    if (value === null || value === undefined || value === '') {
      return null;
    }
    if (field.choices && Object.prototype.hasOwnProperty.call(field.choices, value)) {
      return field.choices[value];
    }
    if (field.relation === 'planning.AdminUnit') {
      return this.unitNames[value] ? `${this.unitNames[value]} (${value})` : String(value);
    }
    if (field.relation === 'planning.IndustrialArea') {
      return this.areaNames[value] || String(value);
    }
    if (typeof value === 'boolean') {
      return value ? gettext('Yes') : gettext('No');
    }
    if (typeof value === 'number') {
      return this.number.format(value);
    }
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
      const [y, m, d] = value.split('-').map(Number);
      return this.date.format(new Date(y, m - 1, d));
    }
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
      return this.date.format(new Date(value));
    }
    return String(value);
  }

  // A <table> of a feature's published attributes, in the catalogue's order; empty values skipped.
  table(layer, properties, {skip = []} = {}) {
    const table = document.createElement('table');
    table.className = 'kcn-attrs';
    const body = document.createElement('tbody');
    for (const field of this.fieldsOf(layer)) {
      if (skip.includes(field.name)) {
        continue;
      }
      const text = this.value(layer, field, properties[field.name]);
      if (text === null) {
        continue;
      }
      const row = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = field.label;
      const td = document.createElement('td');
      td.textContent = text;
      row.append(th, td);
      body.append(row);
    }
    table.append(body);
    return table;
  }
}

export function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) {
    el.className = className;
  }
  if (text !== undefined && text !== null) {
    el.textContent = text;
  }
  return el;
}
