import { spawn } from "node:child_process";
import { once } from "node:events";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileOrThrow } from "../../../src/compile/compile.js";
import { buildMessage, type MessageContext, messageContext, messageIdFor, subscriberFor } from "../../../src/message/message.js";
import { loadProject } from "../../../src/project/project.js";
import { createPersonaliser, type Personaliser } from "../../../src/render/personalise.js";
import type { DeliveryResult, OutgoingMessage } from "../../../src/send/transport.js";
import { SmtpTransport } from "../../../src/send/transports/smtp.js";
import { deadPort, ISSUE, makeProject, REPO, SECRET, type Sink, startSmtp } from "../helpers.js";

/**
 * The SMTP connections run on a thread of its own by default (src/send/transports/smtp-thread.ts),
 * or on the caller's (`thread: false`). Both run src/send/transports/smtp-pool.ts: a real server must see
 * the same bytes and the loop the same results either way.
 */
const READERS = [
  { address: "anna@example.ru", name: "Анна" },
  { address: "bad@example.ru", name: "Борис" },
  { address: "later@example.ru", name: "" },
  { address: "ivan@пример.рф", name: "Иван Петров-Водкин" },
  { address: "plain@example.com", name: "John" },
];

let cleanup: () => Promise<void>;
let ctx: MessageContext;
let personaliser: Personaliser;
let sink: Sink;
const DATE = new Date("2026-12-01T09:30:00Z");

beforeAll(async () => {
  const made = await makeProject();
  cleanup = made.cleanup;
  const project = await loadProject(made.root);
  const { compiled } = await compileOrThrow(project, ISSUE);
  ctx = messageContext(project.config.config, compiled.slug, compiled.subject, SECRET);
  personaliser = createPersonaliser(compiled);
  sink = await startSmtp({
    behaviour: (rcpt) =>
      rcpt.startsWith("bad@")
        ? { code: 550, message: "5.1.1 No such user" }
        : rcpt.startsWith("later@")
          ? { code: 451, message: "4.3.0 Try again later" }
          : undefined,
  });
});
afterAll(async () => {
  await sink.close();
  await cleanup();
});

function messageFor(reader: (typeof READERS)[number]): OutgoingMessage {
  const key = reader.address.toLowerCase();
  const recipient = {
    address: reader.address,
    key,
    fields: { name: reader.name },
    messageId: messageIdFor(ctx.listId, ctx.slug, key, "x@example.ru"),
  };
  const subscriber = subscriberFor(ctx, recipient);
  return buildMessage(ctx, recipient, subscriber, personaliser.render(subscriber), DATE);
}

async function sendAll(thread: boolean): Promise<{ results: DeliveryResult[]; received: Map<string, string> }> {
  const before = sink.received.length;
  const transport = new SmtpTransport({ url: sink.url, maxConnections: 2, thread });
  await transport.open();
  const results = await Promise.all(READERS.map((r) => transport.send(messageFor(r))));
  await transport.close();
  const received = new Map(sink.received.slice(before).map((m) => [m.to.join(","), m.raw.toString("latin1")]));
  return { results, received };
}

