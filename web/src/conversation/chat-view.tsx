import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { ApiError, useApi } from '../api';
import { errorMessage } from '../app/error-message';
import { useAttachments } from '../files';
import { useT } from '../i18n';
import { preloadMarkdown } from '../markdown';
import { Composer } from './composer';
import { MessageList } from './message-list';
import { siblingsOf } from './message-tree';
import { ModelPicker, preferredModel, rememberModel } from './model-picker';
import { useModels } from '../models';
import { settingsApi, settingsKeys } from '../settings/settings-api';
import { useConversation, useDisplayBranch, type DisplayMessage } from './use-conversation';

/**
 * One chat: title, model picker, the message thread and the composer. With `chatId` null, a draft: the
 * composer is ready with the default model and the first message creates the chat (`onCreated`).
 */
export function ChatView({
  chatId,
  fallbackTitle,
  onCreated,
  focusComposer = false,
}: {
  chatId: string | null;
  fallbackTitle?: string | undefined;
  onCreated?: (id: string) => void;
  /** Put the focus in the composer when the view opens ("New chat"). */
  focusComposer?: boolean;
}) {
  const t = useT();
  const api = useApi();
  const titleId = useId();
  const conversation = useConversation(chatId, onCreated);
  const { query } = conversation;
  const draft = chatId === null;
  const models = useModels();
  // The default model from Settings (Open WebUI's `settings.ui.models[0]`), for a chat without its own.
  const userSettings = useQuery({
    queryKey: settingsKeys.userSettings,
    queryFn: () => settingsApi.getSettings(api),
  });
  const defaultModel = userSettings.data?.ui?.models?.[0];
  const [chosenModel, setChosenModel] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [sending, setSending] = useState(false);
  const messages = useDisplayBranch(query.data?.history);
  const files = useAttachments();
  const [dropping, setDropping] = useState(false);

  useEffect(preloadMarkdown, []);
  useEffect(() => {
    setActionError(null);
    setChosenModel(null);
  }, [chatId]);

  const model = useMemo(
    () => chosenModel ?? preferredModel(models.data ?? [], query.data?.models ?? [], defaultModel),
    [chosenModel, models.data, query.data?.models, defaultModel],
  );
  const title = draft
    ? t('chat.newChat')
    : (query.data?.title ?? fallbackTitle ?? '').trim() || t('chats.untitled');
  useEffect(() => {
    document.title = !draft && (query.data || fallbackTitle) ? `${title} · Parley` : 'Parley';
  }, [title, query.data, fallbackTitle, draft]);

  const history = query.data?.history;
  const siblings = useMemo(() => {
    const map = new Map<string, string[]>();
    if (history) for (const m of messages) map.set(m.id, siblingsOf(history, m));
    return map;
  }, [history, messages]);
  const streamingIds = messages.filter((m) => m.streaming).map((m) => m.id);
  const streaming = streamingIds.length > 0;

  const run = useCallback(async (action: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await action();
    } catch (error) {
      setActionError(error);
      throw error;
    }
  }, []);
  const quiet = (promise: Promise<unknown>) => void promise.catch(() => undefined);

  const { send, answer, editAndResend, regenerate, switchTo, rate, stop } = conversation;
  const onSwitch = useCallback((id: string) => quiet(run(() => switchTo(id))), [run, switchTo]);
  const onEdit = useCallback(
    (message: DisplayMessage, content: string) =>
      run(() => (model ? editAndResend(message, content, model) : Promise.resolve())),
    [run, editAndResend, model],
  );
  const onRegenerate = useCallback(
    (message: DisplayMessage) => quiet(run(() => regenerate(message, model ?? message.model ?? ''))),
    [run, regenerate, model],
  );
  const onRate = useCallback(
    (message: DisplayMessage, rating: -1 | 0 | 1) => quiet(run(() => rate(message, rating))),
    [run, rate],
  );

  if (!draft && query.isPending) {
    return (
      <p className="empty-state" role="status">
        {t('app.loading')}
      </p>
    );
  }
  if (!draft && query.isError) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return notFound ? (
      <p className="empty-state">{t('chat.notFound')}</p>
    ) : (
      <div className="error" role="alert">
        <p>{errorMessage(query.error, t)}</p>
        <button type="button" onClick={() => void query.refetch()}>
          {t('errors.retry')}
        </button>
      </div>
    );
  }

  const noModel = !models.isPending && !model;
  const modelsUnavailable = models.isError && (models.data?.length ?? 0) === 0;
  // A question without an answer (e.g. the page was closed before the answer started).
  const last = messages[messages.length - 1];
  const unanswered = last?.role === 'user' && !sending && !streaming && model ? last : null;
  return (
    <article
      className={dropping ? 'chat-view dropping' : 'chat-view'}
      aria-labelledby={titleId}
      onDragOver={(event) => {
        if (!event.dataTransfer.types.includes('Files')) return;
        event.preventDefault();
        setDropping(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropping(false);
      }}
      onDrop={(event) => {
        if (event.dataTransfer.files.length === 0) return;
        event.preventDefault();
        setDropping(false);
        files.add([...event.dataTransfer.files]);
      }}
    >
      {dropping && (
        <p className="drop-hint" aria-hidden="true">
          {t('files.dropHere')}
        </p>
      )}
      <header className="chat-header">
        {/* One line, cut with an ellipsis: the whole title shows on hover. */}
        <h1 id={titleId} className="chat-title" title={title}>
          {title}
        </h1>
        <ModelPicker
          models={models.data ?? []}
          value={model}
          loading={models.isPending}
          unavailable={models.isError}
          onRetry={() => void models.refetch()}
          onChange={(id) => {
            setChosenModel(id);
            rememberModel(id);
          }}
        />
      </header>
      {messages.length === 0 || chatId === null ? (
        <p className="empty-state chat-empty">{t('chat.empty')}</p>
      ) : (
        <MessageList
          chatId={chatId}
          messages={messages}
          siblings={siblings}
          busy={streaming}
          onSwitch={onSwitch}
          onEdit={onEdit}
          onRegenerate={onRegenerate}
          onRate={onRate}
        />
      )}
      {unanswered && (
        <p className="unanswered">
          <button type="button" onClick={() => quiet(run(() => answer(unanswered, model!)))}>
            {t('chat.answerNow')}
          </button>
        </p>
      )}
      {actionError !== null && (
        <p className="error" role="alert">
          {errorMessage(actionError, t)}
        </p>
      )}
      {modelsUnavailable && (
        <p className="error" role="alert">
          {t('chat.modelsUnavailable')}
        </p>
      )}
      <Composer
        streaming={streaming}
        // No sending before the model list has arrived: the answer needs a model.
        disabled={!model}
        disabledReason={
          modelsUnavailable ? t('chat.modelsUnavailable') : noModel ? t('chat.noModels') : undefined
        }
        autoFocus={focusComposer}
        files={files}
        hashPicker
        onSend={async (text, attached) => {
          setSending(true);
          try {
            await run(() => send(text, model!, attached));
          } finally {
            setSending(false);
          }
        }}
        onStop={() => quiet(run(() => stop(streamingIds)))}
      />
    </article>
  );
}
