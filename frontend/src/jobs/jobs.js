// The "Jobs" tab of the map page: start analyses, upload files into layers, and follow both.
//
// Jobs live on the server (AnalysisRun, ImportJob): the list is rebuilt from GET /api/v1/jobs/
// on every page load and polled every ~1.5 s while any job is queued or running, so a reload in
// the middle of a run shows the same progress continuing.
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import GeoJSON from 'ol/format/GeoJSON';
import {Fill, Stroke, Style} from 'ol/style';
import {isEmpty} from 'ol/extent';

import {formatNumber, gettext, interpolate} from '../map/i18n.js';
import './jobs.css';

const POLL_MS = 1500;
const ACTIVE = new Set(['queued', 'running']);

// Status labels (the API also gives the stored Vietnamese ones; these follow the page language).
const STATUS = {
  queued: () => gettext('Queued'),
  running: () => gettext('Running'),
  done: () => gettext('Done'),
  failed: () => gettext('Failed'),
};

const ANALYSIS_TITLES = {
  'site-suggestion': () => gettext('Site suggestion for new parks and clusters'),
  'efficiency': () => gettext('Land-use efficiency'),
  'infrastructure-gaps': () => gettext('Infrastructure to the fence'),
  'labour-catchment': () => gettext('Labour catchment'),
  'targets': () => gettext('Targets and watch list'),
  'eco-readiness': () => gettext('Eco-industrial readiness'),
  'plan-vs-actual': () => gettext('Plan versus actual'),
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (key === 'class') {
      node.className = value;
    } else if (key.startsWith('data-') || key.startsWith('aria-') || key === 'role') {
      node.setAttribute(key, value === true ? '' : String(value));
    } else {
      node[key] = value;
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

function csrfToken(form) {
  const input = (form && form.querySelector('[name=csrfmiddlewaretoken]')) ||
    document.querySelector('[name=csrfmiddlewaretoken]');
  return input ? input.value : '';
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) {
      return body.error.message;
    }
  } catch (e) {
    // not JSON: fall through
  }
  return interpolate(gettext('The server answered %(status)s.'), {status: response.status});
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) {
    return '';
  }
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return interpolate(gettext('%(s)s s'), {s});
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return interpolate(gettext('%(m)s min %(s)s s'), {m, s: s % 60});
  }
  return interpolate(gettext('%(h)s h %(m)s min'), {h: Math.floor(m / 60), m: m % 60});
}

function durationOf(job) {
  if (job.duration_s !== null && job.duration_s !== undefined) {
    return job.duration_s;
  }
  if (job.started_at) {
    return (Date.now() - Date.parse(job.started_at)) / 1000;
  }
  return null;
}

export class Jobs {
  constructor({map, layers, panel, lang}) {
    this.map = map;
    this.layers = layers || {};
    this.panel = panel;
    this.lang = lang || 'vi';
    this.urls = {
      jobs: panel.dataset.jobsUrl,
      imports: panel.dataset.importsUrl,
      analyses: panel.dataset.analysesUrl,
    };
    this.list = panel.querySelector('#kcn-job-list');
    this.empty = panel.querySelector('#kcn-jobs-empty');
    this.badge = document.getElementById('kcn-jobs-active');
    this.timer = null;
    this.loading = null;
    this.jobs = [];
    this.highlight = null;
    this.setupAnalysisForm(panel.querySelector('#kcn-analysis-form'));
    this.setupImportForm(panel.querySelector('#kcn-import-form'));
    this.refresh();
  }

