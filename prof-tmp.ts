import { openStore } from "./src/state/store.js";
const file = process.argv[2];
const s = await openStore({ kind: "sqlite", file });
const SLUG = "2026-11-10-tekushchaya-debitorka";
const r = s.report;
for (const [name, f] of Object.entries({
  sendCounts: () => r.sendCounts(SLUG), bounces: () => r.bounces(SLUG), unsub: () => r.unsubscribed(SLUG), clicks: () => r.clicks(SLUG), opens: () => r.opens(SLUG),
  links: () => r.links(SLUG), domains: () => r.domains(SLUG), hours: () => r.clicksByHour(SLUG),
  clickers: async () => { let n = 0; for await (const p of r.clickers(SLUG)) n += p.length; return n; }, tracks: () => r.tracksOpens(SLUG),
  readers: async () => { let n = 0; for await (const p of r.readerPages(SLUG)) n += p.length; return n; },
})) { const t = performance.now(); const x = await f(); console.log(name, Math.round(performance.now() - t), JSON.stringify(x).slice(0, 80)); }
await s.close();
