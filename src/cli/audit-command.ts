/** `mailcharter audit DOMAIN...`: the charter audit, readable (FR/EN) or JSON (docs/contract.md §4). */
import { readFileSync, writeFileSync } from "node:fs";
import { type AuditReport, auditDomain, ProbeCache } from "../audit/audit.js";
import type { DiscoveredEndpoint } from "../audit/discovery/discovery.js";
import { parseCountries, territory } from "../audit/measures/territory.js";
import { resolveServiceDefaults } from "../audit/probe/services.js";
import { profiles } from "../audit/profiles/profiles.js";
import { renderAuditHtml } from "../audit/report/audit-html.js";
import { renderAuditText } from "../audit/report/audit-text.js";
import { UsageError } from "../core/errors.js";
import { commandContext, type NetworkCommandOptions } from "./context.js";
import { parseHostPort, parseService } from "./options.js";
import { ExitCode } from "./probe-command.js";

export interface AuditCommandOptions extends NetworkCommandOptions {
  readonly domainsFile?: string;
  readonly country?: string;
  readonly geoFile?: string[];
  readonly endpoint?: string[];
  readonly endpointsFile?: string;
  readonly conventional?: boolean;
  readonly progress?: boolean;
  readonly html?: string;
  readonly profile?: string;
}

const domainName =
  /^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)+\.?$/i;

export function parseDomain(text: string): string {
  let ascii: string;
  try {
    ascii = new URL(`http://${text.trim()}`).hostname;
  } catch {
    throw new UsageError(`domain: "${text}" is not a domain name`);
  }
  if (!domainName.test(ascii)) throw new UsageError(`domain: "${text}" is not a domain name`);
  return ascii.replace(/\.$/, "");
}

/** `--endpoint SERVICE=HOST[:PORT]`: a service discovery cannot find. */
export function parseEndpointOverride(text: string): Omit<DiscoveredEndpoint, "foundBy"> {
  const [serviceText = "", target = ""] = text.split("=", 2);
  const service = parseService(serviceText);
  if (!service || !target) throw new UsageError(`--endpoint: "${text}" is not SERVICE=HOST[:PORT]`);
  const { host, port } = parseHostPort(target);
  return { host, ...resolveServiceDefaults({ service, ...(port !== undefined ? { port } : {}) }) };
}

/** Non-empty lines of a file, without # comments. */
function readLines(file: string, option: string): string[] {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .map((l) => l.replace(/#.*/, "").trim())
      .filter(Boolean);
  } catch (error) {
    throw new UsageError(`${option} ${file}: ${(error as Error).message}`);
  }
}

export async function auditCommand(
  domainTexts: readonly string[],
  options: AuditCommandOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const fromFile = options.domainsFile ? readLines(options.domainsFile, "--domains-file") : [];
  const domains = [...new Set([...domainTexts, ...fromFile].map(parseDomain))];
  if (domains.length === 0) throw new UsageError("audit: give at least one domain (or --domains-file)");
  const overrideLines = options.endpointsFile ? readLines(options.endpointsFile, "--endpoints-file") : [];
  const overrides = [...(options.endpoint ?? []), ...overrideLines].map(parseEndpointOverride);
  const countries = parseCountries(options.country);
  const chosen =
    options.profile === undefined
      ? profiles
      : options.profile.split(",").map((id) => {
          const found = profiles.find((p) => p.id === id.trim());
          if (!found)
            throw new UsageError(`--profile: "${id}" is not one of ${profiles.map((p) => p.id).join(", ")}`);
          return found;
        });
  const geo = territory({ countries, geoFiles: options.geoFile ?? [] });
  const { network, probeOptions, lang, colors } = commandContext(options, out);
  const showProgress =
    !options.json && options.progress !== false && Boolean((err as { isTTY?: boolean }).isTTY);
  const cache = new ProbeCache();
  const reports: AuditReport[] = await Promise.all(
    domains.map((domain) =>
      auditDomain(
        domain,
        {
          ...probeOptions,
          territory: geo,
          overrides,
          profiles: chosen,
          ...(options.conventional === false ? { conventionalNames: false } : {}),
          ...(showProgress
            ? { onProgress: (p) => err.write(`\r\x1b[K${p.domain}: ${p.done}/${p.total} ${p.what}`) }
            : {}),
        },
        network,
        cache,
      ),
    ),
  );
  if (showProgress) err.write("\r\x1b[K");
  if (options.html) {
    try {
      writeFileSync(options.html, renderAuditHtml(reports, lang));
    } catch (error) {
      err.write(`mailcharter: --html ${options.html}: ${(error as Error).message}\n`);
    }
  }
  if (options.json) {
    const body = reports.length === 1 ? reports[0] : reports;
    out.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    out.write(`${reports.map((r) => renderAuditText(r, lang, colors)).join("\n\n")}\n`);
  }
  // docs/contract.md §4: 0 compliant, 1 non_compliant, 3 inconclusive; the worst domain decides.
  if (reports.some((r) => r.verdict === "non_compliant")) return ExitCode.nonCompliant;
  if (reports.some((r) => r.verdict === "inconclusive")) return ExitCode.inconclusive;
  return ExitCode.ok;
}
