import { html, type SafeHtml } from '../html.js';

/** What every page needs to render its frame and forms. */
export interface PageContext {
  readonly basePath: string;
  readonly title: string;
  readonly operator: { readonly id: string; readonly canAct: boolean } | undefined;
  /** The CSRF token of this operator's forms ('' when they cannot act). */
  readonly csrf: string;
  readonly canAct: boolean;
  readonly hasOrders: boolean;
  readonly now: number;
}

/** A hidden CSRF field for a POST form. */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${ctx.csrf}">`;
}

/** The HTML document around a page's body. */
export function layout(ctx: PageContext, heading: string, body: SafeHtml): string {
  const base = ctx.basePath;
  const operator =
    ctx.operator === undefined
      ? ''
      : html`<span class="operator">signed in as <strong data-testid="operator">${ctx.operator.id}</strong>${
          ctx.canAct ? '' : html` <span class="pill">read-only</span>`
        }</span>`;
  const search = ctx.hasOrders
    ? html`<form class="search" method="get" action="${base}/orders" role="search">
        <input name="id" placeholder="order id" aria-label="order id" required maxlength="200">
        <button type="submit">Find</button>
      </form>`
    : '';
  return `<!doctype html>${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading} · ${ctx.title}</title>
<link rel="stylesheet" href="${base}/assets/console.css">
<script src="${base}/assets/console.js" defer></script>
</head>
<body>
<header class="top">
  <a href="${base}/">${ctx.title}</a>
  <nav><a href="${base}/">Overview</a></nav>
  ${search}
  ${operator}
</header>
<main>
<h1>${heading}</h1>
${body}
</main>
</body>
</html>`.value
  }`;
}
