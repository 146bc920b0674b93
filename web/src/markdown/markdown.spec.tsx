import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { I18nProvider } from '../i18n';
import { Markdown } from './markdown';

function renderMarkdown(content: string) {
  const user = userEvent.setup();
  const view = render(
    <I18nProvider locale="en">
      <Markdown content={content} />
    </I18nProvider>,
  );
  return { ...view, user };
}

describe('Markdown', () => {
  it('highlights a fenced code block and copies its text', async () => {
    const { user, container } = renderMarkdown('Look:\n\n```ts\nconst answer: number = 42;\n```\n');

    const copy = await screen.findByRole('button', { name: 'Copy code' }, { timeout: 5000 });
    const code = container.querySelector('pre code')!;
    expect(code).toHaveClass('hljs', 'language-ts');
    expect(code.querySelector('.hljs-keyword')).toHaveTextContent('const');
    expect(screen.getByText('ts')).toBeInTheDocument();

    await user.click(copy);
    expect(await navigator.clipboard.readText()).toBe('const answer: number = 42;');
    expect(screen.getByRole('button', { name: 'Copied' })).toBeInTheDocument();
  });

  it('renders GitHub tables and lists', async () => {
    renderMarkdown('| a | b |\n| - | - |\n| 1 | 2 |\n\n- [x] done\n');
    const table = await screen.findByRole('table', {}, { timeout: 5000 });
    expect(
      within(table)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['1', '2']);
    expect(screen.getByRole('checkbox')).toBeChecked();
  });

  it('never injects raw HTML or script links', async () => {
    const { container } = renderMarkdown(
      'Hi <img src=x onerror="alert(1)"> <script>alert(2)</script> <b>bold</b>\n\n[click](javascript:alert(3))',
    );
    await screen.findByText('click', {}, { timeout: 5000 });
    expect(container.querySelector('img, script, b')).toBeNull();
    expect(screen.getByText('click').closest('a')?.getAttribute('href') ?? '').not.toContain('javascript');
    // Shown as text rather than deleted.
    expect(container.textContent).toContain('<script>alert(2)</script>');
    expect(container.textContent).toContain('<b>bold</b>');
  });

  it('shows text that looks like HTML as text: tags, generics and JSX', async () => {
    const { container } = renderMarkdown(
      'Wrap it in a <div> first.\n\nReturn a Vec<String> here.\n\n<div class="x">block</div>\n\nRender <App title="hi" /> now.',
    );
    await screen.findByText(/Vec<String>/, {}, { timeout: 5000 });
    const text = container.textContent ?? '';
    expect(text).toContain('Wrap it in a <div> first.');
    expect(text).toContain('Return a Vec<String> here.');
    expect(text).toContain('<div class="x">block</div>');
    expect(text).toContain('Render <App title="hi" /> now.');
    expect(container.querySelector('.markdown div.x, .markdown app')).toBeNull();
  });
});
