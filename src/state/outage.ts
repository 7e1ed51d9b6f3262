/**
 * An error of the state's server that passes: its connection refused, reset or ended by a restart or a
 * failover (PostgreSQL's class 08 connection exceptions and 57P01–57P03: shut down, crashed, starting up).
 * Writing again in a moment may work; a full disk or a refused login will not (those are not outages).
 */
export function isStateOutage(e: unknown): boolean {
  for (let cause = e, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = String((cause as { code?: unknown }).code ?? "");
    if (OUTAGE_CODES.has(code) || code.startsWith("08")) return true;
    if (
      /Connection terminated|terminating connection|the database system is (starting up|shutting down)/i.test(
        String((cause as Error).message),
      )
    )
      return true;
  }
  return false;
}

const OUTAGE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "57P01", "57P02", "57P03"]);
