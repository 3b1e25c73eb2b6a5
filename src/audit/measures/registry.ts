/**
 * The measure registry: every measure identifier (docs/contract.md) mapped to the one file that
 * judges it, in report order — charter annex §1, §2, then beyond the 2015 text. The audit builds
 * the report's `measures` from it, so an identifier is listed once and only once.
 */
import { accessAutoconfig } from "./access-autoconfig.js";
import { accessCertificate } from "./access-certificate.js";
import { accessImplicitTls } from "./access-implicit-tls.js";
import { accessPfs } from "./access-pfs.js";
import { accessStarttls } from "./access-starttls.js";
import { accessTls } from "./access-tls.js";
import { accessTlsParameters } from "./access-tls-parameters.js";
import type { AuditFacts } from "./audit-facts.js";
import { dnsDnssec } from "./dns-dnssec.js";
import { mailDmarc } from "./mail-dmarc.js";
import { mailSpf } from "./mail-spf.js";
import { type Measure, type MeasureId, type MeasureResult, resultOf } from "./measure.js";
import { mxCertificate } from "./mx-certificate.js";
import { mxCipher } from "./mx-cipher.js";
import { mxDane } from "./mx-dane.js";
import { mxHash } from "./mx-hash.js";
import { mxKeyExchange } from "./mx-key-exchange.js";
import { mxMtaSts } from "./mx-mta-sts.js";
import { mxOutboundTls } from "./mx-outbound-tls.js";
import { mxStarttls } from "./mx-starttls.js";
import { mxTerritory } from "./mx-territory.js";
import { mxTlsRpt } from "./mx-tls-rpt.js";
import { mxTlsVersion } from "./mx-tls-version.js";
import { webmailHttps } from "./webmail-https.js";
import { webmailSession } from "./webmail-session.js";

/** Every measure by identifier, in report order; `satisfies` makes a missing identifier a compile error. */
export const measureRegistry = {
  "access.tls": accessTls,
  "access.certificate": accessCertificate,
  "access.pfs": accessPfs,
  "access.tls-parameters": accessTlsParameters,
  "access.implicit-tls": accessImplicitTls,
  "access.starttls": accessStarttls,
  "webmail.https": webmailHttps,
  "webmail.session": webmailSession,
  "mx.starttls": mxStarttls,
  "mx.tls-version": mxTlsVersion,
  "mx.cipher": mxCipher,
  "mx.key-exchange": mxKeyExchange,
  "mx.hash": mxHash,
  "mx.certificate": mxCertificate,
  "mx.territory": mxTerritory,
  "mx.mta-sts": mxMtaSts,
  "mx.tls-rpt": mxTlsRpt,
  "mx.dane": mxDane,
  "dns.dnssec": dnsDnssec,
  "mail.spf": mailSpf,
  "mail.dmarc": mailDmarc,
  "access.autoconfig": accessAutoconfig,
  "mx.outbound-tls": mxOutboundTls,
} as const satisfies Readonly<Record<MeasureId, Measure>>;

/** The measures in report order. */
export const measures: readonly Measure[] = Object.values(measureRegistry);

/** Every measure judged on the audit's facts, once each, in report order. */
export const judgeAll = (facts: AuditFacts): MeasureResult[] =>
  measures.map((m) => resultOf(m, m.judge(facts)));
