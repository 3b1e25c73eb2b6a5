/**
 * From a parsed JSON value to the normalised report (report-schema.ts): RFC 8460 §4 read field by
 * field, each deviation handed to its piece in tolerance.ts and warned. What cannot be understood
 * throws a Refusal (caught by parse-report.ts).
 */
import type { Warning } from "./outcome.js";
import { Refusal } from "./outcome.js";
import type { FailureDetail, PolicyResult, TlsRptReport } from "./report-schema.js";
import {
  FieldReader,
  isObject,
  type Json,
  type JsonObject,
  readCount,
  readDate,
  readStringList,
  readText,
  warn,
} from "./tolerance.js";
import { isPolicyType, isResultType, type PolicyType, type ResultType } from "./wire.js";

export function normaliseReport(value: Json, warnings: Warning[]): TlsRptReport {
  if (!isObject(value)) throw new Refusal("not_an_object", "the report is not a JSON object");
  const top = new FieldReader(value, "", warnings);
  const organization = readText(top.take("organization-name"), "organization-name", warnings);
  if (organization === null)
    throw new Refusal("missing_organization", "no organization-name: the report's sender is unknown");
  const reportId = readText(top.take("report-id"), "report-id", warnings);
  if (reportId === null) throw new Refusal("missing_report_id", "no report-id: duplicates cannot be told");
  const dateRange = readDateRange(top, warnings);
  const contact = readText(top.required("contact-info"), "contact-info", warnings);
  const policies = readPolicies(top.take("policies"), warnings);
  top.finish();
  return {
    "organization-name": organization.trim(),
    "date-range": dateRange,
    "contact-info": contact,
    "report-id": reportId.trim(),
    policies,
  };
}

/**
 * RFC 8460 §4.4 `date-range`: `{ "start-datetime", "end-datetime" }`. Also read, warned: a list of two
 * dates, an ISO 8601 interval string (`start/end`), and the two dates at the top level.
 */
function readDateRange(top: FieldReader, warnings: Warning[]): TlsRptReport["date-range"] {
  const range = top.take("date-range");
  let start: Json | undefined;
  let end: Json | undefined;
  if (isObject(range)) {
    const fields = new FieldReader(range, "date-range", warnings);
    start = fields.take("start-datetime");
    end = fields.take("end-datetime");
    fields.finish();
  } else if (Array.isArray(range) && range.length === 2) {
    warn(warnings, "date-range-shape", "date-range", "a list of two dates read as start and end");
    [start, end] = range;
  } else if (typeof range === "string" && range.split("/").length === 2) {
    warn(warnings, "date-range-shape", "date-range", "an interval string read as start/end");
    [start, end] = range.split("/");
  } else if (range === undefined || range === null) {
    start = top.take("start-datetime");
    end = top.take("end-datetime");
    if (start !== undefined || end !== undefined)
      warn(warnings, "date-range-shape", "date-range", "start and end read outside a date-range");
  } else throw new Refusal("missing_date_range", "date-range is neither an object nor a pair of dates");
  if (start === undefined || start === null || end === undefined || end === null)
    throw new Refusal("missing_date_range", "no start-datetime and end-datetime: the period is unknown");
  const range2 = {
    "start-datetime": readDate(start, "date-range.start-datetime", warnings),
    "end-datetime": readDate(end, "date-range.end-datetime", warnings),
  };
  if (range2["end-datetime"] < range2["start-datetime"])
    warn(warnings, "date-range-reversed", "date-range", "end-datetime is before start-datetime");
  return range2;
}

function readPolicies(value: Json | undefined, warnings: Warning[]): PolicyResult[] {
  if (value === undefined || value === null)
    throw new Refusal("missing_policies", "no policies: the report says nothing");
  let list: Json[];
  if (Array.isArray(value)) list = value;
  else if (isObject(value)) {
    warn(warnings, "policies-not-list", "policies", "one policy object read as a list of one");
    list = [value];
  } else throw new Refusal("missing_policies", "policies is not a list");
  if (list.length === 0) warn(warnings, "no-policies", "policies", "the report lists no policy");
  return list.map((entry, i) => readPolicyResult(entry, `policies[${i}]`, warnings));
}

function readPolicyType(value: Json | undefined, path: string, warnings: Warning[]): PolicyType {
  if (typeof value !== "string") throw new Refusal("bad_policy", `${path}: no policy-type`);
  const folded = value.trim().toLowerCase().replace(/_/g, "-");
  if (!isPolicyType(folded))
    throw new Refusal(
      "unknown_policy_type",
      `${path}: "${value.slice(0, 40)}" is not tlsa, sts or no-policy-found`,
    );
  if (folded !== value) warn(warnings, "case-variant", path, `"${value}" read as "${folded}"`);
  return folded;
}

