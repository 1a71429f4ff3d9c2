// Development only (never at runtime): render Chart.js configs with Chart.js itself.
// stdin: JSON list of {config, width, height, version: 2|4, out}; writes one PNG per item to `out`
// and prints a JSON list of {out, ok, error}. Run from the directory holding node_modules.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createCanvas } from "@napi-rs/canvas";
import { Chart, registerables } from "chart.js";

Chart.register(...registerables);
const require = createRequire(import.meta.url);

const whiteBackground = {
  id: "whiteBackground",
  beforeDraw(chart) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = "destination-over";
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

function render4(config, width, height) {
  const canvas = createCanvas(width, height);
  const options = { ...(config.options || {}), responsive: false, animation: false, devicePixelRatio: 1 };
  const chart = new Chart(canvas.getContext("2d"), { ...config, options, plugins: [whiteBackground] });
  chart.draw();
  const png = canvas.toBuffer("image/png");
  chart.destroy();
  return png;
}

function render2(config, width, height) {
  // Chart.js 2.9 expects a DOM canvas; give it the few properties it touches.
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  const fake = {
    width, height, style: {}, ownerDocument: null, parentNode: null,
    getContext: () => ctx, getAttribute: () => null, setAttribute() {}, removeAttribute() {},
    addEventListener() {}, removeEventListener() {},
  };
  ctx.canvas = fake;
  globalThis.window ??= { devicePixelRatio: 1, addEventListener() {}, removeEventListener() {} };
  const Chart2 = require("chartjs2");
  Chart2.platform.acquireContext = () => ctx;
  Chart2.platform.releaseContext = () => {};
  Chart2.platform.addEventListener = () => {};
  Chart2.platform.removeEventListener = () => {};
  const options = { ...(config.options || {}), responsive: false, animation: false, devicePixelRatio: 1 };
  const chart = new Chart2(ctx, { ...config, options, plugins: [whiteBackground] });
  chart.draw();
  const png = canvas.toBuffer("image/png");
  chart.destroy();
  return png;
}

const items = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const item of items) {
  try {
    const draw = item.version === 2 ? render2 : render4;
    writeFileSync(item.out, draw(structuredClone(item.config), item.width, item.height));
    results.push({ out: item.out, ok: true });
  } catch (err) {
    results.push({ out: item.out, ok: false, error: String(err && err.message ? err.message : err) });
  }
}
process.stdout.write(JSON.stringify(results));
