/**
 * Probes one service on one host: resolve (unless an IP literal), guard, connect, run the service's
 * dialogue with STARTTLS or implicit TLS, analyse the certificate, enumerate with raw handshakes.
 * One deadline per endpoint covers every step — DNS, the main connection, every enumeration
 * connection — and every address; each address is probed on its own, side by side, so a failure or a
 * slow server on one never spoils or delays another.
 */
import { isIP } from "node:net";
import { limits } from "../../core/limits.js";
import type { Connection } from "../../net/connection.js";
import { Deadline } from "../../net/deadline.js";
import { realSleep } from "../../net/host-limiter.js";
import type { Network } from "../../net/network.js";
import type { NetFailure } from "../../net/outcome.js";
import type { Dialogue, TlsMode } from "../dialogue/dialogue.js";
import { httpDialogue } from "../dialogue/http.js";
import { imapDialogue } from "../dialogue/imap.js";
import { pop3Dialogue } from "../dialogue/pop3.js";
import { type DialogueRun, runDialogue } from "../dialogue/run-dialogue.js";
import { smtpDialogue } from "../dialogue/smtp.js";
import { analyzeChain } from "../tls/certificate.js";
import { negotiatedOf } from "../tls/negotiated.js";
import { EndpointLearning } from "../tls/prober/endpoint-learning.js";
import { defaultPoliteness } from "../tls/prober/politeness.js";
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
  /** A deadline the endpoint's own never passes (an audit's). */
  readonly within?: Deadline;
  readonly trustStore: TrustStore;
  /** Enumerate versions, suites and groups with raw handshakes after the main handshake. */
  readonly enumeration?: ProberOptions | false;
}

// biome-ignore lint/suspicious/noExplicitAny: the dialogue's own types are erased at this boundary
export type AnyDialogue = Dialogue<any, any, any, unknown>;

