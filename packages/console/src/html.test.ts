import { describe, expect, it } from 'vitest';
import { clip, escapeHtml, html } from './html.js';

describe('html escaping', () => {
  it('escapes every character that can open markup or close an attribute', () => {
    expect(escapeHtml(`<script>alert("x")</script>&'\``)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;',
    );
  });

  it('escapes interpolations, nested lists included, and keeps the literal markup', () => {
    const evil = '"><img src=x onerror=alert(1)>';
    const out = html`<a title="${evil}">${[evil, html`<b>${evil}</b>`]}</a>`.value;
    expect(out).not.toContain('<img');
    expect(out).toContain('<b>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</b>');
    expect(out.startsWith('<a title="&quot;&gt;&lt;img')).toBe(true);
  });

  it('renders null, undefined and false as nothing', () => {
    expect(html`[${null}${undefined}${false}${0}]`.value).toBe('[0]');
  });

  it('clips long text with an ellipsis', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
  });
});
