// Closed-loop HTTP load generator for B5 (runs in its own process so it does not share the server's event loop).
// argv[2] = JSON {urls: string[], headers, concurrency, seconds}; prints JSON {requests, errors, statuses, rps, p50, p90, p99, max}.
import http from "node:http";

const cfg = JSON.parse(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.concurrency });
const lat = [];
let errors = 0;
let requests = 0;
const statuses = {};
const errorSamples = [];
let next = 0;
const deadline = performance.now() + cfg.seconds * 1000;

function once(url) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get(url, { agent, headers: cfg.headers ?? {} }, (res) => {
      res.on("data", () => {});
      res.on("end", () => {
        const ms = performance.now() - t0;
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode >= 400) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`${res.statusCode} ${url}`);
        }
        lat.push(ms);
        resolve();
      });
      res.on("error", (e) => {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(e));
        resolve();
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
    req.on("error", (e) => {
      errors++;
      if (errorSamples.length < 5) errorSamples.push(String(e));
      resolve();
    });
  });
}

async function client() {
  while (performance.now() < deadline) {
    const url = cfg.urls[next++ % cfg.urls.length];
    await once(url);
    requests++;
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: cfg.concurrency }, client));
const elapsed = (performance.now() - start) / 1000;
lat.sort((a, b) => a - b);
const q = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : 0);
agent.destroy();
process.stdout.write(
  JSON.stringify({
    requests,
    errors,
    statuses,
    errorSamples,
    seconds: elapsed,
    rps: requests / elapsed,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: lat[lat.length - 1] ?? 0,
  }),
);
