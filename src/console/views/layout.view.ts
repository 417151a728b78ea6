import { CONSOLE_PATH } from '../console.constants';
import { html, type SafeHtml } from './html';

export type ConsoleTab = 'sessions' | 'system' | 'timeline' | 'login';

/**
 * The page shell: the stylesheet and script are files of their own (the Content-Security-
 * Policy allows no inline script or style), and every page says who is signed in.
 */
export function page(opts: { title: string; tab: ConsoleTab; operator?: string; body: SafeHtml }): string {
  const nav = opts.operator
    ? html`<nav>
        <a href="${CONSOLE_PATH}" class="${opts.tab === 'sessions' || opts.tab === 'timeline' ? 'active' : ''}">Live sessions</a>
        <a href="${CONSOLE_PATH}/system" class="${opts.tab === 'system' ? 'active' : ''}">System</a>
        <span class="who">signed in as <strong>${opts.operator}</strong></span>
        <button type="button" id="logout">Sign out</button>
      </nav>`
    : null;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${opts.title} · activity-copilot console</title>
<link rel="stylesheet" href="${CONSOLE_PATH}/assets/console.css">
<script src="${CONSOLE_PATH}/assets/console.js" defer></script>
</head>
<body data-tab="${opts.tab}">
<header><span class="brand">activity-copilot</span> <span class="sub">operator console</span>${nav}</header>
<main>${opts.body}</main>
</body>
</html>
`.value;
}

export function loginBody(opts: { users: boolean; token: boolean }): SafeHtml {
  return html`<section class="login">
  <h1>Sign in</h1>
  <noscript><p class="error">The console needs JavaScript to sign in.</p></noscript>
  <form id="login-form" data-mode="${opts.users ? 'password' : 'token'}">
    ${opts.users
      ? html`<label>User name <input name="username" autocomplete="username" maxlength="64"></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" maxlength="1024"></label>`
      : null}
    ${opts.token
      ? html`<label>${opts.users ? 'Or a console token' : 'Console token'} <input name="token" type="password" autocomplete="off" maxlength="1024"></label>`
      : null}
    <button type="submit">Sign in</button>
    <p id="login-error" class="error" role="alert" hidden></p>
  </form>
</section>`;
}
