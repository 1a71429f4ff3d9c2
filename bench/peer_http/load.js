// Benchmark-only load generator (bench/http.py): a job as JSON on stdin
//   {"url", "method", "headers", "bodies": [strings], "connections", "seconds" (optional)}
// sends every body once (or, with "seconds", cycles through them for that long) over `connections`
// keep-alive connections, each with one request in flight; prints
//   {"requests", "errors", "statuses", "seconds", "p50_ms", "p95_ms", "latencies_ms"}.
// One event loop costs the client far less CPU than Python threads would on a shared 2-core machine.
"use strict";

const http = require("node:http");

function percentile(sorted, q) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
}

function once(agent, url, method, headers, body) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.request(url, { method, headers, agent }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve([res.statusCode, Number(process.hrtime.bigint() - started) / 1e6]));
    });
    req.on("error", () => resolve([0, Number(process.hrtime.bigint() - started) / 1e6]));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const job = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const bodies = job.bodies && job.bodies.length ? job.bodies : [undefined];
  const latencies = [];
  const statuses = {};
  let next = 0;
  const started = Date.now();
  const until = job.seconds ? started + job.seconds * 1000 : null;
  async function loop() {
    for (;;) {
      if (until === null ? next >= bodies.length : Date.now() >= until) return;
      const body = bodies[next++ % bodies.length];
      const [status, ms] = await once(agent, job.url, job.method || "GET", job.headers || {}, body);
      statuses[status] = (statuses[status] || 0) + 1;
      latencies.push(ms);
    }
  }
  await Promise.all(Array.from({ length: job.connections }, loop));
  const seconds = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const ok = (statuses[200] || 0);
  process.stdout.write(
    JSON.stringify({
      requests: latencies.length,
      errors: latencies.length - ok,
      statuses,
      seconds,
      p50_ms: percentile(latencies, 0.5),
      p95_ms: percentile(latencies, 0.95),
      latencies_ms: latencies,
    }) + "\n",
  );
  agent.destroy();
}

main();
