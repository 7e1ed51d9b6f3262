import type { SubscribeLog } from "./subscribe.js";

/**
 * The confirmation emails of `POST /subscribe`, sent after the answer, one at a time. Answering only
 * once the email was sent made the answer's time tell a new address (a confirmation sent: ~230 ms) from
 * a confirmed one (nothing sent: ~9 ms); queued, both are answered as soon as the request is recorded.
 * What became of each email is reported to `onDone` (the log line serve prints).
 */
export class ConfirmationQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly onDone: (log: SubscribeLog) => void = () => {}) {}

  /** Runs `job` after the ones before it, and after the current answer went out (setImmediate). */
  push(job: () => Promise<SubscribeLog>): void {
    this.tail = this.tail.then(
      () =>
        new Promise<void>((done) =>
          setImmediate(() => {
            job()
              .then(this.onDone, () => {})
              .finally(done);
          }),
        ),
    );
  }

  /** Resolves once every email queued so far was handed over (or failed). */
  drain(): Promise<void> {
    return this.tail;
  }
}
