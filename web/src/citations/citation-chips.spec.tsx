import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatListItem } from '../api';
import { I18nProvider } from '../i18n';
import { completion, fakeLayout, renderChat, tree } from '../testing/fake-chat';
import { CitationChips } from './citation-chips';
import { readCitations } from './sources';

const SOURCES = [
  {
    source: { type: 'collection', id: 'kb-1', name: 'Staff handbook' },
    document: ['The office opens at nine.', 'Lunch is at noon.'],
    metadata: [
      {
        file_id: 'f-1',
        name: 'handbook.pdf',
        page: 2,
        heading: 'Hours',
        score: 0.91,
        knowledge_base_id: 'kb-1',
      },
      { file_id: 'f-1', name: 'handbook.pdf', page: 3, score: 0.5, knowledge_base_id: 'kb-1' },
    ],
    distances: [0.91, 0.5],
  },
  {
    source: { type: 'file', id: 'f-2', name: 'notes.md' },
    document: ['Parking is behind the building.'],
    metadata: [{ file_id: 'f-2', name: 'notes.md', page: null, score: 0.4 }],
    distances: [0.4],
  },
];

describe('readCitations', () => {
  it('numbers the documents of every source in order, with file, page and knowledge base', () => {
    const citations = readCitations(SOURCES);
    expect(citations.map((c) => [c.number, c.fileName, c.page])).toEqual([
      [1, 'handbook.pdf', 2],
      [2, 'handbook.pdf', 3],
      [3, 'notes.md', undefined],
    ]);
    expect(citations[0]).toMatchObject({
      text: 'The office opens at nine.',
      fileId: 'f-1',
      heading: 'Hours',
      score: 0.91,
      knowledgeBase: { id: 'kb-1', name: 'Staff handbook' },
    });
    expect(citations[2]).not.toHaveProperty('knowledgeBase');
  });

  it('gives nothing for what is not a list, and skips items of another shape without renumbering', () => {
    expect(readCitations(undefined)).toEqual([]);
    expect(readCitations({ sources: [] })).toEqual([]);
    const citations = readCitations(['junk', null, { document: 'not a list' }, { document: [42, 'Kept.'] }]);
    expect(citations.map((c) => [c.number, c.text])).toEqual([
      [1, ''],
      [2, 'Kept.'],
    ]);
  });
});

describe('CitationChips', () => {
  it('shows one chip per passage and opens it in a dialog that Escape closes, giving focus back', async () => {
    const user = userEvent.setup();
    render(
      <I18nProvider locale="en">
        <CitationChips citations={readCitations(SOURCES)} />
      </I18nProvider>,
    );
    const list = screen.getByRole('list', { name: 'Sources' });
    const chips = within(list).getAllByRole('button');
    expect(chips.map((c) => c.textContent)).toEqual([
      '[1] handbook.pdf (p. 2)',
      '[2] handbook.pdf (p. 3)',
      '[3] notes.md',
    ]);
    chips[0]!.focus();
    await user.keyboard('{Enter}');
    const dialog = screen.getByRole('dialog', { name: '[1] handbook.pdf' });
    expect(within(dialog).getByText('The office opens at nine.')).toBeInTheDocument();
    expect(within(dialog).getByText('Staff handbook')).toBeInTheDocument();
    expect(within(dialog).getByText('Hours')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Close' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(chips[0]).toHaveFocus();
  });

  it('speaks German, page included', () => {
    render(
      <I18nProvider locale="de">
        <CitationChips citations={readCitations(SOURCES)} />
      </I18nProvider>,
    );
    expect(screen.getByRole('list', { name: 'Quellen' })).toHaveTextContent('[1] handbook.pdf (S. 2)');
  });

  it('shows nothing without sources', () => {
    const { container } = render(
      <I18nProvider locale="en">
        <CitationChips citations={[]} />
      </I18nProvider>,
    );
    expect(container).toBeEmptyDOMElement();
  });
});

describe('citations in a chat', () => {
  const CHAT: ChatListItem = { id: 'c-1', title: 'Handbook', created_at: 1, updated_at: 2 };
  let undoLayout: () => void;
  beforeEach(() => {
    undoLayout = fakeLayout();
    window.location.hash = '#/c/c-1';
  });
  afterEach(() => undoLayout());

  const setup = (history = tree([])) => renderChat(CHAT, history);

  it('shows the chips of a live answer from its first delta, before the answer is done', async () => {
    const { server, user, realtime } = setup();
    await screen.findByText('Send a message to start the conversation.');
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).not.toBeDisabled());
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'When does it open?{Enter}');
    await waitFor(() => expect(server.callsTo('POST', '/api/chat/completions')).toHaveLength(1));
    const id = (server.callsTo('POST', '/api/chat/completions')[0]!.body as { id: string }).id;
    act(() =>
      realtime.current.serverEmit('chat:completion', {
        ...completion('c-1', id, 1, 'At nine [1].'),
        sources: SOURCES,
      }),
    );
    const list = await screen.findByRole('list', { name: 'Sources' });
    expect(within(list).getAllByRole('button')[0]).toHaveTextContent('[1] handbook.pdf (p. 2)');
    act(() => realtime.current.serverEmit('chat:completion', completion('c-1', id, 2, '', true)));
    expect(await screen.findByRole('button', { name: 'Regenerate' })).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Sources' })).toBeInTheDocument();
  });

  it('shows the chips of a saved answer after a reload and opens the passage', async () => {
    const { user } = setup(
      tree([
        { id: 'u1', role: 'user', content: 'When does it open?' },
        {
          id: 'a1',
          parentId: 'u1',
          role: 'assistant',
          content: 'At nine [1].',
          model: 'gpt-fake',
          sources: SOURCES,
        } as never,
      ]),
    );
    const list = await screen.findByRole('list', { name: 'Sources' }, { timeout: 5000 });
    await user.click(within(list).getByRole('button', { name: /\[3\] notes\.md/ }));
    expect(screen.getByRole('dialog', { name: '[3] notes.md' })).toHaveTextContent(
      'Parking is behind the building.',
    );
  });
});
