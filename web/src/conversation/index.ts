export { ChatView } from './chat-view';
export { CompletionsProvider } from './completions-context';
export { useTitleUpdates } from './use-conversation';
