import { describe, expect, it } from "vitest";
import { Admission } from "../../../src/outbound/admission.js";

const limits = {
  maxConnections: 3,
  maxConnectionsPerIp: 2,
  connectionsPerIpPerWindow: 4,
  rateWindowMs: 1000,
  rateTrackedAddresses: 2,
};

describe("admission", () => {
  it("bounds connections per address and overall, and frees them on release", () => {
    const a = new Admission(limits);
    expect(a.admit("192.0.2.1", 0)).toEqual({ ok: true });
    expect(a.admit("192.0.2.1", 0)).toEqual({ ok: true });
    expect(a.admit("192.0.2.1", 0)).toEqual({ ok: false, reason: "too-many-from-address" });
    expect(a.admit("192.0.2.2", 0)).toEqual({ ok: true });
    expect(a.admit("192.0.2.3", 0)).toEqual({ ok: false, reason: "too-many-connections" });
    a.release("192.0.2.1");
    expect(a.connections).toBe(2);
    expect(a.admit("192.0.2.3", 0)).toEqual({ ok: true });
    a.release("192.0.2.9"); // never admitted: nothing changes
    expect(a.connections).toBe(3);
  });

  it("limits new connections per address per window, then lets them in again", () => {
    const a = new Admission({ ...limits, maxConnectionsPerIp: 10, maxConnections: 10 });
    for (let i = 0; i < 4; i++) {
      expect(a.admit("192.0.2.1", i)).toEqual({ ok: true });
      a.release("192.0.2.1");
    }
    expect(a.admit("192.0.2.1", 10)).toEqual({ ok: false, reason: "rate-limited" });
    expect(a.admit("192.0.2.1", 1001)).toEqual({ ok: true });
  });

  it("remembers a bounded number of addresses", () => {
    const a = new Admission({
      ...limits,
      connectionsPerIpPerWindow: 1,
      maxConnectionsPerIp: 10,
      maxConnections: 10,
    });
    a.admit("192.0.2.1", 0);
    a.admit("192.0.2.2", 0);
    a.admit("192.0.2.3", 0); // forgets 192.0.2.1
    expect(a.admit("192.0.2.1", 1)).toEqual({ ok: true });
    expect(a.admit("192.0.2.3", 1)).toEqual({ ok: false, reason: "rate-limited" });
  });
});