export function dialogueFor(target: ProbeTarget, options: Pick<ProbeOptions, "ehloName">): AnyDialogue {
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

/** The endpoint's deadline: its own total, never past the one it runs `within`. */
export function endpointDeadline(options: ProbeOptions, network: Network): Deadline {
  return new Deadline(
    network.clock,
    options.endpointDeadlineMs ?? limits.endpointDeadlineMs,
    options.stepTimeoutMs,
    options.within,
  );
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

type MainAttempt =
  | { readonly kind: "connect-failed"; readonly failure: NetFailure }
  | { readonly kind: "ran"; readonly run: DialogueRun<unknown>; readonly connection: Connection };

async function probeAddress(
  target: ProbeTarget,
  address: string,
  options: ProbeOptions,
  network: Network,
  deadline: Deadline,
): Promise<EndpointReport> {
  const started = network.clock.now();
  const base = {
    host: target.host,
    address,
    port: target.port,
    service: target.service,
    tlsMode: target.tlsMode,
  };
  const learning = new EndpointLearning(options.stepTimeoutMs);
  const politeness = (options.enumeration ? options.enumeration.politeness : undefined) ?? defaultPoliteness;
  const serverName = isIP(target.host) === 0 ? target.host.replace(/\.$/, "") : undefined;
  // The enumeration starts as soon as the server has said "go ahead" to TLS, alongside the handshake.
  const running: { enumeration: Promise<EnumerationRun> | null } = { enumeration: null };
  const startEnumeration = () => {
    if (options.enumeration && !running.enumeration) {
      running.enumeration = enumerateEndpoint(
        {
          address,
          port: target.port,
          ...(serverName ? { serverName } : {}),
          starttls: target.tlsMode === "starttls" ? () => dialogueFor(target, options) : null,
        },
        options.enumeration,
        deadline,
        learning,
        network,
      );
    }
  };
  const dialogue = dialogueFor(target, options);

  /** One main connection: dialogue, STARTTLS or implicit TLS, the full handshake, post-TLS. */
  const mainAttempt = async (): Promise<MainAttempt> => {
    // It takes a slot of the per-host cap (in the network seam) like every other connection.
    learning.started();
    const connected = await network.connect(address, target.port, deadline.forStep(), deadline);
    if (!connected.ok) {
      learning.ended({ answered: false, silent: false });
      return { kind: "connect-failed", failure: connected.failure };
    }
    const connection = connected.value;
    const opened = network.clock.now();
    let mainEnded = false;
    const endMain = (answered: boolean, silent: boolean) => {
      if (mainEnded) return;
      mainEnded = true;
      learning.ended({ answered, silent });
    };
    const startTls = () => {
      connection.transcript.add("*", "TLS handshake");
      if (target.tlsMode === "starttls") {
        // The greeting and STARTTLS went through: the endpoint answers, and this is what it costs.
        learning.noteDialogue(network.clock.now() - opened);
        endMain(true, false);
      }
      startEnumeration();
      return connection.startTls(serverName ? { serverName } : {}, deadline.forStep());
    };
    let outcome: DialogueRun<unknown> | undefined;
    try {
      if (target.tlsMode === "implicit") {
        const handshake = await startTls();
        endMain(
          handshake.ok || handshake.failure.reason !== "timeout",
          !handshake.ok && handshake.failure.reason === "timeout",
        );
        outcome = handshake.ok
          ? { ...(await runDialogue(dialogue, connection, deadline, startTls, true)), tls: handshake.value }
          : { facts: null, tls: null, injection: null, failure: { step: "handshake", ...handshake.failure } };
      } else {
        outcome = await runDialogue(dialogue, connection, deadline, startTls, false);
      }
    } finally {
      connection.close();
      // Still not ended: the greeting never came (silence), or the dialogue failed before STARTTLS.
      const f = outcome?.failure;
      const silent =
        f?.reason === "timeout" &&
        f.step === "greeting" &&
        connection.transcript.lines.every((l) => l.from !== "S");
      endMain(!silent && f?.reason !== "timeout", silent);
    }
    return { kind: "ran", run: outcome, connection };
  };

  // A 421/450 greeting (or BYE, -ERR) is throttling: backoff, retry, then report it as throttled.
  const earlier: string[] = [];
  let mainConnections = 1;
  let mainRetries = 0;
  const retryAfterBackoff = async (why: string): Promise<boolean> => {
    const backoff = politeness.backoffMs * 2 ** mainRetries;
    if (mainRetries >= politeness.retries || backoff >= deadline.remaining()) return false;
    earlier.push(`*: ${why}: retrying in ${backoff} ms`);
    await realSleep(backoff);
    mainRetries++;
    mainConnections++;
    return true;
  };
  let attempt = await mainAttempt();
  while (attempt.kind === "ran" && attempt.run.failure?.reason === "throttled") {
    earlier.push(...attempt.connection.transcript.toJSON());
    if (!(await retryAfterBackoff("throttled"))) break;
    attempt = await mainAttempt();
  }
  if (attempt.kind === "connect-failed") {
    const failure = attempt.failure;
    const enumerated = running.enumeration ? await running.enumeration : null;
    return {
      ...base,
      starttlsAdvertised: null,
      tls: null,
      dialogue: null,
      plaintextInjection: null,
      transcript: [...earlier, `*: ${failure.message}`],
      stats: {
        connections:
          (failure.reason === "not_allowed" ? 0 : mainConnections) + (enumerated?.connections ?? 0),
        retries: mainRetries + (enumerated?.retries ?? 0),
        durationMs: network.clock.now() - started,
      },
      outcome: "failed",
      error: { step: "connect", reason: failure.reason, message: failure.message },
    };
  }
  // When the handshake failed, the enumeration still ends and its connections are still counted.
  let enumerated = running.enumeration ? await running.enumeration : null;
  if (
    attempt.run.failure?.step === "handshake" &&
    attempt.run.failure.reason !== "timeout" &&
    !("peerChain" in attempt.run.failure) &&
    (enumerated?.enumeration.incompleteReason === "throttled" || (enumerated?.retries ?? 0) > 0)
  ) {
    // Also when the enumeration only had to retry: the server pushed back on this host (Exim's
    // smtp_accept_max counts every port), and a refusal line read by the TLS client is a protocol
    // error that says nothing about TLS.
    // The raw hellos met refusal lines: the failed handshake was likely one too. Once the
    // enumeration has let go of its connections, the main connection is tried again.
    earlier.push(...attempt.connection.transcript.toJSON());
    if (await retryAfterBackoff("the server throttles (refusal lines instead of a ServerHello)")) {
      const again = await mainAttempt();
      if (again.kind === "ran") attempt = again;
    }
    enumerated = running.enumeration ? await running.enumeration : enumerated;
  }
  const { run, connection } = attempt;
  // A handshake that aborted after the server's Certificate message carries the chain it sent.
  let abortedChain: readonly Buffer[] = [];
  let error: EndpointError | null = null;
  if (run.failure) {
    const { peerChain, ...failure } = run.failure as typeof run.failure & { peerChain?: readonly Buffer[] };
    abortedChain = peerChain ?? [];
    error = failure;
  }
  const analyse = (chain: readonly Buffer[]) =>
    analyzeChain(chain, {
      host: serverName ?? null,
      store: options.trustStore,
      now: new Date(network.clock.now()),
      ocspStapled: run.tls?.ocspStaple != null,
    });
  let tls: EndpointTls | null = null;
  if (run.tls) {
    const negotiated = negotiatedOf(run.tls);
    connection.transcript.add("*", `TLS established: ${negotiated.version} ${negotiated.cipherSuite}`);
    tls = {
      negotiated,
      certificate: analyse(run.tls.peerChain),
      ocspStapled: run.tls.ocspStaple !== null,
      certificateFrom: "handshake",
    };
  } else if (abortedChain.length > 0) {
    connection.transcript.add(
      "*",
      `the handshake aborted after the server sent ${abortedChain.length} certificate(s)`,
    );
    tls = {
      negotiated: null,
      certificate: analyse(abortedChain),
      ocspStapled: false,
      certificateFrom: "aborted-handshake",
    };
  }
  const connections = mainConnections + (enumerated?.connections ?? 0);
  const retries = mainRetries + (enumerated?.retries ?? 0);
  const pushedBack = enumerated !== null && (enumerated.throttled || enumerated.retries > 0);
  if (error && pushedBack && error.step === "handshake" && error.reason !== "timeout") {
    // The raw hellos met refusal lines: the failed handshake is the same pushback, not a TLS fault.
    error = {
      ...error,
      reason: "throttled",
      message: `${error.message} (the server throttles: ${enumerated?.enumeration.notes.at(-1) ?? "refusals"})`,
    };
  }
  if (enumerated && options.enumeration && (tls || enumerated.enumeration.versions.length > 0)) {
    const e = enumerated.enumeration;
    const chainFromEnumeration = !tls?.certificate && e.peerChain.length > 0;
    tls = {
      ...(tls ?? { negotiated: null, certificate: null, ocspStapled: false }),
      ...(chainFromEnumeration
        ? { certificate: analyse(e.peerChain), certificateFrom: "enumeration" as const }
        : {}),
      versions: e.versions,
      cipherSuites: e.cipherSuites,
      serverPreference: e.serverPreference,
      groups: e.groups,
      enumeration: {
        complete: e.complete,
        incompleteReason: e.incompleteReason,
        versionsProbed: e.versionsProbed,
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
    transcript: [...earlier, ...connection.transcript.toJSON()],
    stats: { connections, retries, durationMs: network.clock.now() - started },
    outcome: error ? "failed" : "completed",
    error,
  };
}

/**
 * Probes every address of the host (at most limits.maxAddressesPerHost), side by side, all within
 * one endpoint deadline that also covers the DNS lookup.
 */
export async function probeEndpoint(
  target: ProbeTarget,
  options: ProbeOptions,
  network: Network,
): Promise<EndpointReport[]> {
  const deadline = endpointDeadline(options, network);
  let addresses: readonly string[];
  if (isIP(target.host) !== 0) {
    addresses = [target.host];
  } else {
    const started = network.clock.now();
    const answer = await network.resolver.addresses(target.host, Math.max(1, deadline.forStep()));
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
  return Promise.all(addresses.map((address) => probeAddress(target, address, options, network, deadline)));
}
