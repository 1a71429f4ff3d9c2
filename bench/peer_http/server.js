// Benchmark-only peer (bench/http.py): POST /render with {"chart": <Chart.js config>, "width", "height"}
// answers the PNG drawn by Chart.js 4 on @napi-rs/canvas, in this one process. GET /healthz answers ok.
// The port is the first argument; "listening <port>" on stdout once ready.
"use strict";

const http = require("node:http");
const { createCanvas } = require("@napi-rs/canvas");
const { Chart, registerables } = require("chart.js");

Chart.register(...registerables);
Chart.defaults.animation = false;
Chart.defaults.responsive = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.devicePixelRatio = 1;

function render(body) {
  const width = body.width || 800;
  const height = body.height || 400;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  const chart = new Chart(ctx, body.chart);
  const png = canvas.toBuffer("image/png");
  chart.destroy();
  return png;
}

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/healthz") {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end("ok");
    return;
  }
  if (req.method !== "POST" || req.url !== "/render") {
    res.writeHead(404);
    res.end();
    return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    try {
      const png = render(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200, { "Content-Type": "image/png", "Content-Length": png.length });
      res.end(png);
    } catch (err) {
      res.writeHead(400, { "Content-Type": "text/plain" });
      res.end(String(err && err.stack ? err.stack : err));
    }
  });
});

server.keepAliveTimeout = 30000;
server.listen(Number(process.argv[2] || 0), "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});
