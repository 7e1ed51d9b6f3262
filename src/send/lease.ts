import type { LedgerStore } from "../state/ledger.js";

/**
 * A worker's heartbeat: renews its lease on the issue and on the readers it has in flight
 * every third of the lease, from the moment it joins a run until it ends, so a live worker keeps its
 * claims however slow the receiving servers are, and a dead one loses them within one lease. A failed
 * renewal (the database away for a moment) is tried again on the next beat; if the lease runs out
 * meanwhile, the ledger refuses this worker's records over another's claim and the send stops.
 */
export class Heartbeat {
  private readonly timer: NodeJS.Timeout;
  private beating?: Promise<void>;

  constructor(
    private readonly ledger: LedgerStore,
    private readonly issue: string,
    private readonly leaseMs: number,
  ) {
    this.timer = setInterval(() => this.beat(), Math.max(10, Math.floor(leaseMs / 3)));
    this.timer.unref();
  }

  private beat(): void {
    if (this.beating) return;
    this.beating = this.ledger
      .heartbeat(this.issue, this.leaseMs)
      .catch(() => {})
      .finally(() => {
        this.beating = undefined;
      });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
  }
}
