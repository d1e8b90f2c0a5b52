// The dashboards: Chart.js charts from the data the page embeds (labels already in the page's
// language), a small OpenLayers map of an area over the service's own tiles, and a print button.
// Every chart has its figures in a table on the same page (linked under the chart).
import 'ol/ol.css';
import './dashboard.css';

import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip,
} from 'chart.js';
import Map from 'ol/Map';
import View from 'ol/View';
import TileLayer from 'ol/layer/Tile';
import XYZ from 'ol/source/XYZ';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import GeoJSON from 'ol/format/GeoJSON';
import {Stroke, Style} from 'ol/style';
import {transformExtent} from 'ol/proj';
import {defaults, ScaleLine} from 'ol/control';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const KIND_COLOURS = {KCN: '#7b3fa0', CCN: '#e67e22'};
const SERIES_COLOURS = ['#9fb3c8', '#3e7cb1', '#1f9d55', '#d97706', '#b91c1c', '#6b7280'];

function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

function numberFormat(lang, digits = 1) {
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'vi-VN', {maximumFractionDigits: digits});
}

// Dashed vertical lines at the occupancy thresholds of a horizontal bar chart.
const thresholdPlugin = {
  id: 'kcnThresholds',
  afterDatasetsDraw(chart, args, options) {
    const {ctx, chartArea, scales} = chart;
    for (const line of options.lines || []) {
      const x = scales.x.getPixelForValue(line.value);
      ctx.save();
      ctx.strokeStyle = line.colour;
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = line.colour;
      ctx.font = 'bold 11px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(`${line.value} %`, x, chartArea.top - 4);
      ctx.restore();
    }
  },
};

const common = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false, // the page prints as drawn, and screenshots are stable
};

function occupancyChart(canvas, data, config) {
  const fmt = numberFormat(config.lang);
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: [{
        label: config.text.occupancy,
        data: data.values,
        backgroundColor: data.kinds.map((k) => KIND_COLOURS[k] || '#3e7cb1'),
        borderWidth: 0,
      }],
    },
    options: {
      ...common,
      indexAxis: 'y',
      layout: {padding: {top: 16}},
      scales: {
        x: {min: 0, max: 100, title: {display: true, text: config.text.occupancy}},
        y: {ticks: {autoSkip: false}},
      },
      plugins: {
        legend: {display: false},
        tooltip: {callbacks: {label: (item) => `${fmt.format(item.raw)} %`}},
        kcnThresholds: {lines: [
          {value: config.thresholds.new_ccn, colour: '#b45309'},
          {value: config.thresholds.expansion, colour: '#047857'},
        ]},
      },
    },
    plugins: [thresholdPlugin],
  });
}

function groupedChart(canvas, data, config, {stacked = false, unit = ''} = {}) {
  const fmt = numberFormat(config.lang);
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: data.series.map((s, i) => ({
        label: s.label,
        data: s.data,
        backgroundColor: s.colour || SERIES_COLOURS[i % SERIES_COLOURS.length],
        borderWidth: 0,
      })),
    },
    options: {
      ...common,
      scales: {x: {stacked}, y: {stacked, beginAtZero: true, title: {display: Boolean(unit), text: unit}}},
      plugins: {
        legend: {position: 'bottom'},
        tooltip: {callbacks: {label: (item) => `${item.dataset.label}: ${fmt.format(item.raw)}`}},
      },
    },
  });
}

function startCharts(config) {
  const charts = {};
  Chart.defaults.locale = config.lang === 'en' ? 'en-GB' : 'vi-VN';
  const c = config.charts;
  const el = (id) => document.getElementById(id);
  if (c.occupancy && el('chart-occupancy')) {
    charts.occupancy = occupancyChart(el('chart-occupancy'), c.occupancy, config);
  }
  if (c.plan && el('chart-plan')) {
    charts.plan = groupedChart(el('chart-plan'), c.plan, config, {unit: config.text.ha});
  }
  if (c.clearance && el('chart-clearance')) {
    charts.clearance = groupedChart(el('chart-clearance'), {
      labels: c.clearance.labels,
      series: [
        {label: config.text.handed_over, data: c.clearance.handed_over, colour: '#1f9d55'},
        {label: config.text.remaining, data: c.clearance.remaining, colour: '#d64545'},
      ],
    }, config, {stacked: true, unit: config.text.ha});
  }
  if (c.targets && el('chart-targets')) {
    const colours = {clearance_ha: ['#f4a3a3', '#b91c1c'], leased_ha: ['#a7c7e7', '#1d4ed8']};
    charts.targets = groupedChart(el('chart-targets'), {
      labels: c.targets.labels,
      series: c.targets.series.map((s) => ({
        ...s, colour: (colours[s.indicator] || SERIES_COLOURS)[s.role === 'target' ? 0 : 1],
      })),
    }, config, {unit: config.text.ha});
  }
  if (c.clearance_status && el('chart-clearance-status')) {
    const colours = {not_started: '#d64545', inventoried: '#f08c3a', plan_approved: '#f2c94c',
      compensated: '#8bc34a', handed_over: '#1f9d55'};
    charts.clearanceStatus = new Chart(el('chart-clearance-status'), {
      type: 'bar',
      data: {
        labels: c.clearance_status.labels,
        datasets: [{label: config.text.ha, data: c.clearance_status.ha,
          backgroundColor: c.clearance_status.statuses.map((s) => colours[s] || '#3e7cb1')}],
      },
      options: {...common, plugins: {legend: {display: false}},
        scales: {y: {beginAtZero: true, title: {display: true, text: config.text.ha}}}},
    });
  }
  return charts;
}

function startMap(mapData) {
  const target = document.getElementById('kcn-dash-map');
  if (!target || !mapData) {
    return null;
  }
  const layers = mapData.layers
    .sort((a, b) => a.z_index - b.z_index)
    .map((cfg) => new TileLayer({source: new XYZ({url: cfg.tile_url, maxZoom: 19}), zIndex: cfg.z_index}));
  const outline = new VectorLayer({
    source: new VectorSource({
      features: new GeoJSON().readFeatures(mapData.outline, {dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857'}),
    }),
    style: new Style({stroke: new Stroke({color: '#d01c1c', width: 3})}),
    zIndex: 1000,
  });
  const map = new Map({
    target,
    layers: [...layers, outline],
    view: new View({center: [0, 0], zoom: 2, maxZoom: 19}),
    controls: defaults({attribution: false, rotate: false}).extend([new ScaleLine({units: 'metric'})]),
  });
  map.getView().fit(transformExtent(mapData.extent, 'EPSG:4326', 'EPSG:3857'),
    {padding: [30, 30, 30, 30], maxZoom: 16});
  let renders = 0;
  map.on('rendercomplete', () => {
    renders += 1;
    target.dataset.rendered = String(renders);
  });
  return map;
}

function start() {
  const config = readJson('kcn-dashboard-data');
  const charts = config ? startCharts(config) : {};
  const printButton = document.getElementById('kcn-dash-print');
  if (printButton) {
    printButton.addEventListener('click', () => window.print());
  }
  // Charts redraw at the printed width.
  window.addEventListener('beforeprint', () => Object.values(charts).forEach((ch) => ch.resize()));
  window.kcnDashboard = {charts, map: null};
  window.kcnDashboard.map = startMap(readJson('kcn-dashboard-map'));
  document.body.dataset.chartsReady = String(Object.keys(charts).length);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
