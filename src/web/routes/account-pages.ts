/**
 * The accounts pages: the agency's list of accounts (create, disable or enable, a new password) and
 * every account's own API tokens (create, list, revoke) and password. They call the accounts module's
 * functions, the same as the API and `mailcharter user add`.
 *
 * Secrets (a generated password, a new token) are answered in the POST's own response, marked
 * `Cache-Control: no-store`, instead of Post/Redirect/Get: a redirect would have to carry the secret
 * in the URL or keep it in the session row in the database, both worse than a page shown once.
 * Everything else follows Post/Redirect/Get.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AccountError } from "../../accounts/accounts.js";
import { tokenRolesFor } from "../../accounts/principal.js";
import { ApiError } from "../api-error.js";
import type { ServiceContext } from "../context.js";
import { accountForm, passwordChangeForm, tokenForm } from "../forms/account-forms.js";
import { emptyForm, type FormState, formValues, parseForm } from "../forms/form-state.js";
import type { MessageKey } from "../i18n.js";
import { pageContext } from "../page-context.js";
import { accountsPage } from "../pages/accounts-page.js";
import { passwordPage } from "../pages/password-page.js";
import { secretPage } from "../pages/secret-page.js";
import { tokensPage } from "../pages/tokens-page.js";
import { idParams } from "../schemas.js";

const html = "text/html; charset=utf-8";
const doneKeys = [
  "accountDisabled",
  "accountEnabled",
  "tokenRevoked",
] as const satisfies readonly MessageKey[];
const pageQuery = z.object({ lang: z.enum(["fr", "en"]).optional(), done: z.enum(doneKeys).optional() });

const refused = (error: unknown, values: Record<string, string>, field = ""): FormState | null =>
  error instanceof AccountError && error.reason !== "not_found"
    ? { values, errors: { [field]: error.message } }
    : null;

function account(request: FastifyRequest) {
  const p = request.principal;
  if (p.kind !== "account") throw new ApiError(401, "unauthenticated", "log in");
  return p;
}

export const accountPageRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const organisationNames = async () =>
    new Map((await ctx.registry.entries()).map((e) => [e.id, e.signatory.name] as const));

  const list = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: FormState,
    actionError: FormState | null = null,
    done: MessageKey | null = null,
  ) => {
    const names = await organisationNames();
    const me = account(request).accountId;
    const accounts = (await ctx.accounts.list()).map((a) => ({
      id: a.id,
      email: a.email,
      role: a.role,
      organisation: a.organisationId === null ? null : (names.get(a.organisationId) ?? null),
      lastLoginAt: a.lastLoginAt,
      disabledAt: a.disabledAt,
      self: a.id === me,
    }));
    const organisations = [...names].map(([id, name]) => ({ id, name }));
    return reply
      .type(html)
      .send(accountsPage(pageContext(request, reply), { accounts, organisations, form, actionError, done }));
  };

  const shownOnce = (
    request: FastifyRequest,
    reply: FastifyReply,
    view: Omit<Parameters<typeof secretPage>[1], "agencyNav">,
  ) =>
    reply
      .header("cache-control", "no-store")
      .type(html)
      .send(
        secretPage(pageContext(request, reply), {
          ...view,
          agencyNav: account(request).role === "agency",
        }),
      );

  app.get("/agency/accounts", { schema: { hide: true, querystring: pageQuery } }, (request, reply) =>
    list(request, reply, emptyForm, null, request.query.done ?? null),
  );

  app.post("/agency/accounts", { schema: { hide: true } }, async (request, reply) => {
    const values = formValues(request.body);
    const parsed = parseForm(accountForm, request.body);
    if (!parsed.ok) return list(request, reply.code(400), parsed.form);
    const { email, role, organisation } = parsed.data;
    const name = organisation === null ? undefined : (await organisationNames()).get(organisation);
    if (organisation !== null && name === undefined)
      return list(request, reply.code(400), { values, errors: { organisation: "errUnknownOrganisation" } });
    try {
      const created = await ctx.accounts.add({ email, role, organisation: name });
      return shownOnce(request, reply, {
        title: "accountCreated",
        subject: created.account.email,
        label: "initialPassword",
        secret: created.generatedPassword ?? "",
        back: { href: "/agency/accounts", label: "accounts" },
      });
    } catch (error) {
      const form = refused(
        error,
        values,
        error instanceof AccountError && error.reason === "conflict" ? "email" : "",
      );
      if (!form) throw error;
      return list(request, reply.code(422), form);
    }
  });

  const setDisabled =
    (disabled: boolean) =>
    async (request: FastifyRequest<{ Params: { id: number } }>, reply: FastifyReply) => {
      const { id } = request.params;
      if (!(await ctx.accounts.get(id))) throw new ApiError(404, "not_found", `account ${id} not found`);
      if (disabled && id === account(request).accountId)
        return list(request, reply.code(422), emptyForm, { values: {}, errors: { "": "errDisableSelf" } });
      await ctx.accounts.setDisabled(id, disabled);
      return reply
        .code(303)
        .redirect(`/agency/accounts?done=${disabled ? "accountDisabled" : "accountEnabled"}`);
    };
  app.post("/agency/accounts/:id/disable", { schema: { hide: true, params: idParams } }, setDisabled(true));
  app.post("/agency/accounts/:id/enable", { schema: { hide: true, params: idParams } }, setDisabled(false));

  app.post(
    "/agency/accounts/:id/password",
    { schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const reset = await ctx.accounts.resetPassword(request.params.id);
      return shownOnce(request, reply, {
        title: "passwordReset",
        subject: reset.account.email,
        label: "newPassword",
        secret: reset.generatedPassword,
        back: { href: "/agency/accounts", label: "accounts" },
      });
    },
  );

  // Every account's own tokens.
  const tokens = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: FormState,
    done: MessageKey | null = null,
  ) => {
    const me = account(request);
    const names = await organisationNames();
    const view = (await ctx.accounts.listTokens(me)).map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      role: k.role,
      organisation: k.organisationId === null ? null : (names.get(k.organisationId) ?? null),
      createdAt: k.createdAt,
      lastUsedAt: k.lastUsedAt,
      revokedAt: k.revokedAt,
    }));
    return reply.type(html).send(
      tokensPage(pageContext(request, reply), {
        tokens: view,
        roles: tokenRolesFor(me.role),
        organisation: me.organisationId === null ? null : (names.get(me.organisationId) ?? null),
        form,
        done,
        agencyNav: me.role === "agency",
      }),
    );
  };

  app.get("/account/tokens", { schema: { hide: true, querystring: pageQuery } }, (request, reply) =>
    tokens(request, reply, emptyForm, request.query.done ?? null),
  );

  app.post("/account/tokens", { schema: { hide: true } }, async (request, reply) => {
    const values = formValues(request.body);
    const parsed = parseForm(tokenForm, request.body);
    if (!parsed.ok) return tokens(request, reply.code(400), parsed.form);
    try {
      const created = await ctx.accounts.createToken(account(request), parsed.data);
      return shownOnce(request, reply, {
        title: "tokenCreated",
        subject: `${created.record.name} (${created.record.prefix}…)`,
        label: "tokenSecret",
        secret: created.token,
        back: { href: "/account/tokens", label: "tokensTitle" },
      });
    } catch (error) {
      const form = refused(error, values, "role");
      if (!form) throw error;
      return tokens(request, reply.code(422), form);
    }
  });

  app.post(
    "/account/tokens/:id/revoke",
    { schema: { hide: true, params: idParams } },
    async (request, reply) => {
      // Another account's token, by any id, is "not found".
      await ctx.accounts.revokeToken(account(request), request.params.id);
      return reply.code(303).redirect("/account/tokens?done=tokenRevoked");
    },
  );

  // Every account's own password.
  const password = (request: FastifyRequest, reply: FastifyReply, form: FormState) =>
    reply.type(html).send(passwordPage(pageContext(request, reply), { form }));

  app.get("/account/password", { schema: { hide: true, querystring: pageQuery } }, (request, reply) =>
    password(request, reply, emptyForm),
  );

  app.post("/account/password", { schema: { hide: true } }, async (request, reply) => {
    const parsed = parseForm(passwordChangeForm, request.body);
    // Passwords are never shown again, even refused.
    if (!parsed.ok) return password(request, reply.code(400), { values: {}, errors: parsed.form.errors });
    const me = account(request);
    if (me.via !== "session")
      throw new ApiError(400, "invalid_request", "a password is changed from a browser session");
    try {
      await ctx.accounts.changePassword(me.accountId, parsed.data.current, parsed.data.next);
    } catch (error) {
      if (error instanceof AccountError && error.reason === "forbidden")
        return password(request, reply.code(422), { values: {}, errors: { current: "errCurrentPassword" } });
      const form = refused(error, {}, "next");
      if (!form) throw error;
      return password(request, reply.code(422), form);
    }
    // Every session of the account ended with the change: log in again with the new password.
    await request.session.regenerate();
    return reply.code(303).redirect("/login?ended=logout");
  });
};
