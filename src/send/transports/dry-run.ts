import type { DeliveryResult, OutgoingMessage, Transport } from "../transport.js";

/**
 * `--dry-run`: everything a send does (compile, list, ledger, suppressions, per-reader rendering and
 * headers) except delivery. Counts the bytes it would have handed over.
 */
export class DryRunTransport implements Transport {
  readonly name = "dry-run";
  readonly description: string;
  bytes = 0;
  constructor(readonly wrapped?: string) {
    this.description = `dry run${wrapped ? ` (would use ${wrapped})` : ""}`;
  }
  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    this.bytes += message.html.length + message.text.length;
    return { status: "sent", response: "dry run: not delivered" };
  }
  async close(): Promise<void> {}
}
