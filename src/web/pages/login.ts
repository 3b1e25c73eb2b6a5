/** The login page (server-rendered form; the same message whatever went wrong). */
import { type MessageKey, t } from "../i18n.js";
import { html } from "./html.js";
import { layout, type PageContext } from "./layout.js";

export interface LoginView {
  readonly csrfToken: string;
  readonly email: string;
  /** A message to show above the form: failure, throttling, or why a session ended. */
  readonly notice: "failed" | "throttled" | "idle" | "absolute" | "logout" | null;
}

const noticeKey: Record<NonNullable<LoginView["notice"]>, MessageKey> = {
  failed: "loginFailed",
  throttled: "loginThrottled",
  idle: "endedIdle",
  absolute: "endedAbsolute",
  logout: "endedLogout",
};

export function loginPage(ctx: PageContext, view: LoginView): string {
  const { lang } = ctx;
  const notice = view.notice
    ? html`<p class="${view.notice === "failed" || view.notice === "throttled" ? "notice error" : "notice"}" role="alert">${t(lang, noticeKey[view.notice])}</p>`
    : null;
  return layout(
    ctx,
    t(lang, "login"),
    html`<h1>${t(lang, "login")}</h1>
${notice}
<form method="post" action="/login" class="login">
  <input type="hidden" name="_csrf" value="${view.csrfToken}">
  <input type="hidden" name="lang" value="${lang}">
  <p><label for="email">${t(lang, "email")}</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${view.email}"></p>
  <p><label for="password">${t(lang, "password")}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">${t(lang, "submitLogin")}</button></p>
</form>`,
  );
}