function readPolicyResult(value: Json, path: string, warnings: Warning[]): PolicyResult {
  if (!isObject(value)) throw new Refusal("bad_policy", `${path}: not an object`);
  const fields = new FieldReader(value, path, warnings);
  const policyValue = fields.take("policy");
  if (!isObject(policyValue)) throw new Refusal("bad_policy", `${path}.policy: absent or not an object`);
  const p = new FieldReader(policyValue, `${path}.policy`, warnings);
  const type = readPolicyType(p.take("policy-type"), `${path}.policy.policy-type`, warnings);
  const domainText = readText(p.take("policy-domain"), `${path}.policy.policy-domain`, warnings);
  if (domainText === null) throw new Refusal("bad_policy", `${path}.policy: no policy-domain`);
  // RFC 8460 §4.4: policy-string is required for sts and tlsa, absent for no-policy-found.
  const rawString = type === "no-policy-found" ? p.optional("policy-string") : p.required("policy-string");
  const policyString = readStringList(
    rawString,
    `${path}.policy.policy-string`,
    warnings,
    "policy-string-not-list",
    true,
  );
  const mxHost = readStringList(
    p.optional("mx-host"),
    `${path}.policy.mx-host`,
    warnings,
    "mx-host-not-list",
    false,
  );
  p.finish();

  const detailsValue = fields.optional("failure-details");
  if (detailsValue !== undefined && !Array.isArray(detailsValue))
    throw new Refusal("bad_policy", `${path}.failure-details: not a list`);
  const details = (detailsValue ?? []).map((d, i) =>
    readFailure(d, `${path}.failure-details[${i}]`, warnings),
  );
  const detailSum = details.reduce((sum, d) => sum + d["failed-session-count"], 0);

  const summaryValue = fields.required("summary");
  const s = isObject(summaryValue) ? new FieldReader(summaryValue, `${path}.summary`, warnings) : null;
  if (summaryValue !== undefined && !s) throw new Refusal("bad_policy", `${path}.summary: not an object`);
  const successful =
    readCount(
      s?.required("total-successful-session-count"),
      `${path}.summary.total-successful-session-count`,
      warnings,
    ) ?? 0;
  let failed = readCount(
    s?.required("total-failure-session-count"),
    `${path}.summary.total-failure-session-count`,
    warnings,
  );
  s?.finish();
  if (failed === undefined) failed = detailSum;
  else if (details.length > 0 && detailSum !== failed)
    warn(
      warnings,
      "totals-disagree",
      `${path}.summary`,
      `total-failure-session-count ${failed}, failure-details add up to ${detailSum} (the total is counted)`,
    );
  if (detailsValue === undefined && failed > 0)
    warn(
      warnings,
      "field-missing",
      `${path}.failure-details`,
      `${failed} failed session(s) and no failure-details`,
    );
  fields.finish();
  return {
    policy: {
      "policy-type": type,
      "policy-string": policyString,
      "policy-domain": domainText.trim().toLowerCase().replace(/\.$/, ""),
      "mx-host": mxHost,
    },
    summary: { "total-successful-session-count": successful, "total-failure-session-count": failed },
    "failure-details": details,
  };
}

function readResultType(value: Json | undefined, path: string, warnings: Warning[]): ResultType {
  const text = typeof value === "string" ? value : "";
  const folded = text.trim().toLowerCase().replace(/_/g, "-");
  if (isResultType(folded)) {
    if (folded !== text) warn(warnings, "case-variant", path, `"${text}" read as "${folded}"`);
    return folded;
  }
  // RFC 8460 §4.3: validation-failure is the general failure for what the other types do not cover.
  warn(
    warnings,
    value === undefined || value === null ? "field-missing" : "unknown-result-type",
    path,
    `${JSON.stringify(value ?? null).slice(0, 60)} counted as validation-failure`,
  );
  return "validation-failure";
}

function readFailure(value: Json, path: string, warnings: Warning[]): FailureDetail {
  if (!isObject(value)) throw new Refusal("bad_policy", `${path}: not an object`);
  const f = new FieldReader(value, path, warnings);
  const text = (name: string, required: boolean) =>
    readText(required ? f.required(name) : f.optional(name), f.child(name), warnings);
  const resultType = readResultType(f.take("result-type"), f.child("result-type"), warnings);
  const detail: FailureDetail = {
    "result-type": resultType,
    "sending-mta-ip": text("sending-mta-ip", true),
    "receiving-mx-hostname": text("receiving-mx-hostname", false),
    "receiving-mx-helo": text("receiving-mx-helo", false),
    "receiving-ip": text("receiving-ip", true),
    "failed-session-count":
      readCount(f.required("failed-session-count"), f.child("failed-session-count"), warnings) ?? 0,
    "additional-information": text("additional-information", false),
    "failure-reason-code": text("failure-reason-code", false),
  };
  f.finish();
  return detail;
}

export type { JsonObject };
