import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { lazy } from 'react';
import { ApiProvider, type ApiClient } from '../api';
import { AuthForm, PendingScreen, SessionProvider, useSession } from '../auth';
import { MainScreen } from '../chats';
import { I18nProvider, useT, type Locale } from '../i18n';
import { RealtimeProvider, type ConnectRealtime } from '../realtime';
import { useAppRoute } from '../settings/app-route';
import { LazyScreen } from '../settings/lazy-screen';
import { useSharedChatId } from '../share/share-route';
import { UserMenu } from '../settings/user-menu';

// Settings and admin are loaded on demand: most visits never open them.
const SettingsScreen = lazy(() => import('../settings/settings-screen'));
const AdminScreen = lazy(() => import('../admin/admin-screen'));
const KnowledgeScreen = lazy(() => import('../knowledge/knowledge-screen'));
const SharedChatPage = lazy(() => import('../share/shared-chat-page'));

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
  const route = useAppRoute();
  const sharedId = useSharedChatId();
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
      // A shared link (`/s/<id>`); a signed-out visitor gets here after signing in.
      if (sharedId !== null)
        return (
          <LazyScreen>
            <SharedChatPage key={sharedId} shareId={sharedId} />
          </LazyScreen>
        );
      return (
        // Keyed by user so a different account never sees the previous one's socket.
        <RealtimeProvider key={state.user.id} connect={connectRealtime} token={api.tokens.get()}>
          {route.screen === 'main' ? (
            <>
              <MainScreen />
              <div className="floating-user-menu">
                <UserMenu />
              </div>
            </>
          ) : (
            <LazyScreen>
              {route.screen === 'settings' ? (
                <SettingsScreen />
              ) : route.screen === 'knowledge' ? (
                <KnowledgeScreen id={route.id} />
              ) : (
                <AdminScreen tab={route.tab} />
              )}
            </LazyScreen>
          )}
        </RealtimeProvider>
      );
  }
}
