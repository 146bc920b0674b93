import 'highlight.js/styles/github-dark.css';
import { memo, useState, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';
import { useT } from '../i18n';

interface HastNode {
  type: string;
  value?: string;
  tagName?: string;
  properties?: { className?: unknown };
  children?: HastNode[];
}

function textOf(node: HastNode | undefined): string {
  if (!node) return '';
  if (node.type === 'text') return node.value ?? '';
  return (node.children ?? []).map(textOf).join('');
}

function languageOf(node: HastNode | undefined): string | null {
  const code = node?.children?.find((child) => child.tagName === 'code');
  const classes = code?.properties?.className;
  if (!Array.isArray(classes)) return null;
  const lang = classes.find((c): c is string => typeof c === 'string' && c.startsWith('language-'));
  return lang ? lang.slice('language-'.length) : null;
}

function CodeBlock({ node, children }: { node?: HastNode; children?: ReactNode }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  const language = languageOf(node);
  async function copy() {
    try {
      await navigator.clipboard.writeText(textOf(node).replace(/\n$/, ''));
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  }
  return (
    <div className="code-block">
      <div className="code-block-bar">
        <span className="code-language">{language ?? t('message.code')}</span>
        <button type="button" className="copy-code" onClick={() => void copy()}>
          {copied ? t('message.copied') : t('message.copyCode')}
        </button>
      </div>
      <pre>{children}</pre>
    </div>
  );
}

const components: Components = {
  pre: ({ node, children }) => <CodeBlock node={node as HastNode}>{children}</CodeBlock>,
  a: ({ node: _node, href, children, ...rest }) => (
    <a {...rest} href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
};

const remarkPlugins = [remarkGfm];
const rehypePlugins = [[rehypeHighlight, { detect: false }]] as const;

/**
 * Markdown with GitHub extensions and highlighted code. Raw HTML in the text (`<div>`, `Vec<String>`,
 * JSX in prose) is shown as the text it is, never rendered or run: without rehype-raw, react-markdown
 * turns each raw node into a text node (`skipHtml` would delete it instead). Unsafe link protocols are
 * dropped.
 */
function MarkdownRenderer({ content }: { content: string }) {
  return (
    <ReactMarkdown
      remarkPlugins={remarkPlugins}
      rehypePlugins={rehypePlugins as never}
      components={components}
    >
      {content}
    </ReactMarkdown>
  );
}

export default memo(MarkdownRenderer);