  // ---- the list ------------------------------------------------------------------------------
  async refresh() {
    if (this.loading) {
      return this.loading;
    }
    this.loading = (async () => {
      try {
        const response = await fetch(`${this.urls.jobs}?limit=20`, {headers: {Accept: 'application/json'},
          credentials: 'same-origin'});
        if (!response.ok) {
          throw new Error(await errorMessage(response));
        }
        const body = await response.json();
        this.jobs = body.jobs;
        this.render();
        this.schedule(body.active > 0);
      } catch (e) {
        this.panel.dataset.jobsError = String(e.message || e);
        this.schedule(true);
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  schedule(active) {
    clearTimeout(this.timer);
    this.timer = null;
    this.panel.dataset.polling = active ? 'true' : 'false';
    if (active) {
      this.timer = setTimeout(() => this.refresh(), POLL_MS);
    }
  }

  render() {
    const active = this.jobs.filter((j) => ACTIVE.has(j.status)).length;
    this.panel.dataset.jobs = String(this.jobs.length);
    this.panel.dataset.active = String(active);
    this.empty.hidden = this.jobs.length > 0;
    if (this.badge) {
      this.badge.hidden = active === 0;
      this.badge.textContent = active ? ` (${active})` : '';
    }
    const seen = new Set();
    let previous = null;
    for (const job of this.jobs) {
      const key = `${job.type}-${job.id}`;
      seen.add(key);
      let item = this.list.querySelector(`[data-job="${key}"]`);
      const html = this.item(job, key);
      if (item) {
        item.replaceWith(html);
      } else if (previous) {
        previous.after(html);
      } else {
        this.list.prepend(html);
      }
      item = html;
      previous = item;
    }
    for (const item of [...this.list.children]) {
      if (!seen.has(item.dataset.job)) {
        item.remove();
      }
    }
  }

  title(job) {
    if (job.type === 'import') {
      return interpolate(gettext('Import %(file)s into %(layer)s'), {file: job.file_name, layer: this.layerTitle(job.layer)});
    }
    const title = ANALYSIS_TITLES[job.analysis] ? ANALYSIS_TITLES[job.analysis]() : job.title || job.analysis;
    const parts = [title];
    if (job.admin_unit) {
      parts.push(job.admin_unit.name);
    }
    if (job.analysis === 'site-suggestion' && job.params && job.params.kind) {
      parts.push(job.params.kind);
    }
    return parts.join(' · ');
  }

  layerTitle(name) {
    const option = document.querySelector(`#kcn-import-layer option[value="${name}"]`);
    return option ? option.textContent : name;
  }

  item(job, key) {
    const active = ACTIVE.has(job.status);
    const status = STATUS[job.status] ? STATUS[job.status]() : job.status;
    const bar = el('progress', {class: 'kcn-job-progress', max: 100, value: job.progress,
      'aria-label': gettext('Progress')});
    const duration = formatDuration(durationOf(job));
    const head = el('div', {class: 'kcn-job-head'},
      el('span', {class: 'kcn-job-title'}, `#${job.id} ${this.title(job)}`),
      el('span', {class: `kcn-job-status kcn-job-${job.status}`}, status));
    const meta = el('div', {class: 'kcn-job-meta'},
      el('span', {class: 'kcn-job-pct'}, `${job.progress}%`),
      job.progress_message ? el('span', {class: 'kcn-job-message'}, job.progress_message) : null,
      duration ? el('span', {class: 'kcn-job-duration'}, duration) : null);
    const li = el('li', {class: 'kcn-job', 'data-job': key, 'data-status': job.status, 'data-type': job.type,
      'data-progress': job.progress}, head, active || job.status === 'done' ? bar : null, meta);
    if (job.status === 'failed') {
      li.append(this.failure(job));
    } else if (job.status === 'done') {
      li.append(this.outcome(job));
    }
    return li;
  }

  failure(job) {
    const box = el('div', {class: 'kcn-job-error', role: 'alert'});
    const rows = (job.errors || []).filter((e) => e.row !== null && e.row !== undefined);
    if (job.type === 'import' && rows.length) {
      box.append(el('p', {}, gettext('Nothing was imported. Rows at fault:')));
      const list = el('ul', {class: 'kcn-job-rows'});
      for (const e of rows.slice(0, 20)) {
        list.append(el('li', {}, interpolate(gettext('Row %(row)s: %(reason)s'), {row: e.row, reason: e.reason})));
      }
      if (rows.length > 20) {
        list.append(el('li', {}, interpolate(gettext('… and %(n)s more'), {n: rows.length - 20})));
      }
      box.append(list);
    } else {
      box.append(el('p', {}, job.error || gettext('The job failed.')));
    }
    return box;
  }

  outcome(job) {
    const box = el('div', {class: 'kcn-job-result'});
    if (job.type === 'import') {
      box.append(el('p', {class: 'kcn-job-counts'}, interpolate(
        gettext('%(n)s features: %(created)s created, %(updated)s updated, %(deleted)s deleted'),
        {n: formatNumber(job.features, 0), created: formatNumber(job.created, 0), updated: formatNumber(job.updated, 0),
          deleted: formatNumber(job.deleted, 0)})));
      if (this.layers[job.layer]) {
        box.append(el('button', {type: 'button', class: 'kcn-link kcn-job-show-layer',
          onclick: () => {
            const layer = this.layers[job.layer];
            layer.setVisible(true);
            // Draw the imported features, not the page-load copy (a layer may bring its own
            // refresh: the parks reload their vector tiles and their GeoJSON index).
            (layer.get('refresh') || (() => layer.getSource()?.refresh()))();
          }}, gettext('Show the layer')));
      }
      return box;
    }
    const results = job.results || {};
    const links = job.links || {};
    for (const note of results.notes || []) { // e.g. a merged province analysed on a predecessor's rasters
      box.append(el('p', {class: 'kcn-job-note'}, note));
    }
    if (job.analysis === 'site-suggestion') {
      box.append(el('p', {class: 'kcn-job-counts'},
        interpolate(gettext('%(n)s sites suggested'), {n: formatNumber(results.count ?? 0, 0)})));
      const actions = el('div', {class: 'kcn-job-links'});
      actions.append(el('button', {type: 'button', class: 'kcn-job-show', 'data-run': job.id,
        onclick: () => this.showSites(job)}, gettext('Show on the map')));
      if (links.sites) {
        actions.append(el('a', {href: links.sites, download: `sites-${job.id}.geojson`}, 'GeoJSON'));
      }
      for (const fmt of ['csv', 'xlsx', 'gpkg']) {
        if (links[`sites_${fmt}`]) {
          actions.append(el('a', {href: links[`sites_${fmt}`], class: `kcn-job-export-${fmt}`}, fmt.toUpperCase()));
        }
      }
      box.append(actions);
    } else {
      const actions = el('div', {class: 'kcn-job-links'});
      for (const [name, href] of Object.entries(links)) {
        actions.append(el('a', {href, class: `kcn-job-export-${name}`}, name.toUpperCase()));
      }
      actions.append(el('a', {href: job.url, target: '_blank', rel: 'noopener'}, gettext('Results (JSON)')));
      if (job.analysis === 'infrastructure-gaps' && this.layers.infrastructure_connectors) {
        actions.append(el('button', {type: 'button', class: 'kcn-link',
          onclick: () => {
            this.layers.infrastructure_connectors.setVisible(true);
            this.layers.infrastructure_connectors.getSource()?.refresh(); // tiles made after the run
          }}, gettext('Show on the map')));
      }
      box.append(actions);
    }
    return box;
  }

  // ---- results on the map ----------------------------------------------------------------------
  async showSites(job) {
    const layer = this.layers.suggested_sites;
    if (layer) {
      layer.setVisible(true);
      layer.getSource()?.refresh(); // the run's sites, not tiles fetched before it (vector tiles)
    }
    const response = await fetch(job.links.sites, {headers: {Accept: 'application/geo+json'}, credentials: 'same-origin'});
    if (!response.ok) {
      this.panel.dataset.jobsError = await errorMessage(response);
      return;
    }
    const data = await response.json();
    const features = new GeoJSON().readFeatures(data, {dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857'});
    if (!this.highlight) {
      this.highlight = new VectorLayer({
        source: new VectorSource(),
        zIndex: 900,
        style: new Style({stroke: new Stroke({color: '#d6336c', width: 3}), fill: new Fill({color: 'rgba(214, 51, 108, .12)'})}),
        properties: {name: 'job_sites', title: gettext('Sites of the selected run')},
      });
      this.map.addLayer(this.highlight);
    }
    const source = this.highlight.getSource();
    source.clear();
    source.addFeatures(features);
    this.panel.dataset.shownRun = String(job.id);
    this.panel.dataset.shownSites = String(features.length);
    const extent = source.getExtent();
    if (!isEmpty(extent)) {
      this.map.getView().fit(extent, {padding: [60, 60, 60, 60], maxZoom: 15, duration: 300});
    }
  }

  // ---- forms -----------------------------------------------------------------------------------
  setupAnalysisForm(form) {
    if (!form) {
      return;
    }
    const name = form.querySelector('[name=analysis]');
    const siteFields = form.querySelector('[data-for="site-suggestion"]');
    const sync = () => {
      siteFields.hidden = name.value !== 'site-suggestion';
    };
    name.addEventListener('change', sync);
    sync();
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const status = form.querySelector('.kcn-form-status');
      const data = new FormData(form);
      const analysis = data.get('analysis');
      const body = {};
      const province = data.get('province');
      if (province) {
        body.province = province;
      }
      if (analysis === 'site-suggestion') {
        if (!province) {
          status.textContent = gettext('Choose a province for the site suggestion.');
          status.dataset.state = 'error';
          return;
        }
        body.kind = data.get('kind') || 'CCN';
        for (const key of ['corridor_m', 'max_count']) {
          const value = data.get(key);
          if (value !== null && value !== '') {
            body[key] = Number(value);
          }
        }
        const roadClasses = data.getAll('road_classes');
        if (!roadClasses.length) {
          status.textContent = gettext('Choose at least one road class.');
          status.dataset.state = 'error';
          return;
        }
        body.road_classes = roadClasses;
      }
      await this.submit(form, `${this.urls.analyses}${analysis}/`, {
        method: 'POST',
        headers: {'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrfToken(form)},
        body: JSON.stringify(body),
      }, gettext('Analysis started.'));
    });
  }

  setupImportForm(form) {
    if (!form) {
      return;
    }
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const status = form.querySelector('.kcn-form-status');
      const input = form.querySelector('[name=file]');
      const file = input.files && input.files[0];
      if (!file) {
        status.textContent = gettext('Choose a file to import.');
        status.dataset.state = 'error';
        return;
      }
      const maxMb = Number(input.dataset.maxMb || 0);
      if (maxMb && file.size > maxMb * 1024 * 1024) {
        status.textContent = interpolate(gettext('The file is larger than %(mb)s MB.'), {mb: maxMb});
        status.dataset.state = 'error';
        return;
      }
      const data = new FormData(form);
      data.delete('csrfmiddlewaretoken');
      const ok = await this.submit(form, this.urls.imports, {
        method: 'POST',
        headers: {Accept: 'application/json', 'X-CSRFToken': csrfToken(form)},
        body: data,
      }, gettext('File uploaded; the import runs in the background.'));
      if (ok) {
        input.value = '';
      }
    });
  }

  async submit(form, url, options, done) {
    const status = form.querySelector('.kcn-form-status');
    const button = form.querySelector('[type=submit]');
    button.disabled = true;
    status.textContent = gettext('Sending…');
    status.dataset.state = 'busy';
    try {
      const response = await fetch(url, {...options, credentials: 'same-origin'});
      if (!response.ok) {
        status.textContent = await errorMessage(response);
        status.dataset.state = 'error';
        return false;
      }
      status.textContent = done;
      status.dataset.state = 'ok';
      await this.refresh();
      return true;
    } catch (e) {
      status.textContent = interpolate(gettext('Could not reach the server: %(error)s'), {error: e.message || e});
      status.dataset.state = 'error';
      return false;
    } finally {
      button.disabled = false;
    }
  }
}

export function setupJobs(map, layers, config) {
  const panel = document.getElementById('kcn-tab-panel-jobs');
  if (!panel) {
    return null;
  }
  return new Jobs({map, layers, panel, lang: config && config.lang});
}
