// Popups: what is under a click, with its public attributes and Vietnamese (or English) labels.
//
// Parks and clusters are already in the browser (vector layer), and so are the layers drawn from
// vector tiles (issue 14 map): their popups read the clicked features' attributes from the tiles,
// with no GetFeatureInfo or WFS round trip. For the raster layers left the popup asks the WFS for features in a few-pixel box around the click (GeoJSON, no geometry): the same
// published fields and access rules as everywhere else, and the codes come back as values the
// page can label (GetFeatureInfo's HTML would show raw codes such as "under_construction").
import Overlay from 'ol/Overlay';
import {gettext, interpolate} from './i18n.js';
import {element} from './format.js';

const TOLERANCE_PX = 6;
const MAX_PER_LAYER = 5;

export class Popup {
  constructor(map, config, formatter, areas, tileLayers) {
    this.map = map;
    this.config = config;
    this.formatter = formatter;
    this.areas = areas;
    this.tileLayers = tileLayers; // [{config, layer}] in drawing order, bottom first
    this.container = document.getElementById('kcn-popup');
    this.body = this.container.querySelector('.kcn-popup-body');
    this.overlay = new Overlay({
      element: this.container,
      autoPan: {animation: {duration: 250}, margin: 40},
      positioning: 'bottom-center',
      offset: [0, -10],
      stopEvent: true,
    });
    map.addOverlay(this.overlay);
    this.container.querySelector('.kcn-popup-close').addEventListener('click', () => this.close());
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        this.close();
      }
    });
    this.request = 0;
    map.on('singleclick', (event) => this.onClick(event));
    map.on('pointermove', (event) => {
      if (event.dragging || !this.areas) {
        return;
      }
      const hit = map.hasFeatureAtPixel(event.pixel, {layerFilter: (l) => l === this.areas.layer, hitTolerance: 3});
      map.getTargetElement().style.cursor = hit ? 'pointer' : '';
    });
  }

  close() {
    this.container.hidden = true;
    this.overlay.setPosition(undefined);
    if (this.areas) {
      this.areas.select(null);
    }
    this.request += 1;
  }

  show(coordinate, content) {
    this.body.replaceChildren(...content);
    this.container.hidden = false;
    this.overlay.setPosition(coordinate);
  }

  // The popup of one park or cluster (also used by search and the filter list).
  showArea(feature, coordinate) {
    this.request += 1;
    this.areas.select(feature.get('code'));
    this.show(coordinate || this.areas.labelPoint(feature).getCoordinates(), [this.areaSection(feature)]);
  }

  areaSection(feature) {
    const props = feature.getProperties();
    const section = element('section', 'kcn-feature kcn-feature-area');
    section.dataset.layer = 'industrial_areas';
    section.dataset.fid = feature.getId();
    section.append(element('h3', 'kcn-feature-title', props.name));
    const kind = this.formatter.choice('industrial_areas', 'kind', props.kind);
    const status = this.formatter.choice('industrial_areas', 'status', props.status);
    section.append(element('p', 'kcn-feature-sub', `${kind} · ${status}`));
    const leasable = Number(props.industrial_land_ha);
    if (leasable > 0 && props.leased_land_ha !== null && props.leased_land_ha !== undefined) {
      const pct = Math.round((100 * Number(props.leased_land_ha)) / leasable);
      section.append(element('p', 'kcn-feature-key', interpolate(gettext('Occupancy: %(pct)s of leasable industrial land'), {pct: `${pct}%`})));
    }
    section.append(this.formatter.table('industrial_areas', props, {skip: ['name']}));
    return section;
  }

  layerSection(layerConfig, features) {
    const section = element('section', 'kcn-feature');
    section.dataset.layer = layerConfig.name;
    section.append(element('h3', 'kcn-feature-layer', layerConfig.title));
    features.forEach((f, i) => {
      const details = element('details', 'kcn-feature-item');
      details.open = i === 0;
      const props = f.properties || {};
      const title = props.name || props.code || props.parcel_no || f.id;
      details.append(element('summary', null, String(title)));
      details.append(this.formatter.table(layerConfig.name, props));
      section.append(details);
    });
    return section;
  }

  async onClick(event) {
    const map = this.map;
    let area = null;
    if (this.areas && this.areas.layer.getVisible()) {
      map.forEachFeatureAtPixel(event.pixel, (feature) => {
        area = area || feature;
      }, {layerFilter: (l) => l === this.areas.layer, hitTolerance: 3});
    }
    const request = ++this.request;
    const resolution = map.getView().getResolution();
    const queried = this.tileLayers.filter(({config, layer}) => config.name !== 'admin_units'
      && layer.getVisible() && resolution <= layer.getMaxResolution() && resolution >= layer.getMinResolution());
    const sections = [];
    if (area) {
      this.areas.select(area.get('code'));
      sections.push(this.areaSection(area));
      this.show(event.coordinate, [...sections, element('p', 'kcn-popup-loading', gettext('Loading…'))]);
    } else {
      this.areas && this.areas.select(null);
      this.show(event.coordinate, [element('p', 'kcn-popup-loading', gettext('Loading…'))]);
    }
    const d = TOLERANCE_PX * resolution;
    const [x, y] = event.coordinate;
    const bbox = [x - d, y - d, x + d, y + d];
    const units = this.tileLayers.find(({config}) => config.name === 'admin_units');
    const [found, unitFeatures] = await Promise.all([
      Promise.all(queried.slice().reverse().map(({config, layer, mvt}) => (mvt
        ? Promise.resolve(this.fromTiles(layer, event.pixel))
        : this.query(config.name, bbox)).then((features) => ({config, features})))),
      units ? this.query('admin_units', bbox, ['name', 'level', 'valid_to'], 50) : Promise.resolve([]),
    ]);
    if (request !== this.request) {
      return; // a newer click, or the popup was closed
    }
    for (const {config, features} of found) {
      if (features.length) {
        sections.push(this.layerSection(config, features));
      }
    }
    const here = unitFeatures.filter((f) => !f.properties.valid_to);
    if (here.length) {
      const order = {province: 0, district: 1, commune: 2};
      here.sort((a, b) => (order[a.properties.level] ?? 9) - (order[b.properties.level] ?? 9));
      const names = here.map((f) => f.properties.name).reverse().join(', ');
      sections.push(element('p', 'kcn-popup-place', names));
    }
    if (!sections.length || (sections.length === 1 && here.length)) {
      sections.unshift(element('p', 'kcn-popup-empty', gettext('Nothing here on the visible layers.')));
    }
    this.show(event.coordinate, sections);
  }

  // The features of a vector tile layer under the pixel, as the WFS would list them ({id,
  // properties}); one per feature id (a shape cut by tile edges is one feature).
  fromTiles(layer, pixel) {
    const seen = new Set();
    const features = [];
    for (const f of this.map.getFeaturesAtPixel(pixel, {layerFilter: (l) => l === layer, hitTolerance: TOLERANCE_PX})) {
      const id = f.getId();
      if (seen.has(id) || features.length >= MAX_PER_LAYER) {
        continue;
      }
      seen.add(id);
      const properties = {...f.getProperties()};
      delete properties.layer;
      features.push({id, properties});
    }
    return features;
  }

  async query(layer, bbox, properties, count = MAX_PER_LAYER) {
    const names = properties || this.formatter.fieldsOf(layer).map((f) => f.name);
    const params = new URLSearchParams({
      SERVICE: 'WFS', VERSION: '2.0.0', REQUEST: 'GetFeature', TYPENAMES: layer,
      OUTPUTFORMAT: 'application/json', COUNT: String(count),
      BBOX: `${bbox.join(',')},urn:ogc:def:crs:EPSG::3857`,
    });
    if (names.length) {
      params.set('PROPERTYNAME', names.join(','));
    }
    try {
      const response = await fetch(`${this.config.urls.wfs}?${params}`, {credentials: 'same-origin'});
      if (!response.ok) {
        return [];
      }
      const data = await response.json();
      return data.features || [];
    } catch (e) {
      return [];
    }
  }
}
