// Proposal pages: draw or upload a boundary with live rule checks (new/edit), or show one (detail).
// Tiles come from the service itself; the form posts to the REST API (same workflow service).
import 'ol/ol.css';
import './proposals.css';

import Map from 'ol/Map';
import View from 'ol/View';
import TileLayer from 'ol/layer/Tile';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import XYZ from 'ol/source/XYZ';
import GeoJSON from 'ol/format/GeoJSON';
import Draw from 'ol/interaction/Draw';
import Modify from 'ol/interaction/Modify';
import {Fill, Stroke, Style, Circle as CircleStyle} from 'ol/style';
import {ScaleLine, defaults as defaultControls} from 'ol/control';
import {transformExtent} from 'ol/proj';
import {getArea} from 'ol/sphere';

import {formatNumber, gettext, interpolate} from '../map/i18n.js';

const geojson = new GeoJSON({dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857'});
const STYLE = new Style({
  fill: new Fill({color: 'rgba(240, 165, 0, 0.25)'}),
  stroke: new Stroke({color: '#c05600', width: 3}),
  image: new CircleStyle({radius: 5, fill: new Fill({color: '#c05600'})}),
});

function readConfig() {
  return JSON.parse(document.getElementById('kcn-proposal-config').textContent);
}

function csrfToken() {
  const input = document.querySelector('input[name=csrfmiddlewaretoken]');
  if (input) return input.value;
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

function buildMap(config) {
  const layers = config.tiles.map((t) => new TileLayer({
    source: new XYZ({url: t.url, maxZoom: 19, transition: 0}),
    zIndex: t.z,
    properties: {name: t.name},
  }));
  const source = new VectorSource();
  const vector = new VectorLayer({source, style: STYLE, zIndex: 100});
  layers.push(vector);
  const view = new View({center: [0, 0], zoom: 2, maxZoom: 19});
  const map = new Map({
    target: 'kcn-prop-map', layers, view,
    controls: defaultControls().extend([new ScaleLine({units: 'metric'})]),
  });
  const extent = config.extent || [102.0, 8.4, 109.6, 23.4];
  view.fit(transformExtent(extent, 'EPSG:4326', 'EPSG:3857'), {padding: [60, 60, 60, 60], maxZoom: 15});
  if (config.geometry) {
    source.addFeature(geojson.readFeature({type: 'Feature', geometry: config.geometry, properties: {}}));
  }
  return {map, source};
}

async function api(url, options = {}) {
  const headers = {'X-CSRFToken': csrfToken(), Accept: 'application/json', ...(options.headers || {})};
  const response = await fetch(url, {credentials: 'same-origin', ...options, headers});
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    const message = (body && body.error && body.error.message) || `HTTP ${response.status}`;
    const err = new Error(message);
    err.status = response.status;
    err.body = body;
    throw err;
  }
  return body;
}

function ruleItem(rule, lang) {
  const li = document.createElement('li');
  const state = rule.passed === true ? 'pass' : rule.passed === false ? 'fail' : 'unknown';
  li.className = `kcn-rule kcn-rule-${state}`;
  li.dataset.rule = rule.rule;
  const mark = document.createElement('span');
  mark.className = 'kcn-rule-mark';
  mark.setAttribute('aria-hidden', 'true');
  mark.textContent = state === 'pass' ? '✓' : state === 'fail' ? '✗' : '?';
  const text = document.createElement('span');
  text.className = 'kcn-rule-text';
  text.textContent = (lang === 'en' ? rule.message_en : rule.message_vi) || rule.message_vi || rule.rule;
  li.append(mark, text);
  if (rule.citation) {
    const cite = document.createElement('small');
    cite.className = 'kcn-rule-cite';
    cite.textContent = rule.citation;
    li.append(cite);
  }
  return li;
}

function setupForm(config, map, source) {
  const form = document.getElementById('kcn-prop-form');
  const status = document.getElementById('kcn-prop-check-status');
  const list = document.getElementById('kcn-prop-check-list');
  const areaOut = document.getElementById('kcn-prop-area');
  const errorBox = document.getElementById('kcn-prop-error');
  const state = {id: null, timer: null, seq: 0, checks: 0};
  window.kcnProposal.state = state;

  const draw = new Draw({source, type: 'Polygon', style: STYLE});
  const modify = new Modify({source});
  map.addInteraction(modify);
  map.addInteraction(draw);
  const syncDraw = () => draw.setActive(source.getFeatures().length === 0);
  syncDraw();

  function geometry() {
    const f = source.getFeatures()[0];
    return f ? geojson.writeGeometryObject(f.getGeometry(), {decimals: 7}) : null;
  }

  function showError(message) {
    errorBox.textContent = message || '';
    errorBox.hidden = !message;
  }

  // Issue 13 rules: the figures the rules read (craft village, expansion, land use, phases).
  const NUMBERS = ['industrial_land_ha', 'services_land_ha', 'green_land_ha',
    'infrastructure_land_ha', 'isolation_strip_m'];
  const LAND_USE_KEYS = {industrial_land_ha: 'industrial_ha', services_land_ha: 'services_ha',
    green_land_ha: 'green_ha', infrastructure_land_ha: 'infrastructure_ha',
    isolation_strip_m: 'isolation_strip_m'};

  function numberOf(input) {
    const text = input && input.value.trim().replace(',', '.');
    return text ? Number(text) : null;
  }

  function phaseRows() {
    return [...form.querySelectorAll('.kcn-prop-phase-row')]
      .map((row) => ({year: numberOf(row.querySelector('[name=phase_year]')),
        area_ha: numberOf(row.querySelector('[name=phase_area]'))}))
      .filter((ph) => ph.year !== null || ph.area_ha !== null);
  }

  function details() {
    if (!form.is_craft_village) return {};
    const out = {
      is_craft_village: form.is_craft_village.checked,
      expands: form.expands.value.trim() || null,
      demand_exceeds_existing: form.demand_exceeds_existing.checked,
      demand_statement: form.demand_statement.value,
    };
    NUMBERS.forEach((name) => { out[name] = numberOf(form[name]); });
    // Phases drawn with boundaries (API, admin) are kept: the form edits stated areas only.
    if (form.dataset.phaseBoundaries !== 'true') out.phases = phaseRows();
    return out;
  }

  function checkDetails() {
    if (!form.is_craft_village) return {};
    const d = details();
    const out = {is_craft_village: d.is_craft_village, demand_stated: d.demand_exceeds_existing};
    if (d.expands) out.expands = d.expands;
    const landUse = {};
    NUMBERS.forEach((name) => { if (d[name] !== null) landUse[LAND_USE_KEYS[name]] = d[name]; });
    if (Object.keys(landUse).length) out.land_use = landUse;
    const areas = (d.phases || []).map((ph) => ph.area_ha).filter((ha) => ha !== null);
    if (areas.length) out.phase_areas = areas;
    return out;
  }

  async function runCheck() {
    const geom = geometry();
    const f = source.getFeatures()[0];
    areaOut.textContent = f ? interpolate(gettext('Drawn area: about %(ha)s ha'),
      {ha: formatNumber(getArea(f.getGeometry()) / 10000, 1, {fixed: true})}) : '';
    if (!geom) {
      list.replaceChildren();
      status.textContent = gettext('Draw a boundary to see the checks.');
      return;
    }
    const seq = ++state.seq;
    status.textContent = gettext('Checking…');
    form.dataset.checking = 'true';
    try {
      const result = await api(config.urls.check, {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({
          geometry: geom, kind: form.kind.value, admin_unit: form.admin_unit.value, store: false,
          ...checkDetails(),
          ...(form.plan_entry && form.plan_entry.value ? {plan_entry: form.plan_entry.value} : {}),
          needs_plan_amendment: form.needs_plan_amendment ? form.needs_plan_amendment.checked : false,
        }),
      });
      if (seq !== state.seq) return;
      list.replaceChildren(...result.rules.map((r) => ruleItem(r, config.lang)));
      const failed = result.rules.filter((r) => r.passed === false).length;
      status.textContent = failed ?
        interpolate(gettext('%(n)s rule(s) not met. Area %(ha)s ha (VN-2000).'), {n: failed, ha: formatNumber(result.area_ha, 2, {fixed: true})}) :
        interpolate(gettext('All checked rules are met. Area %(ha)s ha (VN-2000).'), {ha: formatNumber(result.area_ha, 2, {fixed: true})});
      state.checks += 1;
      form.dataset.checks = String(state.checks);
    } catch (err) {
      if (seq !== state.seq) return;
      list.replaceChildren();
      status.textContent = interpolate(gettext('The checks could not run: %(error)s'), {error: err.message});
    } finally {
      if (seq === state.seq) form.dataset.checking = 'false';
    }
  }

  function scheduleCheck() {
    clearTimeout(state.timer);
    state.timer = setTimeout(runCheck, 400);
  }

  draw.on('drawend', () => {
    setTimeout(() => { syncDraw(); scheduleCheck(); }, 0);
  });
  modify.on('modifyend', scheduleCheck);
  form.kind.addEventListener('change', scheduleCheck);
  const detailsBox = document.getElementById('kcn-prop-details');
  if (detailsBox) detailsBox.addEventListener('change', scheduleCheck);
  form.admin_unit.addEventListener('change', scheduleCheck);
  if (form.plan_entry) form.plan_entry.addEventListener('change', scheduleCheck);
  if (form.needs_plan_amendment) form.needs_plan_amendment.addEventListener('change', scheduleCheck);

  document.getElementById('kcn-prop-clear').addEventListener('click', () => {
    source.clear();
    syncDraw();
    scheduleCheck();
  });

  document.getElementById('kcn-prop-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    showError('');
    const data = new FormData();
    data.append('file', file);
    status.textContent = gettext('Reading the file…');
    try {
      const result = await api(config.urls.readFile, {method: 'POST', body: data});
      source.clear();
      const feature = geojson.readFeature({type: 'Feature', geometry: result.geometry, properties: {}});
      source.addFeature(feature);
      syncDraw();
      map.getView().fit(feature.getGeometry().getExtent(), {padding: [60, 60, 60, 60], maxZoom: 16});
      scheduleCheck();
    } catch (err) {
      showError(err.message);
      status.textContent = '';
    }
    event.target.value = '';
  });

  if (source.getFeatures().length) {
    map.getView().fit(source.getExtent(), {padding: [60, 60, 60, 60], maxZoom: 16});
    scheduleCheck();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('');
    const intent = event.submitter ? event.submitter.value : 'save';
    const geom = geometry();
    if (!form.name.value.trim()) {
      showError(gettext('Give the proposal a name.'));
      form.name.focus();
      return;
    }
    if (!geom) {
      showError(gettext('Draw the boundary on the map or upload a file.'));
      return;
    }
    const body = {
      name: form.name.value.trim(), kind: form.kind.value, admin_unit: form.admin_unit.value,
      rationale: form.rationale.value, geometry: geom, ...details(),
      // issue 13 plan: establishment condition 1
      plan_entry: form.plan_entry ? form.plan_entry.value : '',
      needs_plan_amendment: form.needs_plan_amendment ? form.needs_plan_amendment.checked : false,
    };
    const buttons = form.querySelectorAll('button[type=submit]');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      let saved;
      const detailApi = state.id ? config.urls.create + state.id + '/' : config.urls.detailApi;
      if (detailApi) {
        saved = await api(detailApi, {
          method: 'PATCH', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
      } else {
        saved = await api(config.urls.create, {
          method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
      }
      state.id = saved.id;
      if (intent === 'submit') {
        await api(config.urls.submitTemplate.replace('/0/', `/${saved.id}/`), {
          method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({comment: ''})});
      }
      window.location.assign(config.urls.pageTemplate.replace('/0/', `/${saved.id}/`));
    } catch (err) {
      showError(state.id ?
        interpolate(gettext('The draft was saved, but: %(error)s'), {error: err.message}) : err.message);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
}

function start() {
  const config = readConfig();
  const {map, source} = buildMap(config);
  window.kcnProposal = {map, source, config};
  if (config.mode === 'new' || config.mode === 'edit') {
    setupForm(config, map, source);
  } else if (source.getFeatures().length) {
    map.getView().fit(source.getExtent(), {padding: [80, 80, 80, 80], maxZoom: 16});
  }
  map.on('rendercomplete', () => {
    map.getTargetElement().dataset.rendered = 'true';
  });
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
