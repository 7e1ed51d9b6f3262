import { type OutgoingMessage, toSendsayLetter } from "../../../message/message.js";
import { DEFAULT_API_URL, SendsayApiError, type SendsayClient, SendsayTransportError } from "../../../sendsay/client.js";
import type { DeliveryResult, Transport } from "../../transport.js";

/**
 * Personal mode: one `issue.send` with `group: "personal"` and `email` per recipient, each letter
 * already personalised by us. The engine owns the ledger, rate limit and retries; this transport tries
 * once and says what happened (the client it gets should have maxAttempts 1 so retries stay the
 * engine's):
 *   answer with track.id            → sent (providerId = track id)
 *   errors about the address        → permanent (only that reader)
 *   errors about the request limit  → transient
 *   5xx, timeout, dropped connection → transient (like a dropped SMTP connection: the engine retries)
 *   errors about the key, login or the letter itself → thrown: every other reader would fail the same way
 *
 * Sendsay builds the MIME message itself: our List-* headers and Message-ID are not passed on (Sendsay
 * adds its own unsubscribe handling); From, Reply-To, Subject and both parts are.
 */
export class SendsayTransport implements Transport {
  readonly name = "sendsay";
  readonly description: string;

  constructor(private readonly client: SendsayClient) {
    const host = client.baseUrl === DEFAULT_API_URL ? "" : ` at ${client.baseUrl}`;
    this.description = `sendsay://${client.login} (personal letters${host})`;
  }

  /** The exact issue.send body for one message. */
  static request(message: OutgoingMessage) {
    return { action: "issue.send" as const, letter: toSendsayLetter(message), group: "personal", email: message.to, sendwhen: "now" };
  }

  /** Checks the key and login before the first letter (a harmless read); throws with the fix. */
  async open(): Promise<void> {
    await pingSendsay(this.client);
  }

  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    try {
      const answer = await this.client.request(SendsayTransport.request(message), { idempotent: false });
      const track = answer["track.id"];
      return {
        status: "sent",
        response: "accepted by Sendsay",
        providerId: track === undefined || track === null ? undefined : String(track),
      };
    } catch (error) {
      if (error instanceof SendsayApiError) {
        const response = `${error.errorId}${error.explain ? `: ${error.explain}` : ""}`;
        if (error.kind === "recipient") return { status: "permanent", response };
        if (error.kind === "rate") return { status: "transient", response };
        throw error;
      }
      if (error instanceof SendsayTransportError) {
        return { status: "transient", code: error.status, response: error.diagnostics[0]?.message ?? error.message };
      }
      throw error;
    }
  }

  async close(): Promise<void> {}
}

export interface PingResult {
  login: string;
  endpoint: string;
  /** What the account says about itself, when it says it. */
  accountId?: string;
  accountName?: string;
}

/**
 * `rassylka sendsay ping`: a harmless documented read (sys.settings.get of the account's id and name)
 * that needs a working key and login. Throws SendsayApiError / SendsayTransportError with the fix.
 */
export async function pingSendsay(client: SendsayClient): Promise<PingResult> {
  const answer = await client.request<{ list?: Record<string, unknown> }>(
    { action: "sys.settings.get", list: ["about.id", "about.name"] },
    { idempotent: true },
  );
  const list = answer.list ?? {};
  const str = (v: unknown) => (v === undefined || v === null || v === "" ? undefined : String(v));
  return { login: client.login, endpoint: client.endpoint, accountId: str(list["about.id"]), accountName: str(list["about.name"]) };
}