describe("SMTP on its own thread and on the caller's: the same results, the same bytes", () => {
  it("sent, refused (550) and deferred (451) readers alike; every accepted message byte for byte the same", async () => {
    const threaded = await sendAll(true);
    const local = await sendAll(false);
    expect(threaded.results.map((r) => r.status)).toEqual(["sent", "permanent", "transient", "sent", "sent"]);
    expect(threaded.results).toEqual(local.results);
    expect(threaded.results[1]).toMatchObject({ code: 550 });
    expect(threaded.results[2]).toMatchObject({ code: 451, recipient: true, domain: true });
    expect([...threaded.received.keys()].sort()).toEqual(["anna@example.ru", "ivan@пример.рф", "plain@example.com"]);
    expect(threaded.received).toEqual(local.received);
  });

  it("MAIL FROM and RCPT TO carry the addresses as nodemailer writes them: an IDN domain in punycode, a domain in lower case", async () => {
    const before = sink.envelopeLines.length;
    const readers = [READERS[3], { address: "Plain.Reader@Example.COM", name: "" }, READERS[0]];
    for (const thread of [true, false]) {
      const transport = new SmtpTransport({ url: sink.url, maxConnections: 1, thread });
      for (const reader of readers) expect((await transport.send(messageFor(reader))).status).toBe("sent");
      await transport.close();
    }
    const rcpt = sink.envelopeLines.slice(before).filter((l) => /^RCPT/i.test(l));
    const wire = ["RCPT TO:<ivan@xn--e1afmkfd.xn--p1ai>", "RCPT TO:<Plain.Reader@example.com>", "RCPT TO:<anna@example.ru>"];
    expect(rcpt).toEqual([...wire, ...wire]);
    expect(sink.envelopeLines.slice(before).filter((l) => /^MAIL/i.test(l))).toHaveLength(6);
  });

  it("a message sent twice (a retry) goes out the same the second time, although its spliced bytes moved to the thread", async () => {
    const transport = new SmtpTransport({ url: sink.url, maxConnections: 1 });
    const message = messageFor(READERS[0]);
    const before = sink.received.length;
    expect((await transport.send(message)).status).toBe("sent");
    expect((await transport.send(message)).status).toBe("sent");
    await transport.close();
    const [a, b] = sink.received.slice(before).map((m) => m.raw.toString("latin1"));
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toBe(a);
  });

  it("after close, a send is a temporary failure that names the thread, not a crash", async () => {
    const transport = new SmtpTransport({ url: sink.url, maxConnections: 1 });
    expect((await transport.send(messageFor(READERS[0]))).status).toBe("sent");
    await transport.close();
    expect(await transport.send(messageFor(READERS[0]))).toMatchObject({ status: "transient", response: /SMTP thread stopped/ });
    // closed before its thread was ever needed: no thread is started for a send after close
    const unused = new SmtpTransport({ url: sink.url, maxConnections: 1 });
    await unused.close();
    expect(await unused.send(messageFor(READERS[0]))).toMatchObject({ status: "transient", response: /SMTP transport was closed/ });
  });

  it("warmUp starts open()'s check early: open reports its outcome, and a check nobody asks for is dropped quietly", async () => {
    const dead = new SmtpTransport({ url: `smtp://127.0.0.1:${await deadPort()}`, maxConnections: 1, connectionTimeout: 2000 });
    dead.warmUp();
    await expect(dead.open()).rejects.toThrow(/cannot connect to 127\.0\.0\.1:\d+.*nothing was sent/);
    await dead.close();
    // nobody to send: open() is never called, the check's failure goes nowhere (no unhandled rejection)
    const unused = new SmtpTransport({ url: `smtp://127.0.0.1:${await deadPort()}`, maxConnections: 1 });
    unused.warmUp();
    await new Promise((r) => setTimeout(r, 300));
    await unused.close();
    const ok = new SmtpTransport({ url: sink.url, maxConnections: 1 });
    ok.warmUp();
    await expect(ok.open()).resolves.toBeUndefined();
    await ok.close();
  });

  it("close() does not wait long for connections that hang (a server that never greets)", async () => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket); // accepted, never a greeting
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      // the check's connection waits for a greeting (30 s by default); nothing handed over: closed at once
      const checked = new SmtpTransport({ url: `smtp://127.0.0.1:${port}`, maxConnections: 1, closeWaitMs: 60_000 });
      checked.warmUp();
      for (let waited = 0; sockets.size === 0 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      expect(sockets.size).toBe(1);
      let t = performance.now();
      await checked.close();
      expect(performance.now() - t).toBeLessThan(3000);
      // a message handed over and waiting for its connection: close() gives it closeWaitMs, then ends the thread
      const sending = new SmtpTransport({ url: `smtp://127.0.0.1:${port}`, maxConnections: 1, closeWaitMs: 500 });
      const pending = sending.send(messageFor(READERS[0]));
      for (let waited = 0; sockets.size < 2 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      expect(sockets.size).toBe(2);
      t = performance.now();
      await sending.close();
      expect(performance.now() - t).toBeLessThan(3000);
      expect(await pending).toMatchObject({ status: "transient", response: /SMTP thread stopped/ });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("the thread does not keep a process alive that forgot to close the transport", async () => {
    const script = `
      import { SmtpTransport } from ${JSON.stringify(`${REPO}/src/send/transports/smtp.ts`)};
      const t = new SmtpTransport({ url: ${JSON.stringify(sink.url)}, maxConnections: 1 });
      await t.open();
      console.log("verified");
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const [code, signal] = await once(child, "exit");
    clearTimeout(timer);
    expect(out.trim()).toBe("verified");
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }, 30_000);
});
