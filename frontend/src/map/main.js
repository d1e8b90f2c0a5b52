// The map page: OpenLayers over the service's own tiles and WFS. Nothing is loaded from outside
// the service, so the page works offline on a provincial network.
import 'ol/ol.css';
import './map.css';

import Map from 'ol/Map';
import View from 'ol/View';
import TileLayer from 'ol/layer/Tile';
import XYZ from 'ol/source/XYZ';
import {defaults as defaultControls, ScaleLine} from 'ol/control';
import {transformExtent} from 'ol/proj';

import {AreasLayer} from './areas.js';
import {basemapLayer, MvtLayer} from './mvt.js';
import {Formatter} from './format.js';
import {gettext} from './i18n.js';
import {AreaFilters, setupLayerSwitcher, setupPanelToggle, setupTabs} from './panel.js';
import {Popup} from './popup.js';
import {Search} from './search.js';
import {setupJobs} from '../jobs/jobs.js';

function readConfig() {
  const node = document.getElementById('kcn-map-config');
  return JSON.parse(node.textContent);
}

function tileLayer(cfg) {
  const layer = new TileLayer({
    source: new XYZ({
      url: cfg.tile_url,
      maxZoom: 19,
      transition: 150,
      attributions: cfg.name === 'admin_units' ? gettext('Map: KCN Planner (partly illustrative data)') : undefined,
    }),
    visible: cfg.visible,
    zIndex: cfg.z_index,
    properties: {name: cfg.name, title: cfg.title},
  });
  if (cfg.max_resolution) {
    layer.setMaxResolution(cfg.max_resolution);
  }
  if (cfg.min_resolution) {
    layer.setMinResolution(cfg.min_resolution);
  }
  return layer;
}

function start() {
  const config = readConfig();
  const target = document.getElementById('kcn-map');
  const formatter = new Formatter(config);
  const byName = {};
  const tileLayers = [];
  let areas = null;
  const olLayers = [];
  if (config.basemap) {
    olLayers.push(basemapLayer(config.basemap));
  }
  for (const cfg of config.layers) {
    if (cfg.kind === 'vector' && cfg.name === 'industrial_areas') {
      areas = new AreasLayer(config, cfg, formatter);
      byName[cfg.name] = areas.layer;
      olLayers.push(areas.layer, areas.labels, ...(areas.markers ? [areas.markers] : []));
    } else if (cfg.kind === 'mvt') {
      // issue 14 map: vector tiles styled here, popups from the tiles' attributes.
      const mvt = new MvtLayer(cfg);
      byName[cfg.name] = mvt.layer;
      tileLayers.push({config: cfg, layer: mvt.layer, mvt: true});
      olLayers.push(mvt.layer);
    } else {
      const layer = tileLayer(cfg);
      byName[cfg.name] = layer;
      tileLayers.push({config: cfg, layer});
      olLayers.push(layer);
    }
  }
  tileLayers.sort((a, b) => a.config.z_index - b.config.z_index);

  const view = new View({center: [0, 0], zoom: 2, maxZoom: 19, constrainResolution: false});
  const map = new Map({
    target,
    layers: olLayers,
    view,
    controls: defaultControls({attributionOptions: {collapsible: true, collapsed: false}})
      .extend([new ScaleLine({units: 'metric'})]),
  });
  // "#bbox=lon0,lat0,lon1,lat1" (links from the dashboards) opens the map on that extent.
  const hashBbox = /^#bbox=([-\d.]+),([-\d.]+),([-\d.]+),([-\d.]+)$/.exec(window.location.hash);
  const hashExtent = hashBbox ? hashBbox.slice(1).map(Number) : null;
  const zoomToHash = Boolean(hashExtent && hashExtent.every(Number.isFinite) && hashExtent[0] < hashExtent[2]
    && hashExtent[1] < hashExtent[3]);
  const startExtent = zoomToHash ? hashExtent : config.extent;
  view.fit(transformExtent(startExtent, 'EPSG:4326', 'EPSG:3857'),
    {padding: [40, 40, 40, 40], maxZoom: zoomToHash ? 16 : 13});

  const popup = new Popup(map, config, formatter, areas, tileLayers);
  const search = new Search(map, config, {areas, popup});
  const filters = new AreaFilters(map, config, areas, popup);
  setupLayerSwitcher(byName);
  setupTabs(document.getElementById('kcn-panel'));
  setupPanelToggle(map);

  // For people and tests alike: the map says when everything in view has been drawn.
  let renders = 0;
  map.on('rendercomplete', () => {
    renders += 1;
    target.dataset.rendered = String(renders);
  });
  if (areas) {
    areas.layer.on('kcn:loaded', () => {
      target.dataset.areas = String(areas.features().length);
    });
  }
  window.kcn = {map, areas, popup, search, filters, layers: byName, config};
  window.kcn.jobs = setupJobs(map, byName, config);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
