export { authApi } from './auth-api';
export { AuthForm } from './auth-form';
export { PendingScreen } from './pending-screen';
export { SessionProvider, useSession, useSessionUser, type SessionState } from './session-context';
