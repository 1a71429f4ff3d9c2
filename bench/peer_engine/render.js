// Benchmark-only peer of bench/engine.py: Chart.js 4 drawing on @napi-rs/canvas (skia), in-process.
//
//   node render.js CONFIGS.json [RUNS]   renders every config RUNS times (default 21, after 3
//                                        warm-up renders) and prints {"name": median_ms, ...}
//   node render.js CONFIGS.json --serve  reads one JSON request a line, {"chart": name, "runs": n},
//                                        and answers one line {"chart": name, "ms": [...]} so the
//                                        caller can interleave these timings with its own
//
// CONFIGS.json maps a chart name to {"width", "height", "config"} where config is a Chart.js
// configuration (plain JSON). One render is: a canvas, new Chart (animation off, device pixel
// ratio 1), PNG encoding of the canvas, chart.destroy(): the whole cost of producing one image.
"use strict";

const fs = require("fs");
const readline = require("readline");
const { createCanvas } = require("@napi-rs/canvas");
const { Chart, registerables } = require("chart.js");

Chart.register(...registerables);

function render(entry) {
  const canvas = createCanvas(entry.width, entry.height);
  const config = structuredClone(entry.config);
  config.options = Object.assign({}, config.options, {
    animation: false,
    responsive: false,
    devicePixelRatio: 1,
  });
  // Chart.js wants a context and reads the canvas size from it.
  const chart = new Chart(canvas.getContext("2d"), config);
  const png = canvas.toBuffer("image/png");
  chart.destroy();
  return png.length;
}

function timed(entry) {
  const t0 = process.hrtime.bigint();
  render(entry);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const configs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const mode = process.argv[3];

for (const entry of Object.values(configs)) render(entry); // fonts, JIT

if (mode === "--serve") {
  const rl = readline.createInterface({ input: process.stdin });
  process.stdout.write(JSON.stringify({ ready: true }) + "\n");
  rl.on("line", (line) => {
    const req = JSON.parse(line);
    const ms = [];
    for (let i = 0; i < req.runs; i++) ms.push(timed(configs[req.chart]));
    process.stdout.write(JSON.stringify({ chart: req.chart, ms }) + "\n");
  });
} else {
  const runs = Number(mode || 21);
  const out = {};
  for (const [name, entry] of Object.entries(configs)) {
    for (let i = 0; i < 3; i++) render(entry);
    const ms = [];
    for (let i = 0; i < runs; i++) ms.push(timed(entry));
    out[name] = Math.round(median(ms) * 100) / 100;
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}
