/** `mailcharter audit DOMAIN...`: the charter audit, readable (FR/EN) or JSON (docs/contract.md §4). */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { AnnexStore } from "../annex/annex-store.js";
import { type AnnexChoice, type AuditReport, auditDomain, defaultAnnex, ProbeCache } from "../audit/audit.js";
import { forEachDomain } from "../audit/audit-domains.js";
import type { DiscoveredEndpoint } from "../audit/discovery/discovery.js";
import { territory } from "../audit/measures/territory.js";
import { resolveServiceDefaults } from "../audit/probe/services.js";
import { profiles } from "../audit/profiles/profiles.js";
import { renderAuditHtml } from "../audit/report/audit-html.js";
import { renderAuditText } from "../audit/report/audit-text.js";
import { errorMessage, UsageError } from "../core/errors.js";
import { outboundLookup } from "../outbound/audit-lookup.js";
import { openStore } from "../store/database.js";
import { type CommandIo, collect, ExitCode } from "./command.js";
import { commandContext, type NetworkCommandOptions } from "./context.js";
import { checkWritableFile, readText } from "./files.js";
import { networkOptions } from "./network-options.js";
import { checkServiceTls, isIP, parseCountryOption, parseHostPort, parseService } from "./options.js";

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
  /** The database whose outbound tests mx.outbound-tls reads. */
  readonly db?: string;
}

/** Charte art. 8: with a registry, each domain is judged under the annex its signatory accepted. */
async function annexesOf(db: string, domains: readonly string[]): Promise<Map<string, AnnexChoice>> {
  const store = await openStore(db, { create: false });
  try {
    const annex = await AnnexStore.open(store);
    const found = new Map<string, AnnexChoice>();
    for (const d of domains) found.set(d, (await annex.annexOfDomain(d)) ?? defaultAnnex);
    return found;
  } finally {
    await store.close();
  }
}

const domainName =
  /^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)+\.?$/i;

export function parseDomain(text: string): string {
  const bare = text.trim().replace(/^\[(.*)\]$/, "$1");
  if (isIP(bare) !== 0)
    throw new UsageError(
      `domain: "${text}" is an IP address; audit takes a mail domain (to check one server: mailcharter probe ${text})`,
    );
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
  const resolved = resolveServiceDefaults({ service, ...(port !== undefined ? { port } : {}) });
  checkServiceTls(resolved.service, resolved.tlsMode);
  return { host, ...resolved };
}

/** Non-empty lines of a file, without # comments. */
function readLines(file: string, option: string): string[] {
  return readText(file, option)
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter(Boolean);
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
  const countries = parseCountryOption(options.country);
  if (options.html) checkWritableFile(options.html, "--html");
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
  const annexes = options.db === undefined ? null : await annexesOf(options.db, domains);
  const { network, probeOptions, lang, colors } = commandContext(options, out);
  const showProgress =
    !options.json && options.progress !== false && Boolean((err as { isTTY?: boolean }).isTTY);
  const cache = new ProbeCache();
  // mx.outbound-tls reads the latest outbound test of each domain when a database is given.
  const store = options.db === undefined ? null : await openStore(options.db, { create: false });
  const outbound = store ? outboundLookup(store) : undefined;
  // At most limits.maxConcurrentDomains domains at once; reports in the order of the domains.
  const reports: AuditReport[] = await forEachDomain(domains, (domain) =>
    auditDomain(
      domain,
      {
        ...probeOptions,
        territory: geo,
        overrides,
        profiles: chosen,
        ...(outbound ? { outbound } : {}),
        annex: annexes?.get(domain) ?? defaultAnnex,
        ...(options.conventional === false ? { conventionalNames: false } : {}),
        ...(showProgress
          ? { onProgress: (p) => err.write(`\r\x1b[K${p.domain}: ${p.done}/${p.total} ${p.what}`) }
          : {}),
      },
      network,
      cache,
    ),
  ).finally(() => store?.close());
  if (showProgress) err.write("\r\x1b[K");
  let htmlFailed = false;
  if (options.html) {
    try {
      writeFileSync(options.html, renderAuditHtml(reports, lang));
    } catch (error) {
      err.write(`mailcharter: --html ${options.html}: ${errorMessage(error)}\n`);
      htmlFailed = true;
    }
  }
  if (options.json) {
    const body = reports.length === 1 ? reports[0] : reports;
    out.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    out.write(`${reports.map((r) => renderAuditText(r, lang, colors)).join("\n\n")}\n`);
  }
  // The HTML report asked for could not be written after all (the check came first): a usage error.
  if (htmlFailed) return ExitCode.usage;
  // docs/contract.md §4: 0 compliant, 1 non_compliant, 3 inconclusive; the worst domain decides.
  if (reports.some((r) => r.verdict === "non_compliant")) return ExitCode.nonCompliant;
  if (reports.some((r) => r.verdict === "inconclusive")) return ExitCode.inconclusive;
  return ExitCode.ok;
}

export function register(program: Command, io: CommandIo): void {
  const audit = program
    .command("audit")
    .description("Audit mail domains against every measure of the charter annex, with evidence")
    .argument("[domains...]", "mail domains (or --domains-file)")
    .option("--domains-file <path>", "one domain per line (# comments)")
    .option(
      "--endpoint <service=host[:port]>",
      "an access service discovery cannot find; repeatable",
      collect,
    )
    .option("--endpoints-file <path>", "one SERVICE=HOST[:PORT] per line (# comments), like --endpoint")
    .option("--no-conventional", "do not try imap., pop., smtp., mail., webmail. names")
    .option("--country <cc[,cc...]>", "territory for mx.territory (default: France and its overseas codes)")
    .option(
      "--geo-file <path>",
      "extra IP ranges (CIDR,CC or FIRST,LAST,CC) that win over the bundled database; repeatable",
      collect,
    )
    .option("--no-progress", "no progress display")
    .option("--html <file>", "also write a self-contained, printable HTML report")
    .option(
      "--db <path|url>",
      "the registry's database: each domain judged under the charter version (annex profile) its signatory accepted, and its latest outbound test (mx.outbound-tls)",
    )
    .option(
      "--profile <ids>",
      "TLS profiles shown beside the verdict: charter-2015,anssi-tls-2020,mozilla-intermediate (default all)",
    );
  networkOptions(
    audit,
    "print mailcharter/audit/1, the report contract (docs/contract.md §4, schema/audit-report.schema.json)",
  ).action(async (domains: string[], options: AuditCommandOptions) => {
    io.setExit(await auditCommand(domains, options, io.out, io.err));
  });
}
