// Bundle the browser code with esbuild into Django static files (git-ignored build output).
//   node frontend/build.mjs            one production build (minified, with source maps)
//   node frontend/build.mjs --watch    rebuild on change while developing
import * as esbuild from 'esbuild';
import {fileURLToPath} from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const options = {
  absWorkingDir: root,
  entryPoints: {
    map: 'frontend/src/map/main.js', // -> map.js + map.css (OpenLayers' CSS and ours)
    site: 'frontend/src/site.css', // -> site.css: header and page chrome, on every page
    dashboard: 'frontend/src/dashboard/main.js', // -> dashboard.js + dashboard.css (Chart.js, OpenLayers)
    proposals: 'frontend/src/proposals/main.js', // -> proposals.js + proposals.css (draw, upload, live checks)
  },
  outdir: 'gis_service/static/build',
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: 'es2020',
  legalComments: 'linked',
  logLevel: 'warning',
};

if (process.argv.includes('--watch')) {
  const ctx = await esbuild.context({...options, logLevel: 'info'});
  await ctx.watch();
} else {
  const result = await esbuild.build({...options, metafile: true});
  const outputs = Object.entries(result.metafile.outputs)
    .filter(([name]) => !name.endsWith('.map') && !name.endsWith('.LEGAL.txt'))
    .map(([name, info]) => `${path.basename(name)} ${(info.bytes / 1024).toFixed(0)} KB`);
  console.log(`>> map page bundle built: ${outputs.join(', ')}`);
}
