// The source dictionary: its keys and {placeholders} define the types every
// other language must match.
export const en = {
  'app.loading': 'Loading…',
  'app.skipToContent': 'Skip to chat',

  'auth.signIn.title': 'Sign in to Parley',
  'auth.signUp.title': 'Create your Parley account',
  'auth.name': 'Name',
  'auth.email': 'Email',
  'auth.password': 'Password',
  'auth.signIn.submit': 'Sign in',
  'auth.signUp.submit': 'Create account',
  'auth.submitting': 'Please wait…',
  'auth.toSignUp.prompt': 'Don’t have an account?',
  'auth.toSignUp.action': 'Sign up',
  'auth.toSignIn.prompt': 'Already have an account?',
  'auth.toSignIn.action': 'Sign in',
  'auth.sessionExpired': 'Your session has ended. Please sign in again.',

  'pending.title': 'Account activation pending',
  'pending.body':
    'Your account is waiting for an administrator to approve it. You can start chatting as soon as that happens.',
  'pending.signedInAs': 'Signed in as {email}',
  'pending.checkAgain': 'Check again',
  'pending.stillPending': 'Still waiting for approval.',

  'session.signOut': 'Sign out',
  'session.signedInAs': 'Signed in as {name}',

  'chats.navLabel': 'Chats',
  'chats.new': 'New chat',
  'chats.creating': 'Creating…',
  'chats.history': 'Your chats',
  'chats.loading': 'Loading chats…',
  'chats.empty': 'No chats yet.',
  'chats.loadMore': 'Load more',
  'chats.untitled': 'Untitled chat',
  'chats.showList': 'Show chats',
  'chats.hideList': 'Hide chats',

  'chat.noneSelected': 'Select a chat or start a new one.',
  'chat.notFound': 'This chat is not in your list.',
  'chat.messagesPlaceholder': 'Messages will appear here.',

  'language.label': 'Language',

  'errors.network': 'Cannot reach the server. Check your connection and try again.',
  'errors.unexpected': 'Something went wrong (status {status}). Please try again.',
  'errors.retry': 'Try again',
} as const;

export type MessageKey = keyof typeof en;
