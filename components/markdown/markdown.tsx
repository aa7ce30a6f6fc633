// Markdown written by other people, rendered through the sanitizer (render-markdown.ts).
import { useMemo } from 'react';
import { renderMarkdown } from './render-markdown';

export function Markdown({ source, className = '' }: { source: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  // Safe: renderMarkdown escapes raw HTML and sanitizes its output against an allowlist.
  return <div className={`markdown ${className}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
