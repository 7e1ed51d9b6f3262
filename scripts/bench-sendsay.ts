/**
 * `npm run bench -- sendsay [--readers 2000] [--concurrency 5]`: personal letters through the Sendsay
 * transport — the send engine with its SQLite ledger, per-reader rendering and our API client — against a
 * local stand-in of the Sendsay API on loopback (tests/send/transports/sendsay/fake-server.ts), then the
 * same number of already prepared issue.send requests with bare `fetch` at the same concurrency. Prints
 * both throughputs and the ratio, and checks that every reader got exactly one request.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { csvFile } from "../src/send/audience.js";
import { sendIssue as runSend } from "../src/send/send-issue.js";
import { SendsayTransport } from "../src/send/transports/sendsay/transport.js";
import { SendsayClient } from "../src/sendsay/client.js";
import { compile, KEY, LOGIN, makeProject, PERSONAL_FILE, SECRET } from "../tests/send/transports/sendsay/helpers.js";
import { startFakeSendsay } from "../tests/sendsay/fake-server.js";

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

export async function run(args: string[] = []): Promise<void> {
  const readers = arg(args, "readers", 2000);
  const concurrency = arg(args, "concurrency", 5);
  const project = await makeProject();
  const server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
  try {
    const list = join(project.root, "readers.csv");
    const rows = Array.from({ length: readers }, (_, i) => `reader${i}@example.ru,Читатель ${i},Город ${i}`);
    await writeFile(list, `email,name,city\n${rows.join("\n")}\n`);
    // warm the build cache so both sides start from a compiled issue
    const { compiled, config } = await compile(project.root, PERSONAL_FILE);

    const t0 = performance.now();
    const summary = await runSend({
      root: project.root,
      issue: PERSONAL_FILE,
      stateFile: join(project.root, "bench.sqlite"),
      audience: csvFile(list),
      transport: new SendsayTransport(new SendsayClient({ login: LOGIN, apiKey: KEY, baseUrl: server.url, maxAttempts: 1 })),
      concurrency,
      env: { RASSYLKA_SECRET: SECRET },
    });
    const ours = performance.now() - t0;
    const emails = new Set(server.handled("issue.send").map((r) => String(r.body?.email)));
    const oursOk = summary.sent === readers && emails.size === readers && server.handled("issue.send").length === readers;

    // bare: the same letters, rendered beforehand, posted with fetch at the same concurrency
    const { createPersonaliser } = await import("../src/render/personalise.js");
    const p = createPersonaliser(compiled);
    const bodies = rows.map((row) => {
      const [email, name, city] = row.split(",");
      const parts = p.render({ email, name, city });
      return JSON.stringify({
        action: "issue.send",
        letter: { subject: compiled.subject, "from.name": config.from.name, "from.email": config.from.email, message: parts },
        group: "personal",
        email,
        sendwhen: "now",
      });
    });
    const before = server.handled("issue.send").length;
    const url = `${server.url}/general/api/v100/json/${LOGIN}`;
    let next = 0;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const res = await fetch(url, {
            method: "POST",
            headers: { "Content-Type": "application/json", Authorization: `sendsay apikey=${KEY}` },
            body,
          });
          await res.json();
        }
      }),
    );
    const bare = performance.now() - t1;
    const bareOk = server.handled("issue.send").length - before === readers;

    // our transport alone on the same prepared letters: the client's own cost, without the engine
    const transport = new SendsayTransport(new SendsayClient({ login: LOGIN, apiKey: KEY, baseUrl: server.url, maxAttempts: 1 }));
    const messages = rows.map((row) => {
      const [email, name, city] = row.split(",");
      const parts = p.render({ email, name, city });
      return {
        to: email,
        subscriber: { email, name, city },
        from: config.from,
        subject: compiled.subject,
        html: parts.html,
        text: parts.text,
        messageId: `${email}.bench`,
        headers: {},
        date: new Date(),
      };
    });
    const before2 = server.handled("issue.send").length;
    next = 0;
    const t2 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < messages.length) await transport.send(messages[next++]);
      }),
    );
    const client = performance.now() - t2;
    const clientOk = server.handled("issue.send").length - before2 === readers;

    const rate = (ms: number) => (readers * 1000) / ms;
    console.log(`sendsay personal letters, ${readers} readers, concurrency ${concurrency}, local fake API:`);
    console.log(
      `  rassylka (engine + ledger + render + client): ${rate(ours).toFixed(0)} letters/s (${(ours / 1000).toFixed(2)} s)${oursOk ? "" : "  MISMATCH"}`,
    );
    console.log(
      `  bare fetch of prepared requests:              ${rate(bare).toFixed(0)} letters/s (${(bare / 1000).toFixed(2)} s)${bareOk ? "" : "  MISMATCH"}`,
    );
    console.log(
      `  SendsayTransport alone, prepared letters:     ${rate(client).toFixed(0)} letters/s (${(client / 1000).toFixed(2)} s)${clientOk ? "" : "  MISMATCH"}`,
    );
    console.log(`  ratio transport / bare fetch: ${(bare / client).toFixed(2)}×`);
    console.log(
      `  ratio whole send / bare fetch: ${(bare / ours).toFixed(2)}× (the rest is the engine: ledger commits, rendering, headers)`,
    );
  } finally {
    await server.close();
    await project.cleanup();
  }
}
