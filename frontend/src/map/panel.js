// The side panel: tabs (layers, filters — dashboards and proposals can add theirs), the layer
// switcher and the filters of the parks and clusters. The markup is rendered by Django; this
// only wires it to the map.
import {gettext, interpolate} from './i18n.js';
import {element} from './format.js';

export function setupTabs(root, onChange) {
  const tabs = [...root.querySelectorAll('[role=tab][data-tab]')];
  const select = (tab) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', on ? 'true' : 'false');
      t.tabIndex = on ? 0 : -1;
      const panel = root.querySelector(`[data-tab-panel="${t.dataset.tab}"]`);
      if (panel) {
        panel.hidden = !on;
      }
    }
    onChange && onChange(tab.dataset.tab);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
        next.focus();
        select(next);
      }
    });
  });
}

export function setupPanelToggle(map) {
  const button = document.getElementById('kcn-panel-toggle');
  if (!button) {
    return;
  }
  button.addEventListener('click', () => {
    const open = !document.body.classList.contains('kcn-panel-open');
    document.body.classList.toggle('kcn-panel-open', open);
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    setTimeout(() => map.updateSize(), 260);
  });
}

export function setupLayerSwitcher(layersByName) {
  for (const input of document.querySelectorAll('[data-layer-toggle]')) {
    const layer = layersByName[input.dataset.layerToggle];
    if (!layer) {
      continue;
    }
    input.checked = layer.getVisible();
    input.addEventListener('change', () => layer.setVisible(input.checked));
    layer.on('change:visible', () => {
      input.checked = layer.getVisible();
      input.closest('.kcn-layer')?.classList.toggle('kcn-layer-off', !layer.getVisible());
    });
    input.closest('.kcn-layer')?.classList.toggle('kcn-layer-off', !layer.getVisible());
  }
}

function periodText(period) {
  const [start, end] = period;
  return end ? `${start}–${end}` : interpolate(gettext('since %(year)s'), {year: start});
}

// Filters of the parks and clusters: kind, status, province / unit, year of establishment.
export class AreaFilters {
  constructor(map, config, areas, popup) {
    this.map = map;
    this.areas = areas;
    this.popup = popup;
    this.form = document.getElementById('kcn-area-filters');
    if (!this.form || !areas) {
      return;
    }
    this.options = config.areaFilter.units;
    this.unitAreas = new Map();
    for (const u of [...this.options.provinces, ...this.options.units]) {
      this.unitAreas.set(String(u.id), new Set(u.areas));
    }
    this.province = this.form.querySelector('[name=province]');
    this.unit = this.form.querySelector('[name=unit]');
    this.year = this.form.querySelector('[name=year]');
    this.yearOut = this.form.querySelector('.kcn-year-value');
    this.count = document.getElementById('kcn-area-count');
    this.list = document.getElementById('kcn-area-list');
    this.maxYear = Number(this.year.max);
    this.form.addEventListener('input', (e) => this.onInput(e));
    this.form.addEventListener('change', (e) => this.onInput(e));
    this.form.addEventListener('submit', (e) => e.preventDefault());
    this.form.addEventListener('reset', () => setTimeout(() => {
      this.fillUnits();
      this.apply();
    }));
    this.fillUnits();
    areas.layer.on('kcn:loaded', () => this.apply());
    if (areas.loaded) {
      this.apply();
    }
  }

  fillUnits() {
    const province = this.province.value;
    const current = this.unit.value;
    const all = element('option', null, gettext('All units'));
    all.value = '';
    const groups = {now: [], before: []};
    for (const u of this.options.units) {
      if (province && !u.province.includes(Number(province))) {
        continue;
      }
      const option = element('option', null, `${u.name} (${periodText(u.period)})`);
      option.value = String(u.id);
      (u.period[1] ? groups.before : groups.now).push(option);
    }
    const children = [all];
    if (groups.now.length) {
      const g = element('optgroup');
      g.label = gettext('Current units');
      g.append(...groups.now);
      children.push(g);
    }
    if (groups.before.length) {
      const g = element('optgroup');
      g.label = gettext('Before 1 July 2025');
      g.append(...groups.before);
      children.push(g);
    }
    this.unit.replaceChildren(...children);
    this.unit.value = [...this.unit.options].some((o) => o.value === current) ? current : '';
  }

  onInput(e) {
    if (e.target === this.province) {
      this.fillUnits();
    }
    const zoom = e.type === 'change' && (e.target === this.province || e.target === this.unit);
    this.apply({zoom});
  }

  state() {
    const data = new FormData(this.form);
    return {
      kinds: new Set(data.getAll('kind')),
      statuses: new Set(data.getAll('status')),
      unit: this.unit.value || this.province.value || '',
      year: Number(this.year.value),
    };
  }

  apply({zoom = false} = {}) {
    const s = this.state();
    const unitSet = s.unit ? this.unitAreas.get(s.unit) || new Set() : null;
    const allYears = s.year >= this.maxYear;
    const pass = (f) => {
      if (!s.kinds.has(f.get('kind')) || !s.statuses.has(f.get('status'))) {
        return false;
      }
      if (unitSet && !unitSet.has(f.get('code'))) {
        return false;
      }
      if (!allYears) {
        const established = f.get('established_on');
        if (!established || Number(established.slice(0, 4)) > s.year) {
          return false;
        }
      }
      return true;
    };
    const everything = s.kinds.size === this.form.querySelectorAll('[name=kind]').length
      && s.statuses.size === this.form.querySelectorAll('[name=status]').length && !unitSet && allYears;
    this.areas.setFilter(everything ? null : pass);
    this.yearOut.textContent = allYears
      ? interpolate(gettext('%(year)s (today, including areas not yet established)'), {year: s.year})
      : interpolate(gettext('established by the end of %(year)s'), {year: s.year});
    const shown = this.areas.visibleFeatures();
    const total = this.areas.features().length;
    this.count.textContent = interpolate(gettext('Showing %(shown)s of %(total)s parks and clusters'), {shown: shown.length, total});
    this.count.dataset.shown = String(shown.length);
    this.renderList(shown);
    if (zoom && shown.length) {
      const extent = this.areas.extentOf(shown);
      extent && this.map.getView().fit(extent, {padding: [60, 60, 60, 60], maxZoom: 14, duration: 400});
    }
  }

  renderList(features) {
    const sorted = features.slice().sort((a, b) => String(a.get('name')).localeCompare(String(b.get('name')), 'vi'));
    this.list.replaceChildren(...sorted.map((f) => {
      const li = element('li');
      const button = element('button', 'kcn-area-link', f.get('name'));
      button.type = 'button';
      button.dataset.fid = f.getId();
      button.addEventListener('click', () => {
        const extent = f.getGeometry().getExtent();
        this.map.getView().fit(extent, {padding: [80, 80, 80, 80], maxZoom: 15, duration: 400,
          callback: () => this.popup.showArea(f)});
        if (window.matchMedia('(max-width: 900px)').matches) {
          document.body.classList.remove('kcn-panel-open');
        }
      });
      li.append(button);
      return li;
    }));
  }
}
