/** Parsing and validation of the options every network command takes (docs/contract.md §5). */
import { isIP as nodeIsIP } from "node:net";
import type { TlsMode } from "../audit/dialogue/dialogue.js";
import { parseCountries } from "../audit/measures/territory.js";
import { type Service, services } from "../audit/probe/services.js";
import type { Lang } from "../audit/report/endpoint-text.js";
import { UsageError } from "../core/errors.js";
import { limits } from "../core/limits.js";
import { parseResolverAddress } from "../net/resolver.js";

/**
 * Node's isIP, asked only of text that can be an address: its first call compiles a large IPv6
 * expression (10–20 ms of a probe's start-up), for nothing when the target is a host name.
 */
export function isIP(text: string): 0 | 4 | 6 {
  if (!text.includes(":") && !/^[\d.]+$/.test(text)) return 0;
  return nodeIsIP(text) as 0 | 4 | 6;
}

export interface HostPort {
  readonly host: string;
  readonly port?: number;
}

/** RFC 1123 host name (letters, digits, hyphens, dots; A-labels for IDNs) or an IP literal. */
const hostName =
  /^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

export function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new UsageError(`${what}: "${text}" is not a port between 1 and 65535`);
  }
  return port;
}

/** Parses HOST, HOST:PORT, IPv6, [IPv6] or [IPv6]:PORT. Unicode names are converted to A-labels. */
export function parseHostPort(text: string): HostPort {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    const host = bracketed[1] ?? "";
    if (isIP(host) !== 6) throw new UsageError(`target: "${host}" is not an IPv6 address`);
    return bracketed[2] === undefined ? { host } : { host, port: parsePort(bracketed[2], "target port") };
  }
  if (isIP(text) === 6) return { host: text };
  const colon = text.lastIndexOf(":");
  const hostPart = colon === -1 ? text : text.slice(0, colon);
  const port = colon === -1 ? undefined : parsePort(text.slice(colon + 1), "target port");
  let host = hostPart;
  if (isIP(host) === 0) {
    try {
      host = new URL(`http://${hostPart}`).hostname;
    } catch {
      throw new UsageError(`target: "${hostPart}" is not a host name or IP address`);
    }
    if (!hostName.test(host)) throw new UsageError(`target: "${hostPart}" is not a valid host name`);
  }
  return port === undefined ? { host } : { host, port };
}

export function parseService(text: string | undefined): Service | undefined {
  if (text === undefined) return undefined;
  if (!(services as readonly string[]).includes(text)) {
    throw new UsageError(`--service: "${text}" is not one of ${services.join(", ")}`);
  }
  return text as Service;
}

export function parseTlsMode(text: string | undefined): TlsMode | undefined {
  if (text === undefined) return undefined;
  if (text !== "implicit" && text !== "starttls" && text !== "none") {
    throw new UsageError(`--tls: "${text}" is not one of implicit, starttls, none`);
  }
  return text;
}

/** HTTPS has no STARTTLS: `--service https` is implicit TLS (443) or plain HTTP (`--tls none`). */
export function checkServiceTls(service: Service, tlsMode: TlsMode): void {
  if (service === "https" && tlsMode === "starttls")
    throw new UsageError("--tls starttls: HTTPS has no STARTTLS; use --tls implicit or --tls none");
}

/** A fully qualified host name (at least two labels), never an IP literal; A-labels for IDNs. */
export function parseFqdn(text: string, what: string): string {
  let ascii = "";
  try {
    ascii = new URL(`http://${text}`).hostname;
  } catch {
    // not a name: refused below
  }
  if (!ascii || isIP(text) !== 0 || !hostName.test(ascii) || !ascii.replace(/\.$/, "").includes(".")) {
    throw new UsageError(`${what}: "${text}" is not a fully qualified host name (e.g. mail.example.org)`);
  }
  return ascii.replace(/\.$/, "");
}

/** Codes CLDR names that are no country: EU, euro area, UN, outlying Oceania, pseudo-locales, unknown. */
const notCountries = new Set(["EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"]);
let regionNames: Intl.DisplayNames | undefined;

/** An ISO 3166-1 alpha-2 code assigned to a country or territory (UK is spelt GB). */
export function isAssignedCountry(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || notCountries.has(code)) return false;
  regionNames ??= new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
  const canonical = Intl.getCanonicalLocales(`und-${code}`)[0];
  return canonical === `und-${code}` && regionNames.of(code) !== code;
}

/** `--country CC[,CC...]`: assigned ISO 3166-1 alpha-2 codes only; default France and its overseas codes. */
export function parseCountryOption(text: string | undefined): readonly string[] {
  const codes = parseCountries(text);
  for (const code of codes) {
    if (!isAssignedCountry(code))
      throw new UsageError(
        `--country: "${code}" is not an assigned ISO 3166-1 alpha-2 country code${code === "UK" ? " (the United Kingdom is GB)" : ""}`,
      );
  }
  return codes;
}

export function parseTimeout(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < limits.minStepTimeoutMs || value > limits.maxStepTimeoutMs) {
    throw new UsageError(
      `--timeout: "${text}" must be a number of milliseconds between ${limits.minStepTimeoutMs} and ${limits.maxStepTimeoutMs}`,
    );
  }
  return value;
}

export function parseLang(text: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (text !== undefined) {
    if (text !== "fr" && text !== "en") throw new UsageError(`--lang: "${text}" is not fr or en`);
    return text;
  }
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return locale.toLowerCase().startsWith("fr") ? "fr" : "en";
}

export function parseResolver(text: string | undefined): string | undefined {
  return text === undefined ? undefined : parseResolverAddress(text);
}

export function parseEhloName(text: string | undefined, fallback: string): string {
  if (text === undefined) return fallback;
  if (!hostName.test(text) || !text.includes(".")) {
    throw new UsageError(`--ehlo-name: "${text}" must be a fully qualified domain name (RFC 5321 §4.1.1.1)`);
  }
  return text;
}

export function parseCount(
  text: string | undefined,
  what: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`${what}: "${text}" must be a whole number between ${min} and ${max}`);
  }
  return value;
}
