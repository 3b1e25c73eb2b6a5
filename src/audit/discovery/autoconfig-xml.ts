/**
 * The Thunderbird autoconfig document (`config-v1.1.xml`): `clientConfig` > `emailProvider` >
 * `incomingServer` / `outgoingServer`, each with `hostname`, `port` and `socketType`. Pure.
 *
 * Parsed with fast-xml-parser — linear in the input, nesting bounded (100 levels), entity expansion
 * bounded — instead of regular expressions, which were quadratic on unclosed `<incomingServer>` tags.
 * Server entries are kept in document order and at most `limits.maxAutoconfigServers` of them: a
 * document cannot make us probe an unbounded list of hosts.
 */
import { XMLParser } from "fast-xml-parser";
import { limits } from "../../core/limits.js";

export interface AutoconfigServer {
  readonly direction: "incoming" | "outgoing";
  readonly type: string;
  readonly hostname: string;
  readonly port: number;
  /** "SSL" (implicit TLS), "STARTTLS" or "plain". */
  readonly socketType: string;
}

export type AutoconfigDocument =
  | {
      readonly ok: true;
      readonly servers: readonly AutoconfigServer[];
      /** Valid server entries left out past limits.maxAutoconfigServers. */
      readonly omitted: number;
    }
  | { readonly ok: false; readonly message: string };

/** One element of fast-xml-parser's `preserveOrder` output: `{ tag: children, ":@": attributes }`. */
type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

const nameOf = (node: OrderedNode): string | undefined => Object.keys(node).find((k) => k !== ":@");
const childrenOf = (node: OrderedNode, name: string): OrderedNode[] => {
  const value = node[name];
  return Array.isArray(value) ? (value as OrderedNode[]) : [];
};
const attributesOf = (node: OrderedNode): Record<string, string> =>
  (node[":@"] as Record<string, string> | undefined) ?? {};

/** The children named `name` (case-insensitively, as the regular expressions accepted). */
const elements = (nodes: readonly OrderedNode[], name: string) =>
  nodes.flatMap((node) => {
    const tag = nameOf(node);
    return tag !== undefined && tag.toLowerCase() === name.toLowerCase() ? [childrenOf(node, tag)] : [];
  });

/** The text of the first `name` child. */
function text(nodes: readonly OrderedNode[], name: string): string {
  const [children] = elements(nodes, name);
  return (children ?? [])
    .map((child) => (typeof child["#text"] === "string" ? child["#text"] : ""))
    .join("")
    .trim();
}

export function readAutoconfig(xml: string, domain: string): AutoconfigDocument {
  let document: OrderedNode[];
  try {
    document = parser.parse(xml) as OrderedNode[];
  } catch (error) {
    return { ok: false, message: `not well-formed XML: ${error instanceof Error ? error.message : error}` };
  }
  const roots = elements(document, "clientConfig");
  if (roots.length === 0) return { ok: false, message: "no clientConfig element" };
  const servers: AutoconfigServer[] = [];
  let omitted = 0;
  for (const root of roots) {
    for (const provider of elements(root, "emailProvider")) {
      for (const node of provider) {
        const tag = nameOf(node)?.toLowerCase();
        if (tag !== "incomingserver" && tag !== "outgoingserver") continue;
        const tagName = nameOf(node) ?? "";
        const body = childrenOf(node, tagName);
        const port = Number(text(body, "port"));
        const hostname = text(body, "hostname")
          .replace(/%EMAILDOMAIN%/gi, domain)
          .toLowerCase();
        if (!hostname || !Number.isInteger(port) || port < 1 || port > 65535) continue;
        if (servers.length >= limits.maxAutoconfigServers) {
          omitted++;
          continue;
        }
        servers.push({
          direction: tag === "incomingserver" ? "incoming" : "outgoing",
          type: (attributesOf(node).type ?? "").toLowerCase(),
          hostname,
          port,
          socketType: text(body, "socketType") || "plain",
        });
      }
    }
  }
  return { ok: true, servers, omitted };
}
