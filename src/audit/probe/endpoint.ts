/** The endpoint object of the report contract (docs/contract.md §4). Fields may be added; none may change meaning. */
import type { ProbeStep, TlsMode } from "../dialogue/dialogue.js";
import type { FailureReason, PlaintextInjection } from "../dialogue/run-dialogue.js";
import type { CertificateAnalysis } from "../tls/certificate.js";
import type { ProtocolVersion, ReportedVersion } from "../tls/cipher-suites.js";
import type { Negotiated } from "../tls/negotiated.js";
import type { TlsEnumeration } from "../tls/prober/enumerate.js";
import type { Service } from "./services.js";

export interface EndpointError {
  readonly step: ProbeStep;
  readonly reason: FailureReason;
  readonly message: string;
}

export interface EndpointTls {
  /** The full handshake (Node's TLS); null when only the raw enumeration could talk to the server. */
  readonly negotiated: Negotiated | null;
  readonly certificate: CertificateAnalysis | null;
  readonly ocspStapled: boolean;
  /** Where `certificate` comes from: the full handshake, a handshake that aborted after the server's
   * Certificate message, or (when Node could not talk to the server) the raw enumeration's hellos. */
  readonly certificateFrom?: "handshake" | "aborted-handshake" | "enumeration";
  /** From the raw-handshake enumeration (absent when it was not run). */
  readonly versions?: readonly ReportedVersion[];
  readonly cipherSuites?: Readonly<Partial<Record<ProtocolVersion, readonly string[]>>>;
  readonly serverPreference?: boolean | null;
  readonly groups?: readonly string[];
  readonly enumeration?: EnumerationDetails;
}

/** What the enumeration learnt beyond versions, suites and groups (see TlsEnumeration). */
export type EnumerationDetails = Pick<
  TlsEnumeration,
  | "complete"
  | "incompleteReason"
  | "versionsProbed"
  | "serverPreferenceByVersion"
  | "dhBits"
  | "compression"
  | "secureRenegotiation"
  | "extendedMasterSecret"
  | "encryptThenMac"
  | "sslv2"
  | "notes"
> & { readonly throttled: boolean; readonly quick: boolean; readonly connections: number };

export interface EndpointReport {
  readonly host: string;
  readonly address: string | null;
  readonly port: number;
  readonly service: Service;
  readonly tlsMode: TlsMode;
  /** Whether STARTTLS/STLS was advertised before TLS; null when not applicable or not reached. */
  readonly starttlsAdvertised: boolean | null;
  readonly tls: EndpointTls | null;
  readonly dialogue: { readonly protocol: string; readonly facts: unknown } | null;
  readonly plaintextInjection: PlaintextInjection | null;
  readonly transcript: readonly string[];
  readonly stats: { readonly connections: number; readonly retries: number; readonly durationMs: number };
  /** "completed": every step ran; "failed": `error` says which step and why (partial data kept). */
  readonly outcome: "completed" | "failed";
  readonly error: EndpointError | null;
}

/** The target could not be reached at all: DNS or TCP connect failed (CLI exit status 4). */
export const unreachable = (endpoint: EndpointReport): boolean =>
  endpoint.error !== null && (endpoint.error.step === "dns" || endpoint.error.step === "connect");
