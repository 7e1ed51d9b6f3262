import { describe, expect, it } from "vitest";
import { isStateOutage } from "../../src/state/outage.js";

/** Which errors of the state a run writes again after a moment (src/send/delivery.ts recordLeft). */
describe("isStateOutage", () => {
  const err = (message: string, code?: string, cause?: unknown) => Object.assign(new Error(message, { cause }), code ? { code } : {});
  it.each([
    ["connection refused while the server is down", err("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
    ["the server ending connections at shutdown", err("terminating connection due to administrator command", "57P01")],
    ["the server starting up", err("the database system is starting up", "57P03")],
    ["a connection pg found closed", err("Connection terminated unexpectedly")],
    ["a class 08 connection exception", err("connection failure", "08006")],
    ["an outage wrapped as the cause of our own error", err("cannot record the send", undefined, err("x", "ECONNRESET"))],
  ])("%s: an outage", (_, e) => {
    expect(isStateOutage(e)).toBe(true);
  });
  it.each([
    ["a refused login", err('password authentication failed for user "rassylka"', "28P01")],
    ["a database that refuses connections on purpose", err('database "t_1" is not currently accepting connections', "55000")],
    ["a full SQLite disk", err("database or disk is full", "SQLITE_FULL")],
    ["a bug of ours", new TypeError("x is undefined")],
    ["nothing", undefined],
  ])("%s: not an outage", (_, e) => {
    expect(isStateOutage(e)).toBe(false);
  });
});
