// Layers drawn from the service's own Mapbox Vector Tiles (OGC API – Tiles, layers/vectortiles):
// the catalogue's layers styled in the browser like the WMS draws them (the same classes,
// colours, dashes and labels, handed over by planning/web/layers.py), and the national base map.
// A click reads the clicked feature's attributes from the tile itself: no GetFeatureInfo and no
// WFS round trip (popup.js).
//
// The tiles come with the page's session cookie (same origin), so a signed-in member of staff
// gets the staff-only collections; anonymous visitors never get those layers in their config.
import VectorTileLayer from 'ol/layer/VectorTile';
import VectorTileSource from 'ol/source/VectorTile';
import MVT from 'ol/format/MVT';
import {Circle as CircleStyle, Fill, RegularShape, Stroke, Style, Text} from 'ol/style';

import {hexToRgba, matches, symbolizerStyles} from './areas.js';

// Tiles are made up to this zoom and stretched beyond it (at z=16 one tile grid cell is 15 cm).
export const MVT_MAX_ZOOM = 16;
const FONT = '600 12px system-ui, "Segoe UI", Roboto, sans-serif';

function pointStyles(sym) {
  const fill = sym.fill ? new Fill({color: hexToRgba(sym.fill, (sym.opacity ?? 100) / 100)}) : undefined;
  const stroke = sym.outline ? new Stroke({color: sym.outline, width: sym.width || 1}) : undefined;
  const radius = (sym.size || 8) / 2;
  let image;
  if (sym.symbol === 'square') {
    image = new RegularShape({points: 4, radius: radius * Math.SQRT2, angle: Math.PI / 4, fill, stroke});
  } else if (sym.symbol === 'triangle') {
    image = new RegularShape({points: 3, radius, fill, stroke});
  } else {
    image = new CircleStyle({radius, fill: fill || new Fill({color: 'rgba(255,255,255,0.01)'}), stroke});
  }
  return [new Style({image})];
}

// A catalogue layer over its collection's tiles, styled from the WMS style (first class wins).
export class MvtLayer {
  constructor(layerConfig) {
    this.config = layerConfig;
    const style = layerConfig.style;
    this.style = style;
    const point = style.geometry === 'POINT';
    this.classes = style.classes.map((c) => ({
      when: c.when,
      labelled: c.labelled !== false,
      styles: c.symbolizers.flatMap(point ? pointStyles : symbolizerStyles),
    }));
    this.labelStyles = new Map();
    this.source = new VectorTileSource({
      format: new MVT(),
      url: layerConfig.mvt_url,
      maxZoom: MVT_MAX_ZOOM,
      transition: 0,
    });
    this.layer = new VectorTileLayer({
      source: this.source,
      visible: layerConfig.visible,
      zIndex: layerConfig.z_index,
      declutter: Boolean(style.label_item),
      renderMode: 'hybrid',
      style: (feature, resolution) => this.styleFor(feature, resolution),
      properties: {name: layerConfig.name, title: layerConfig.title, kind: 'mvt'},
    });
    if (layerConfig.max_resolution) {
      this.layer.setMaxResolution(layerConfig.max_resolution);
    }
    if (layerConfig.min_resolution) {
      this.layer.setMinResolution(layerConfig.min_resolution);
    }
  }

  classOf(feature) {
    const props = feature.getProperties();
    return this.classes.findIndex((c) => matches(c.when, props));
  }

  styleFor(feature, resolution) {
    const index = this.classOf(feature);
    if (index < 0) {
      return null;
    }
    const cls = this.classes[index];
    const label = cls.labelled ? this.labelFor(feature, resolution) : null;
    return label ? [...cls.styles, label] : cls.styles;
  }

  labelFor(feature, resolution) {
    const item = this.style.label_item;
    const max = this.style.label_max_resolution;
    if (!item || !max || resolution > max) {
      return null;
    }
    const text = feature.get(item);
    if (text === undefined || text === null || text === '') {
      return null;
    }
    const key = String(text);
    let label = this.labelStyles.get(key);
    if (!label) {
      const line = this.style.geometry === 'LINE';
      label = new Style({
        text: new Text({
          text: key,
          font: FONT,
          placement: line ? 'line' : 'point',
          offsetY: this.style.geometry === 'POINT' ? -12 : 0,
          fill: new Fill({color: this.style.label_color || '#222'}),
          stroke: new Stroke({color: '#ffffff', width: 3}),
          overflow: !line,
        }),
      });
      this.labelStyles.set(key, label);
    }
    return label;
  }
}

// --- the national base map ---------------------------------------------------------------------

const LAND = '#f3f0e8';
const ROAD_COLOURS = {main: '#e8a33d', secondary: '#c9b28a'};

function basemapStyles() {
  const province = new Style({
    fill: new Fill({color: LAND}),
    stroke: new Stroke({color: '#b4aa9a', width: 0.8}),
  });
  const neighbour = new Style({
    fill: new Fill({color: '#e7e4dc'}),
    stroke: new Stroke({color: '#c4bcae', width: 0.6}),
  });
  const roads = {
    main: [new Style({stroke: new Stroke({color: ROAD_COLOURS.main, width: 1.6})})],
    secondary: [new Style({stroke: new Stroke({color: ROAD_COLOURS.secondary, width: 1})})],
  };
  const rail = [
    new Style({stroke: new Stroke({color: '#8d8d8d', width: 2})}),
    new Style({stroke: new Stroke({color: '#ffffff', width: 1, lineDash: [5, 5]})}),
  ];
  const labels = new Map();
  return (feature, resolution) => {
    const kind = feature.get('kind');
    if (kind === 'province') {
      return feature.get('country') === 'VN' ? province : neighbour;
    }
    if (kind === 'road') {
      // Secondary roads from zoom 8 (about 600 m a pixel); main roads always.
      if (feature.get('class') !== 'main' && resolution > 650) {
        return null;
      }
      return roads[feature.get('class')] || roads.secondary;
    }
    if (kind === 'rail') {
      return resolution > 650 ? null : rail;
    }
    if (kind === 'province_label') {
      if (resolution > 2500 || resolution < 20) {
        return null;
      }
      const name = feature.get('name');
      let label = labels.get(name);
      if (!label) {
        label = new Style({
          text: new Text({
            text: name,
            font: '500 12px system-ui, "Segoe UI", Roboto, sans-serif',
            fill: new Fill({color: '#7a6f5f'}),
            stroke: new Stroke({color: LAND, width: 3}),
          }),
        });
        labels.set(name, label);
      }
      return label;
    }
    return null;
  };
}

// The country's provinces (34, after 1 July 2025), the national roads and railway, on the sea
// colour of the map's background (map.css).
export function basemapLayer(basemap) {
  return new VectorTileLayer({
    source: new VectorTileSource({
      format: new MVT(),
      url: basemap.url,
      maxZoom: basemap.max_zoom,
      attributions: basemap.attribution,
      transition: 0,
    }),
    zIndex: 0,
    declutter: true,
    style: basemapStyles(),
    properties: {name: 'basemap', kind: 'basemap'},
  });
}
