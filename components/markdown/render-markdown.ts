// Markdown → HTML that is safe to put into the page with dangerouslySetInnerHTML.
//
// Two independent layers, so a bug in one does not become an XSS:
// 1. markdown-it with `html: false` escapes any raw HTML in the source as text, and its
//    validateLink refuses javascript:, vbscript:, file: and data: URLs.
// 2. sanitize-html then re-parses the output against a small allowlist: only the tags Markdown
//    itself produces, no event-handler or style attributes, and links limited to http(s) and
//    mailto. Whatever layer 1 lets through that is not on the list is dropped.
// Images are not rendered: a remote image would tell its host who reads the thread and when.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
markdown.disable(['image']);

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code',
  'em', 'strong', 's', 'del', 'ul', 'ol', 'li', 'a',
  'table', 'thead', 'tbody', 'tr', 'th', 'td',
];

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'target'],
    ol: ['start'],
    th: ['style'],
    td: ['style'],
    code: ['class'],
  },
  // markdown-it writes column alignment as an inline style; nothing else may style the page.
  allowedStyles: { th: { 'text-align': [/^(left|right|center)$/] }, td: { 'text-align': [/^(left|right|center)$/] } },
  allowedClasses: { code: [/^language-[a-z0-9_+-]{1,32}$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    // Links written by other people open in a new tab, and neither pass our origin on nor gain
    // page rank from us (rel=ugc marks user content for crawlers).
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...attribs, rel: 'nofollow ugc noopener noreferrer', target: '_blank' },
    }),
  },
};

/** Renders untrusted Markdown to sanitized HTML. Never throws on any string. */
export function renderMarkdown(source: string): string {
  return sanitizeHtml(markdown.render(source), SANITIZE_OPTIONS);
}
