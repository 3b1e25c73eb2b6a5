/**
 * Probes one service on one host: resolve (unless an IP literal), guard, connect, run the service's
 * dialogue with STARTTLS or implicit TLS, analyse the certificate. One deadline per address covers
 * every step. Each address is probed on its own: a failure on one never spoils another.
 */
import { isIP } from "node:net";
import { limits } from "../../core/limits.js";
import { Deadline } from "../../net/deadline.js";
import type { Network } from "../../net/network.js";
import type { Dialogue, TlsMode } from "../dialogue/dialogue.js";
import { httpDialogue } from "../dialogue/http.js";
import { imapDialogue } from "../dialogue/imap.js";
import { pop3Dialogue } from "../dialogue/pop3.js";
import { type DialogueRun, runDialogue } from "../dialogue/run-dialogue.js";
import { smtpDialogue } from "../dialogue/smtp.js";
import { analyzeChain } from "../tls/certificate.js";
import { negotiatedOf } from "../tls/negotiated.js";
import { type EnumerationRun, enumerateEndpoint, type ProberOptions } from "../tls/prober/prober.js";
import type { TrustStore } from "../tls/trust-store.js";
import type { EndpointError, EndpointReport, EndpointTls } from "./endpoint.js";
import type { Service } from "./services.js";

export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
  readonly service: Service;
  readonly tlsMode: TlsMode;
}

export interface ProbeOptions {
  readonly ehloName: string;
  readonly stepTimeoutMs: number;
  readonly endpointDeadlineMs?: number;
  readonly trustStore: TrustStore;
  /** Enumerate versions, suites and groups with raw handshakes after the main handshake. */
  readonly enumeration?: ProberOptions | false;
}

// biome-ignore lint/suspicious/noExplicitAny: the dialogue's own types are erased at this boundary
export type AnyDialogue = Dialogue<any, any, any, unknown>;

export function dialogueFor(target: ProbeTarget, options: ProbeOptions): AnyDialogue {
  switch (target.service) {
    case "smtp":
    case "submission":
      return smtpDialogue({ ehloName: options.ehloName, tlsMode: target.tlsMode });
    case "imap":
      return imapDialogue({ tlsMode: target.tlsMode });
    case "pop3":
      return pop3Dialogue({ tlsMode: target.tlsMode });
    case "https":
      return httpDialogue({
        host: target.host,
        port: target.port,
        defaultPort: target.tlsMode === "none" ? 80 : 443,
        method: "GET",
      });
  }
}

function starttlsAdvertisedOf(facts: unknown): boolean | null {
  const f = facts as { starttlsAdvertised?: boolean | null; stlsAdvertised?: boolean | null } | null;
  return f?.starttlsAdvertised ?? f?.stlsAdvertised ?? null;
}

/** Facts fit for the JSON report: buffers (HTTP bodies) are left out. */
function reportableFacts(facts: unknown): unknown {
  if (facts && typeof facts === "object" && "body" in facts) {
    const { body: _body, ...rest } = facts as Record<string, unknown>;
    return rest;
  }
  return facts;
}

