import { join, relative } from "node:path";
import type { NewsletterConfig } from "../config/schema.js";
import { dkimFromEnv } from "../message/message.js";
import type { AudienceSource } from "../send/audience.js";
import { sendIssue } from "../send/send-issue.js";
import type { Transport } from "../send/transport.js";
import { OutboxTransport } from "../send/transports/outbox.js";
import { SMTP_URL_ENV, SmtpTransport } from "../send/transports/smtp.js";
import type { StateLocation } from "../state/location.js";
import type { Store } from "../state/store.js";
import type { Subscriber } from "../state/subscribers.js";
import { maskAddress } from "../util/redact.js";
import type { SubscribeServerOptions } from "./subscribe.js";

/**
 * What `serve` needs for the subscribe form (docs/subscribe.md): the mailer of the confirmation emails
 * — SMTP when `SMTP_URL` is set in serve's environment, else `outbox/subscribe/` (one .eml per address,
 * what `send`'s outbox does) — the log lines, and the welcome issue (`subscribe.welcome`) sent to a
 * reader who confirmed: through `send`'s own path (the ledger, so never twice), one at a time.
 */
/** Where serve's log lines go (the CLI passes its stdout and stderr). */
export interface ServeLog {
  out(text: string): void;
  err(text: string): void;
}

export interface SubscribeBackend {
  options: SubscribeServerOptions;
  /** Where confirmations go, for the start-up line. */
  description: string;
  /** Waits for welcome sends under way, closes the mailer. */
  close(): Promise<void>;
}

export function subscribeBackend(
  root: string,
  config: NewsletterConfig,
  store: Store,
  location: StateLocation,
  env: NodeJS.ProcessEnv,
  io: ServeLog,
): SubscribeBackend {
  const smtpUrl = env[SMTP_URL_ENV];
  const dkim = dkimFromEnv(env);
  const outbox = join(root, "outbox", "subscribe");
  const mailer: Transport = smtpUrl
    ? // a confirmation now and then: the pool on serve's own thread (a thread of its own pays off for a send's thousands)
      new SmtpTransport({ url: smtpUrl, maxConnections: 2, dkim, thread: false })
    : new OutboxTransport({ dir: outbox, dkim, description: "outbox/subscribe/" });
  let welcomes: Promise<void> = Promise.resolve();
  const welcome = config.subscribe?.welcome;
  const sendWelcome = (s: Subscriber) => {
    if (!welcome) return;
    const audience: AudienceSource = {
      label: "welcome",
      async *rows() {
        yield { line: 1, address: s.address, fields: s.fields };
      },
    };
    welcomes = welcomes.then(async () => {
      try {
        const summary = await sendIssue({
          root,
          issue: welcome,
          audience,
          mode: "send",
          stateFile: location.kind === "postgres" ? location.url : location.file,
          env,
          allowChanged: true,
          transport: ({ slug }) =>
            smtpUrl
              ? new SmtpTransport({ url: smtpUrl, maxConnections: 1, dkim, thread: false })
              : new OutboxTransport({ dir: join(root, "outbox", slug), dkim }),
        });
        io.out(
          `welcome: ${JSON.stringify({ issue: summary.slug, email: maskAddress(s.address), sent: summary.sent, alreadySent: summary.alreadySent, failed: summary.failed })}`,
        );
      } catch (e) {
        io.err(`error: welcome ${welcome} to ${maskAddress(s.address)}: ${(e as Error).message.split("\n")[0]}`);
      }
    });
  };
  return {
    options: {
      store: store.subscribers,
      mailer,
      onEvent: (log) => io.out(`subscribe: ${JSON.stringify(log)}`),
      onConfirmed: sendWelcome,
    },
    description: smtpUrl ? mailer.description : `${relative(process.cwd(), outbox) || outbox}/`,
    async close() {
      await welcomes;
      await mailer.close();
    },
  };
}
