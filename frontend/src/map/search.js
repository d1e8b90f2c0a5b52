// Name search in the header: parks and clusters, roads, administrative units, with or without
// diacritics ("nhon hoa" finds "Nhơn Hòa"); choosing a result zooms to it.
import {transformExtent} from 'ol/proj';
import {gettext} from './i18n.js';
import {element} from './format.js';

export class Search {
  constructor(map, config, {areas, popup}) {
    this.map = map;
    this.config = config;
    this.areas = areas;
    this.popup = popup;
    this.form = document.getElementById('kcn-search');
    if (!this.form) {
      return;
    }
    this.input = this.form.querySelector('input[type=search]');
    this.list = this.form.querySelector('.kcn-search-results');
    this.status = this.form.querySelector('.kcn-search-status');
    this.results = [];
    this.active = -1;
    this.timer = null;
    this.seq = 0;
    this.input.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(), 180);
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearTimeout(this.timer);
      if (!this.results.length || this.lastQuery !== this.input.value.trim()) {
        await this.run();
      }
      if (this.results.length) {
        this.choose(this.results[Math.max(this.active, 0)]);
      }
    });
    document.addEventListener('click', (e) => {
      if (!this.form.contains(e.target)) {
        this.hide();
      }
    });
  }

  async run() {
    const q = this.input.value.trim();
    this.lastQuery = q;
    const seq = ++this.seq;
    if (!q) {
      this.render([]);
      return;
    }
    const response = await fetch(`${this.config.urls.search}?${new URLSearchParams({q})}`, {credentials: 'same-origin'});
    const data = response.ok ? await response.json() : {results: []};
    if (seq === this.seq) {
      this.render(data.results);
    }
  }

  render(results) {
    this.results = results;
    this.active = -1;
    this.list.replaceChildren(...results.map((r, i) => {
      const li = element('li', `kcn-search-result kcn-search-${r.type}`);
      li.setAttribute('role', 'option');
      li.id = `kcn-search-option-${i}`;
      li.dataset.fid = r.fid;
      li.append(element('span', 'kcn-search-name', r.name), element('span', 'kcn-search-detail', r.detail));
      li.addEventListener('mousedown', (e) => e.preventDefault()); // keep focus in the input
      li.addEventListener('click', () => this.choose(r));
      return li;
    }));
    const q = this.input.value.trim();
    this.status.textContent = q && !results.length ? gettext('No matching names') : '';
    this.list.hidden = !results.length;
    this.input.setAttribute('aria-expanded', results.length ? 'true' : 'false');
  }

  hide() {
    this.list.hidden = true;
    this.status.textContent = '';
    this.input.setAttribute('aria-expanded', 'false');
  }

  onKey(e) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!this.results.length) {
        return;
      }
      e.preventDefault();
      const n = this.results.length;
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : -1) + n) % n;
      [...this.list.children].forEach((li, i) => li.setAttribute('aria-selected', i === this.active ? 'true' : 'false'));
      this.input.setAttribute('aria-activedescendant', `kcn-search-option-${this.active}`);
    } else if (e.key === 'Escape') {
      this.hide();
    }
  }

  choose(result) {
    this.hide();
    this.input.value = result.name;
    const view = this.map.getView();
    const extent = transformExtent(result.bbox, 'EPSG:4326', view.getProjection());
    const maxZoom = result.type === 'unit' ? 13 : 15;
    view.fit(extent, {padding: [60, 60, 60, 60], maxZoom, duration: 500, callback: () => {
      if (result.layer === 'industrial_areas' && this.areas) {
        const feature = this.areas.source.getFeatureById(result.fid);
        if (feature) {
          this.popup.showArea(feature);
        }
      }
    }});
    this.map.getTargetElement().dataset.searchResult = result.fid;
  }
}