async function probeAddress(
  target: ProbeTarget,
  address: string,
  options: ProbeOptions,
  network: Network,
): Promise<EndpointReport> {
  const started = network.clock.now();
  const deadline = new Deadline(
    network.clock,
    options.endpointDeadlineMs ?? limits.endpointDeadlineMs,
    options.stepTimeoutMs,
  );
  const base = {
    host: target.host,
    address,
    port: target.port,
    service: target.service,
    tlsMode: target.tlsMode,
  };
  const stats = (connections: number) => ({
    connections,
    retries: 0,
    durationMs: network.clock.now() - started,
  });

  // The main connection takes a slot of the per-host cap like every enumeration connection.
  const limiter = options.enumeration ? options.enumeration.limiter : undefined;
  const release = limiter ? await limiter.acquire(address) : () => {};
  const connected = await network.connect(address, target.port, deadline.forStep());
  if (!connected.ok) {
    release();
    return {
      ...base,
      starttlsAdvertised: null,
      tls: null,
      dialogue: null,
      plaintextInjection: null,
      transcript: [`*: ${connected.failure.message}`],
      stats: stats(connected.failure.reason === "not_allowed" ? 0 : 1),
      outcome: "failed",
      error: { step: "connect", ...connected.failure },
    };
  }
  const connection = connected.value;
  const serverName = isIP(target.host) === 0 ? target.host.replace(/\.$/, "") : undefined;
  // The enumeration starts as soon as the server has said "go ahead" to TLS, alongside the handshake.
  const running: { enumeration: Promise<EnumerationRun> | null } = { enumeration: null };
  const startEnumeration = () => {
    if (options.enumeration && !running.enumeration) {
      running.enumeration = enumerateEndpoint(target, address, options, options.enumeration, network);
    }
  };
  const startTls = () => {
    connection.transcript.add("*", "TLS handshake");
    startEnumeration();
    return connection.startTls(serverName ? { serverName } : {}, deadline.forStep());
  };
  const dialogue = dialogueFor(target, options);
  let run: DialogueRun<unknown>;
  try {
    if (target.tlsMode === "implicit") {
      const handshake = await startTls();
      run = handshake.ok
        ? { ...(await runDialogue(dialogue, connection, deadline, startTls, true)), tls: handshake.value }
        : { facts: null, tls: null, injection: null, failure: { step: "handshake", ...handshake.failure } };
    } else {
      run = await runDialogue(dialogue, connection, deadline, startTls, false);
    }
  } finally {
    connection.close();
    release();
  }
  let tls: EndpointTls | null = null;
  if (run.tls) {
    const negotiated = negotiatedOf(run.tls);
    connection.transcript.add("*", `TLS established: ${negotiated.version} ${negotiated.cipherSuite}`);
    tls = {
      negotiated,
      certificate: analyzeChain(run.tls.peerChain, {
        host: serverName ?? null,
        store: options.trustStore,
        now: new Date(network.clock.now()),
        ocspStapled: run.tls.ocspStaple !== null,
      }),
      ocspStapled: run.tls.ocspStaple !== null,
    };
  }
  const error: EndpointError | null = run.failure;
  let connections = 1;
  let retries = 0;
  // When the handshake failed, the enumeration still ends and its connections are still counted.
  const enumerated = running.enumeration ? await running.enumeration : null;
  connections += enumerated?.connections ?? 0;
  retries += enumerated?.retries ?? 0;
  if (enumerated && options.enumeration && (tls || enumerated.enumeration.versions.length > 0)) {
    const e = enumerated.enumeration;
    tls = {
      ...(tls ?? { negotiated: null, certificate: null, ocspStapled: false }),
      versions: e.versions,
      cipherSuites: e.cipherSuites,
      serverPreference: e.serverPreference,
      groups: e.groups,
      enumeration: {
        complete: e.complete,
        throttled: enumerated.throttled,
        quick: options.enumeration.quick,
        serverPreferenceByVersion: e.serverPreferenceByVersion,
        dhBits: e.dhBits,
        compression: e.compression,
        secureRenegotiation: e.secureRenegotiation,
        extendedMasterSecret: e.extendedMasterSecret,
        encryptThenMac: e.encryptThenMac,
        sslv2: e.sslv2,
        connections: enumerated.connections,
        notes: e.notes,
      },
    };
  }
  return {
    ...base,
    starttlsAdvertised: target.tlsMode === "starttls" ? starttlsAdvertisedOf(run.facts) : null,
    tls,
    dialogue: { protocol: dialogue.name, facts: reportableFacts(run.facts) },
    plaintextInjection: run.injection,
    transcript: connection.transcript.toJSON(),
    stats: { connections, retries, durationMs: network.clock.now() - started },
    outcome: error ? "failed" : "completed",
    error,
  };
}

/** Probes every address of the host (at most limits.maxAddressesPerHost), one after another. */
export async function probeEndpoint(
  target: ProbeTarget,
  options: ProbeOptions,
  network: Network,
): Promise<EndpointReport[]> {
  let addresses: readonly string[];
  if (isIP(target.host) !== 0) {
    addresses = [target.host];
  } else {
    const started = network.clock.now();
    const answer = await network.resolver.addresses(target.host, options.stepTimeoutMs);
    if (!answer.ok) {
      return [
        {
          host: target.host,
          address: null,
          port: target.port,
          service: target.service,
          tlsMode: target.tlsMode,
          starttlsAdvertised: null,
          tls: null,
          dialogue: null,
          plaintextInjection: null,
          transcript: [`*: DNS (${network.resolver.description}): ${answer.message}`],
          stats: { connections: 0, retries: 0, durationMs: network.clock.now() - started },
          outcome: "failed",
          error: {
            step: "dns",
            reason: answer.reason === "timeout" ? "timeout" : "error",
            message: `${target.host}: ${answer.reason.replace("_", " ")} (${answer.message})`,
          },
        },
      ];
    }
    addresses = answer.value.slice(0, limits.maxAddressesPerHost);
  }
  const reports: EndpointReport[] = [];
  for (const address of addresses) reports.push(await probeAddress(target, address, options, network));
  return reports;
}
