import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { renderMarkdown } from './render-markdown';

// Every real tag in the output (sanitize-html escapes `<` in text, so `<name` only starts a tag).
function tagsOf(html: string): { name: string; attributes: Map<string, string> }[] {
  const tags: { name: string; attributes: Map<string, string> }[] = [];
  for (const match of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)) {
    const attributes = new Map<string, string>();
    for (const attribute of (match[2] ?? '').matchAll(/([^\s=/"']+)(?:="([^"]*)")?/g)) {
      attributes.set((attribute[1] ?? '').toLowerCase(), attribute[2] ?? '');
    }
    tags.push({ name: (match[1] ?? '').toLowerCase(), attributes });
  }
  return tags;
}

const SAFE_TAGS = new Set(['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'em', 'strong', 's', 'del', 'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);
const SAFE_ATTRIBUTES = new Set(['href', 'title', 'rel', 'target', 'start', 'style', 'class']);

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);?/gi, (_, hexDigits: string) => String.fromCodePoint(parseInt(hexDigits, 16)))
    .replace(/&#([0-9]+);?/g, (_, digits: string) => String.fromCodePoint(parseInt(digits, 10)))
    .replace(/&colon;/gi, ':').replace(/&amp;/g, '&');
}

/** The properties a reader's browser relies on: nothing in the output can run code. */
function expectInert(html: string): void {
  for (const tag of tagsOf(html)) {
    expect(SAFE_TAGS, `tag <${tag.name}> in ${html}`).toContain(tag.name);
    for (const [name, value] of tag.attributes) {
      expect(SAFE_ATTRIBUTES, `attribute ${name} in ${html}`).toContain(name);
      if (name === 'href') {
        // Browsers strip whitespace and control characters inside the scheme; so do we before checking.
        const href = [...decodeEntities(value)].filter((char) => char.charCodeAt(0) > 0x20).join('').toLowerCase();
        expect(href, `href in ${html}`).toMatch(/^(https?:\/\/|mailto:|#|\/(?!\/)|[^:]*$)/);
      }
      if (name === 'style') expect(value).toMatch(/^text-align:(left|right|center);?$/);
    }
  }
}

const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//xss.example/xss.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<a href="javascript:alert(1)">click</a>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](javascript&colon;alert(1))',
  '[click](&#106;avascript:alert(1))',
  '[click](java\tscript:alert(1))',
  '[click](vbscript:msgbox(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![x](javascript:alert(1))',
  '![x](https://tracker.example/pixel.png)',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<a href="https://ok.example" onclick="alert(1)">ok</a>',
  '<details open ontoggle=alert(1)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '"><script>alert(1)</script>',
  '`<script>alert(1)</script>`',
  '```html\n<script>alert(1)</script>\n```',
  '<object data="javascript:alert(1)"></object>',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<body onload=alert(1)>',
  '[a](<javascript:alert(1)>)',
  '[a][ref]\n\n[ref]: javascript:alert(1)',
  '<javascript:alert(1)>',
  'javascript:alert(1)',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
];

describe('renderMarkdown', () => {
  it('renders ordinary Markdown', () => {
    expect(renderMarkdown('# Title\n\nSome *em* and **strong** and `code`.')).toBe(
      '<h1>Title</h1>\n<p>Some <em>em</em> and <strong>strong</strong> and <code>code</code>.</p>\n',
    );
    expect(renderMarkdown('- a\n- b')).toBe('<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n');
  });

  it('makes links open safely in a new tab', () => {
    expect(renderMarkdown('[docs](https://example.org/a?b=1)')).toBe(
      '<p><a href="https://example.org/a?b=1" rel="nofollow ugc noopener noreferrer" target="_blank">docs</a></p>\n',
    );
  });

  it('shows raw HTML as visible text rather than markup', () => {
    const html = renderMarkdown('<script>alert("xss")</script>');
    expect(html).not.toContain('<script');
    expect(html).toBe('<p>&lt;script&gt;alert("xss")&lt;/script&gt;</p>\n');
  });

  it('does not load remote images', () => {
    const html = renderMarkdown('![pixel](https://tracker.example/p.png)');
    expect(html).not.toContain('<img');
  });

  it.each(XSS_PAYLOADS)('renders %j inert', (payload) => {
    const html = renderMarkdown(payload);
    expectInert(html);
    expect(html.toLowerCase()).not.toMatch(/<(script|img|svg|iframe|object|form|style|meta|body|details|math)\b/);
    expect(html.toLowerCase()).not.toMatch(/<a [^>]*href="\s*(javascript|vbscript|data):/);
  });

  it('escapes the payload so that a reader sees it as text', () => {
    expect(renderMarkdown('<img src=x onerror=alert(1)>')).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>\n');
  });

  it('keeps every output inert for arbitrary input (property)', () => {
    const pieces = fc.constantFrom(
      '<', '>', '"', "'", '`', '[', ']', '(', ')', '!', '&', ';', '#', ':', '=', ' ', '\n', '\t',
      'javascript:', 'JaVaScRiPt:', 'data:', 'vbscript:', 'script', 'img', 'svg', 'onerror', 'onload',
      'alert(1)', 'href', 'src', '&#106;', '&colon;', '```', '*', '_', 'http://x.example', '<a ',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 40 }), (parts) => {
        expectInert(renderMarkdown(parts.join('')));
      }),
      { numRuns: 400 },
    );
  });
});
