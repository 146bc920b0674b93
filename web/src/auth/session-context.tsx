import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, useApi, type SessionUser, type SignInResponse } from '../api';
import { authApi } from './auth-api';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; expired?: boolean; afterApproval?: boolean }
  | { status: 'signed-in'; user: SessionUser };

interface SessionValue {
  state: SessionState;
  /** Keeps the token and signs in; the user it signed in. */
  completeSignIn: (response: SignInResponse) => SessionUser;
  /**
   * Asks the server again who we are (the pending screen's "check again"). Approval changes the role,
   * which ends the pending session: `afterApproval` makes the sign-in form say to sign in again.
   */
  refresh: (options?: { afterApproval?: boolean }) => Promise<SessionUser | null>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const endLocally = useCallback(
    (expired: boolean) => {
      api.tokens.set(null);
      queryClient.clear();
      setState({ status: 'signed-out', expired });
    },
    [api, queryClient],
  );

  const completeSignIn = useCallback(
    (response: SignInResponse) => {
      const { token, token_type: _type, expires_at: _expires, ...user } = response;
      api.tokens.set(token);
      setState({ status: 'signed-in', user });
      return user;
    },
    [api],
  );

  /** Single-user mode (WEBUI_AUTH=False): no form, the one account is signed in as Open WebUI's is. */
  const signInSingleUser = useCallback(async (): Promise<SessionUser | null> => {
    try {
      if (await authApi.signInRequired(api)) return null;
      return completeSignIn(await authApi.signIn(api, { email: '', password: '' }));
    } catch {
      return null; // the form says what is wrong on the next attempt
    }
  }, [api, completeSignIn]);

  const refresh = useCallback(
    async (options?: { afterApproval?: boolean }) => {
      try {
        const user = await authApi.sessionUser(api);
        setState({ status: 'signed-in', user });
        return user;
      } catch (error) {
        // 401 just means "not signed in"; anything else also leaves us signed out,
        // and the sign-in form will report the real problem on the next attempt.
        if (error instanceof ApiError && error.status === 401) {
          api.tokens.set(null);
          const single = await signInSingleUser();
          if (single) return single;
        }
        setState({ status: 'signed-out', afterApproval: options?.afterApproval === true });
        return null;
      }
    },
    [api, signInSingleUser],
  );

  // Ask once at start: the token in localStorage or the httpOnly cookie may still be valid.
  useEffect(() => {
    void refresh();
  }, [refresh]);

  // A token that expires while the app is open ends the session everywhere.
  useEffect(
    () =>
      api.onUnauthorized((path) => {
        if (path.startsWith('/api/v1/auths/')) return;
        endLocally(true);
        // In single-user mode an expired token is simply renewed.
        void signInSingleUser();
      }),
    [api, endLocally, signInSingleUser],
  );

  const signOut = useCallback(async () => {
    try {
      await authApi.signOut(api);
    } catch {
      // The server may be unreachable; forgetting the token locally still signs out here.
    }
    endLocally(false);
  }, [api, endLocally]);

  const value = useMemo(
    () => ({ state, completeSignIn, refresh, signOut }),
    [state, completeSignIn, refresh, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() needs a <SessionProvider> above it');
  return value;
}

/** For screens that only render when signed in. */
export function useSessionUser(): SessionUser {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useSessionUser() called while not signed in');
  return state.user;
}
