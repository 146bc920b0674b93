import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { ApiProvider, type ApiClient } from '../api';
import { AuthForm, PendingScreen, SessionProvider, useSession } from '../auth';
import { MainScreen } from '../chats';
import { I18nProvider, useT, type Locale } from '../i18n';
import { RealtimeProvider, type ConnectRealtime } from '../realtime';

export interface AppProps {
  api: ApiClient;
  queryClient: QueryClient;
  connectRealtime: ConnectRealtime;
  /** Fixes the language (tests); otherwise saved choice or browser language. */
  locale?: Locale;
}

/** Providers, then the screen that fits the session. Outside-world access comes in as props. */
export function App({ api, queryClient, connectRealtime, locale }: AppProps) {
  return (
    <I18nProvider {...(locale ? { locale } : {})}>
      <ApiProvider client={api}>
        <QueryClientProvider client={queryClient}>
          <SessionProvider>
            <Screens api={api} connectRealtime={connectRealtime} />
          </SessionProvider>
        </QueryClientProvider>
      </ApiProvider>
    </I18nProvider>
  );
}

function Screens({ api, connectRealtime }: Pick<AppProps, 'api' | 'connectRealtime'>) {
  const t = useT();
  const { state } = useSession();
  switch (state.status) {
    case 'loading':
      return (
        <p className="splash" role="status">
          {t('app.loading')}
        </p>
      );
    case 'signed-out':
      return <AuthForm />;
    case 'signed-in':
      if (state.user.role === 'pending') return <PendingScreen />;
      return (
        // Keyed by user so a different account never sees the previous one's socket.
        <RealtimeProvider key={state.user.id} connect={connectRealtime} token={api.tokens.get()}>
          <MainScreen />
        </RealtimeProvider>
      );
  }
}
