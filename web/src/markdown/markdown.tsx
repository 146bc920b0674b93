import { lazy, memo, Suspense } from 'react';

// react-markdown, remark-gfm and highlight.js are loaded on first use, outside the initial bundle.
const MarkdownRenderer = lazy(() => import('./markdown-renderer'));

/** Renders Markdown; until the renderer has loaded, the text shows as it is. */
export const Markdown = memo(function Markdown({ content }: { content: string }) {
  return (
    <div className="markdown">
      <Suspense fallback={<p className="markdown-fallback">{content}</p>}>
        <MarkdownRenderer content={content} />
      </Suspense>
    </div>
  );
});

/** Starts loading the renderer early (e.g. when a chat opens) so the first answer does not wait. */
export function preloadMarkdown(): void {
  void import('./markdown-renderer');
}
