import { parentPort, workerData } from "node:worker_threads";
import { PoolSender, type PoolSettings } from "./smtp-pool.js";

/**
 * The SMTP thread (SmtpTransport's default): the connection pool (smtp-pool.ts), driven by the send loop's thread. It
 * gets batches of requests — {id, op: "verify"} and {id, op: "send", mail} — and answers with batches of
 * {id, reply}: the replies that came in one turn of this thread's event loop go in one message, as one
 * message to a thread costs about as much as splicing a reader's email. {op: "close"} closes the pool;
 * the thread ends once its connections have.
 */
type Request = { id: number; op: "verify" | "send" | "close"; mail?: Record<string, unknown> };

const sender = new PoolSender(workerData as PoolSettings);
let replies: { id: number; reply: unknown }[] = [];

function answer(id: number, reply: unknown): void {
  if (!replies.length) {
    setImmediate(() => {
      const batch = replies;
      replies = [];
      parentPort?.postMessage(batch);
    });
  }
  replies.push({ id, reply });
}

parentPort?.on("message", (batch: Request[]) => {
  for (const m of batch) {
    if (m.op === "close") {
      sender.close();
      parentPort?.close();
      return;
    }
    const pending = m.op === "verify" ? sender.verify() : sender.send(m.mail ?? {});
    void pending.then((reply) => answer(m.id, reply));
  }
});
