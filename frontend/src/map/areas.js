// Industrial parks and clusters as a vector layer (WFS GeoJSON), styled like the WMS layer and
// filtered in the browser by kind, status, administrative unit and year of establishment.
//
// issue 14 map: the fills and outlines are drawn from the collection's vector tiles (and a click
// reads the park's attributes from them); the GeoJSON copy stays as the index the filters, the
// list and the search need (every park at once), and draws the dots and the names (placed on the
// whole shape, not once per tile).
//
// Why in the browser: a province has tens of parks and clusters (the demo 36, 50 KB of GeoJSON),
// MapServer tiles cannot be filtered per request, and filtering loaded features is instant while
// a slider moves. The data comes from the public WFS, so the same access rules apply.
import VectorLayer from 'ol/layer/Vector';
import VectorTileLayer from 'ol/layer/VectorTile';
import VectorSource from 'ol/source/Vector';
import VectorTileSource from 'ol/source/VectorTile';
import MVT from 'ol/format/MVT';
import GeoJSON from 'ol/format/GeoJSON';
import {Circle as CircleStyle, Fill, Stroke, Style, Text} from 'ol/style';
import {createEmpty, extend, isEmpty} from 'ol/extent';

const geojson = new GeoJSON({dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857'});
// Below this resolution (m/px, about zoom 11) areas are big enough to see; above it each also
// gets a dot, so a province-wide view still shows where they are.
const MARKER_RESOLUTION = 60;

export function hexToRgba(hex, alpha) {
  const h = hex.replace('#', '');
  const n = parseInt(h, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

// Evaluate a class condition parsed from the MapServer expression (see planning/web/layers.py).
export function matches(node, props) {
  if (node === null || node === undefined) {
    return true;
  }
  if (node.eq) {
    return String(props[node.eq[0]] ?? '') === node.eq[1];
  }
  if (node.and) {
    return node.and.every((n) => matches(n, props));
  }
  if (node.or) {
    return node.or.some((n) => matches(n, props));
  }
  if (node.cmp) {
    const [item, op, number] = node.cmp;
    const value = Number(props[item]);
    if (props[item] === null || props[item] === undefined || Number.isNaN(value)) {
      return false;
    }
    return {'>=': value >= number, '<=': value <= number, '>': value > number, '<': value < number, '=': value === number}[op];
  }
  return false;
}

function hatchPattern(colour) {
  const ratio = window.devicePixelRatio || 1;
  const size = Math.round(8 * ratio);
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  ctx.strokeStyle = colour;
  ctx.lineWidth = ratio;
  ctx.beginPath();
  // 45° lines that continue across tile edges.
  ctx.moveTo(0, size);
  ctx.lineTo(size, 0);
  ctx.moveTo(-size / 2, size / 2);
  ctx.lineTo(size / 2, -size / 2);
  ctx.moveTo(size / 2, size * 1.5);
  ctx.lineTo(size * 1.5, size / 2);
  ctx.stroke();
  return ctx.createPattern(canvas, 'repeat');
}

export function symbolizerStyles(sym) {
  const styles = [];
  const stroke = sym.outline
    ? new Stroke({color: sym.outline, width: sym.width || 1, lineDash: sym.pattern && sym.pattern.length ? sym.pattern : undefined})
    : undefined;
  if (sym.fill && sym.hatch) {
    styles.push(new Style({fill: new Fill({color: hatchPattern(sym.fill)})}));
    styles.push(new Style({stroke}));
  } else if (sym.fill) {
    styles.push(new Style({fill: new Fill({color: hexToRgba(sym.fill, (sym.opacity ?? 100) / 100)}), stroke}));
  } else {
    // Outline only, but keep the inside clickable.
    styles.push(new Style({fill: new Fill({color: 'rgba(255,255,255,0.01)'}), stroke}));
  }
  return styles;
}

function labelPoint(feature) {
  let point = feature.get('__labelPoint');
  if (!point) {
    const geom = feature.getGeometry();
    if (geom.getType() === 'MultiPolygon') {
      const polygons = geom.getPolygons();
      polygons.sort((a, b) => b.getArea() - a.getArea());
      point = polygons[0].getInteriorPoint();
    } else if (geom.getType() === 'Polygon') {
      point = geom.getInteriorPoint();
    } else {
      point = geom;
    }
    feature.set('__labelPoint', point, true);
  }
  return point;
}

export class AreasLayer {
  constructor(config, layerConfig, formatter) {
    this.config = config;
    this.layerConfig = layerConfig;
    this.formatter = formatter;
    this.style = layerConfig.style;
    this.classes = this.style.classes.map((c) => ({
      when: c.when,
      styles: c.symbolizers.flatMap(symbolizerStyles),
      colour: (c.symbolizers[0] && (c.symbolizers[0].outline || c.symbolizers[0].fill)) || '#555555',
    }));
    this.markerStyles = new Map();
    this.labelStyles = new Map();
    this.selectedCode = null;
    this.filter = null; // (feature) => boolean; null shows everything
    this.loaded = false;
    this.source = new VectorSource({
      loader: (extent, resolution, projection, success, failure) => {
        this.load().then(success, failure);
      },
    });
    const tiled = Boolean(layerConfig.mvt_url);
    this.layer = tiled
      ? new VectorTileLayer({
        source: new VectorTileSource({format: new MVT(), url: layerConfig.mvt_url, maxZoom: 16, transition: 0}),
        visible: layerConfig.visible,
        zIndex: layerConfig.z_index,
        renderMode: 'hybrid',
        style: (feature, resolution) => this.styleFor(feature, resolution, false),
        properties: {name: layerConfig.name, title: layerConfig.title, kind: 'mvt'},
      })
      : new VectorLayer({
        source: this.source,
        visible: layerConfig.visible,
        zIndex: layerConfig.z_index,
        style: (feature, resolution) => this.styleFor(feature, resolution, true),
        properties: {name: layerConfig.name, title: layerConfig.title},
        updateWhileInteracting: false,
      });
    // "Show the layer" after an import (jobs.js) reloads both the tiles and the GeoJSON index.
    this.layer.set('refresh', () => {
      this.layer.getSource().refresh();
      if (tiled) {
        this.source.refresh();
      }
    });
    // With tiles: the dots of a province-wide view, from the GeoJSON index (one per park).
    this.markers = tiled
      ? new VectorLayer({
        source: this.source,
        visible: layerConfig.visible,
        zIndex: layerConfig.z_index,
        style: (feature, resolution) => this.markerFor(feature, resolution),
        properties: {name: `${layerConfig.name}_markers`},
      })
      : null;
    // Names on top of every other layer (plots and their labels would hide them), decluttered.
    this.labels = new VectorLayer({
      source: this.source,
      visible: layerConfig.visible,
      zIndex: 1000,
      declutter: true,
      style: (feature, resolution) => this.labelFor(feature, resolution),
      properties: {name: `${layerConfig.name}_labels`},
    });
    this.layer.on('change:visible', () => {
      this.labels.setVisible(this.layer.getVisible());
      this.markers && this.markers.setVisible(this.layer.getVisible());
    });
    this.selectedStyle = [
      new Style({stroke: new Stroke({color: '#ffffff', width: 6})}),
      new Style({stroke: new Stroke({color: '#0d47a1', width: 3}), fill: new Fill({color: 'rgba(13,71,161,0.10)'})}),
    ];
  }

  // Every feature, following the WFS "next" links (10 000 per page at most).
  async load() {
    const params = new URLSearchParams({
      SERVICE: 'WFS', VERSION: '2.0.0', REQUEST: 'GetFeature', TYPENAMES: this.layerConfig.name,
      OUTPUTFORMAT: 'application/json', COUNT: '10000',
    });
    let url = `${this.config.urls.wfs}?${params}`;
    const features = [];
    while (url) {
      const response = await fetch(url, {credentials: 'same-origin'});
      if (!response.ok) {
        throw new Error(`WFS ${response.status}`);
      }
      const data = await response.json();
      features.push(...geojson.readFeatures(data));
      const next = (data.links || []).find((l) => l.rel === 'next');
      url = next ? next.href : null;
    }
    for (const f of features) {
      this.formatter.areaNames[f.get('code')] = f.get('name');
    }
    this.source.addFeatures(features);
    this.loaded = true;
    this.layer.dispatchEvent('kcn:loaded');
    return features;
  }

  classOf(feature) {
    let index = feature.get('__class');
    if (index === undefined) {
      const props = feature.getProperties();
      index = this.classes.findIndex((c) => matches(c.when, props));
      if (typeof feature.set === 'function') { // a tile's RenderFeature is read-only
        feature.set('__class', index, true);
      }
    }
    return index;
  }

  markerFor(feature, resolution) {
    if (resolution <= MARKER_RESOLUTION || !this.visible(feature)) {
      return null;
    }
    const index = this.classOf(feature);
    return index < 0 ? null : this.marker(index);
  }

  marker(index) {
    let marker = this.markerStyles.get(index);
    if (!marker) {
      marker = new Style({
        image: new CircleStyle({radius: 6, fill: new Fill({color: this.classes[index].colour}), stroke: new Stroke({color: '#ffffff', width: 1.5})}),
        geometry: labelPoint,
      });
      this.markerStyles.set(index, marker);
    }
    return marker;
  }

  visible(feature) {
    return !this.filter || this.filter(feature);
  }

  styleFor(feature, resolution, withMarker) {
    if (!this.visible(feature)) {
      return null;
    }
    const index = this.classOf(feature);
    if (index < 0) {
      return null;
    }
    const cls = this.classes[index];
    const styles = [...cls.styles];
    if (withMarker && resolution > MARKER_RESOLUTION) {
      styles.push(this.marker(index));
    }
    if (this.selectedCode !== null && feature.get('code') === this.selectedCode) {
      styles.push(...this.selectedStyle);
    }
    return styles;
  }

  labelFor(feature, resolution) {
    const labelMax = this.style.label_max_resolution;
    if (!this.style.label_item || !labelMax || resolution > labelMax || !this.visible(feature)) {
      return null;
    }
    const text = feature.get(this.style.label_item);
    let label = this.labelStyles.get(text);
    if (!label) {
      label = new Style({
        geometry: labelPoint,
        text: new Text({
          text: String(text || ''), font: '700 13px system-ui, "Segoe UI", Roboto, sans-serif',
          fill: new Fill({color: this.style.label_color || '#222'}), stroke: new Stroke({color: '#ffffff', width: 3.5}),
          overflow: true,
        }),
      });
      this.labelStyles.set(text, label);
    }
    return label;
  }

  setFilter(filter) {
    this.filter = filter;
    this.layer.changed();
    this.labels.changed();
    this.markers && this.markers.changed();
  }

  // The selected park, by its code (the same in the tiles and in the GeoJSON index).
  select(code) {
    this.selectedCode = code ?? null;
    this.layer.changed();
  }

  features() {
    return this.source.getFeatures();
  }

  visibleFeatures() {
    return this.features().filter((f) => this.visible(f));
  }

  extentOf(features) {
    const extent = createEmpty();
    for (const f of features) {
      extend(extent, f.getGeometry().getExtent());
    }
    return isEmpty(extent) ? null : extent;
  }

  labelPoint(feature) {
    return labelPoint(feature);
  }
}
