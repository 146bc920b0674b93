import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useT } from '../i18n';
import { MessageItem, type MessageActions } from './message-item';
import type { DisplayMessage } from './use-conversation';

interface MessageListProps extends MessageActions {
  chatId: string;
  messages: DisplayMessage[];
  siblings: Map<string, string[]>;
  busy: boolean;
}

const NEAR_BOTTOM_PX = 120;

/**
 * The branch in view, virtualised: only the messages near the viewport are in the DOM, so a chat
 * of thousands of messages opens and scrolls smoothly. Opens at the bottom and follows a streaming
 * answer while the reader stays at the bottom.
 */
export function MessageList({ chatId, messages, siblings, busy, ...actions }: MessageListProps) {
  const t = useT();
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 140,
    overscan: 6,
    getItemKey: (index) => messages[index]?.id ?? index,
    initialRect: { width: 800, height: 800 },
    // React 19 warns about flushSync during render; a frame later is fine for measuring.
    useFlushSync: false,
  });

  // Open every chat at its end; jump to the end when a message is added.
  const count = messages.length;
  useLayoutEffect(() => {
    atBottom.current = true;
  }, [chatId]);
  useEffect(() => {
    if (count > 0 && atBottom.current) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [chatId, count, virtualizer]);

  // Follow a growing answer, and its action row when it ends (after the rows are measured).
  const last = messages[messages.length - 1];
  const lastLength = last?.content.length ?? 0;
  const lastStreaming = last?.streaming ?? false;
  useEffect(() => {
    const element = scrollRef.current;
    if (!element || !atBottom.current) return;
    element.scrollTop = element.scrollHeight;
    const frame = requestAnimationFrame(() => {
      if (atBottom.current) element.scrollTop = element.scrollHeight;
    });
    return () => cancelAnimationFrame(frame);
  }, [lastLength, lastStreaming]);

  return (
    <div
      ref={scrollRef}
      className="message-scroller"
      role="log"
      aria-label={t('chat.messages')}
      tabIndex={0}
      onScroll={(event) => {
        const el = event.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
      }}
    >
      <div className="message-track" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const message = messages[item.index]!;
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="message-row"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <MessageItem
                message={message}
                siblings={siblings.get(message.id) ?? [message.id]}
                busy={busy}
                {...actions}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}
