import type { DeliveryResult, OutgoingMessage, Transport } from "../transport.js";

/**
 * `--dry-run`: everything a send does (compile, list, ledger, suppressions, per-reader rendering and
 * headers) except delivery. Chosen once, by the CLI, in place of the transport it names.
 */
export class DryRunTransport implements Transport {
  readonly name = "dry-run";
  readonly description: string;
  constructor(readonly wrapped?: string) {
    this.description = `dry run${wrapped ? ` (would use ${wrapped})` : ""}`;
  }
  async send(_message: OutgoingMessage): Promise<DeliveryResult> {
    return { status: "sent", response: "dry run: not delivered" };
  }
  async close(): Promise<void> {}
}
