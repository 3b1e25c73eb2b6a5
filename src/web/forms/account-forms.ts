/**
 * The accounts' and tokens' forms as zod schemas over the strings a browser sends; messages are
 * catalogue keys. An operator account needs its organisation, the other roles none (the accounts
 * module checks it again, with the registry). Pure.
 */
import { z } from "zod";

const role = z.enum(["agency", "operator", "auditor"], "errRole");

export const accountForm = z
  .object({
    email: z.string().trim().min(1, "errRequired").max(254, "errTooLong").pipe(z.email("errEmail")),
    role,
    /** The organisation's id in the registry ("" for none). */
    organisation: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? Number(v) : null))
      .refine((v) => v === null || (Number.isInteger(v) && v > 0), "errRequired"),
  })
  .superRefine((a, ctx) => {
    if (a.role === "operator" && a.organisation === null)
      ctx.addIssue({ code: "custom", path: ["organisation"], message: "errOperatorNeedsOrg" });
    if (a.role !== "operator" && a.organisation !== null)
      ctx.addIssue({ code: "custom", path: ["organisation"], message: "errRoleHasNoOrg" });
  });

export const tokenForm = z.object({
  name: z.string().trim().min(1, "errRequired").max(100, "errTooLong"),
  role,
});

export const passwordChangeForm = z
  .object({
    current: z.string().min(1, "errRequired").max(1024, "errTooLong"),
    next: z.string().max(1024, "errTooLong"),
    confirm: z.string().max(1024, "errTooLong"),
  })
  .superRefine((p, ctx) => {
    if (p.next !== p.confirm)
      ctx.addIssue({ code: "custom", path: ["confirm"], message: "errPasswordsDiffer" });
  });
