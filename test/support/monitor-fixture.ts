/**
 * A monitor on an in-memory SQLite store with the real engine over a fake network: MX records from
 * plain data, every connection refused and counted, time from a hand-moved clock. No socket, no real time.
 */
import type { ProbeCache } from "../../src/audit/audit.js";
import type { Territory } from "../../src/audit/measures/territory.js";
import { trustStoreOf } from "../../src/audit/tls/trust-store.js";
import { type Auditor, engineAuditor } from "../../src/monitor/audit-job.js";
import { type Monitor, type MonitorOptions, openMonitor } from "../../src/monitor/monitor.js";
import type { Network } from "../../src/net/network.js";
import { fail } from "../../src/net/outcome.js";
import { type FakeZone, fakeResolver } from "../../src/net/resolver.js";
import { targetGuard } from "../../src/net/target-guard.js";
import type { OrganisationInput } from "../../src/registry/model.js";
import { Registry } from "../../src/registry/repository.js";
import type { Store } from "../../src/store/database.js";

export class FakeClock {
  constructor(public t: number) {}
  now = () => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Four signatories, five domains; mx.shared.example serves three of them. */
export const monitorSignatories: OrganisationInput[] = [
  {
    name: "Alpha",
    contact: "pm@alpha.example",
    adhesionDate: "2026-01-01",
    domains: [
      { domain: "alpha.example", mx: ["mx.shared.example"] },
      { domain: "alpha2.example", mx: ["mx.shared.example"] },
    ],
  },
  {
    name: "Bravo",
    contact: "pm@bravo.example",
    adhesionDate: "2026-01-01",
    domains: [{ domain: "bravo.example", mx: ["mx.shared.example"] }],
  },
  {
    name: "Charlie",
    contact: "pm@charlie.example",
    adhesionDate: "2026-01-01",
    domains: [{ domain: "charlie.example", mx: ["mx.charlie.example"] }],
  },
  {
    name: "Delta",
    contact: "pm@delta.example",
    adhesionDate: "2026-01-01",
    domains: [{ domain: "delta.example", mx: ["mx.delta.example"] }],
  },
  {
    name: "Withdrawn",
    contact: "pm@gone.example",
    adhesionDate: "2025-01-01",
    withdrawalNoticeDate: "2025-06-01",
    domains: [{ domain: "gone.example", mx: ["mx.gone.example"] }],
  },
];

export const monitorZone: FakeZone = {
  MX: {
    "alpha.example": [{ exchange: "mx.shared.example", priority: 10 }],
    "alpha2.example": [{ exchange: "mx.shared.example", priority: 10 }],
    "bravo.example": [{ exchange: "mx.shared.example", priority: 10 }],
    "charlie.example": [{ exchange: "mx.charlie.example", priority: 10 }],
    "delta.example": [{ exchange: "mx.delta.example", priority: 10 }],
    "gone.example": [{ exchange: "mx.gone.example", priority: 10 }],
  },
  A: {
    "mx.shared.example": ["192.0.2.10"],
    "mx.charlie.example": ["192.0.2.20"],
    "mx.delta.example": ["192.0.2.30"],
    "mx.gone.example": ["192.0.2.40"],
  },
};

export interface FakeEngine {
  readonly network: Network;
  /** Connections asked for, per "address:port". */
  readonly connections: Map<string, number>;
  readonly auditor: (cache: ProbeCache) => Auditor;
}

const inTerritory: Territory = { countries: ["FR"], locate: () => ({ country: "FR", source: "test" }) };

export function fakeEngine(clock: FakeClock, zone: FakeZone = monitorZone): FakeEngine {
  const connections = new Map<string, number>();
  const network: Network = {
    resolver: fakeResolver(zone),
    clock,
    guard: targetGuard({ allowPrivate: true }),
    async connect(address, port) {
      const key = `${address}:${port}`;
      connections.set(key, (connections.get(key) ?? 0) + 1);
      return fail("refused", `connect ${key}: refused (fake network)`);
    },
  };
  const options = {
    ehloName: "probe.monitor.test",
    stepTimeoutMs: 1000,
    trustStore: trustStoreOf([], "no roots"),
    enumeration: false as const,
    territory: inTerritory,
    conventionalNames: false,
  };
  return { network, connections, auditor: (cache) => engineAuditor(options, network, () => cache) };
}

/** Gates audits: `hold(domain)` makes that domain's audit wait until `release(domain)`. */
export class Gate {
  private readonly waiting = new Map<string, { promise: Promise<void>; open: () => void }>();
  readonly started: string[] = [];
  hold(domain: string): void {
    let open = () => {};
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.waiting.set(domain, { promise, open });
  }
  release(domain: string): void {
    this.waiting.get(domain)?.open();
    this.waiting.delete(domain);
  }
  wrap(auditor: (cache: ProbeCache) => Auditor): (cache: ProbeCache) => Auditor {
    return (cache) => {
      const inner = auditor(cache);
      return async (domain, onProgress) => {
        this.started.push(domain);
        await this.waiting.get(domain)?.promise;
        return inner(domain, onProgress);
      };
    };
  }
}

export async function registered(store: Store): Promise<void> {
  await (await Registry.open(store)).import(monitorSignatories);
}

export function monitorOn(
  store: Store,
  clock: FakeClock,
  auditor: (cache: ProbeCache) => Auditor,
  extra: Partial<MonitorOptions> = {},
): Promise<Monitor> {
  return openMonitor({ store, auditor, clock, random: () => 0.5, ...extra });
}

/** Waits (in real time, briefly) until `test` holds. */
export async function until(test: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
