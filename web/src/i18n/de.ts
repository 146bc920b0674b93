import type { Dictionary } from './i18n-types';

export const de: Dictionary = {
  'app.loading': 'Wird geladen…',
  'app.skipToContent': 'Zum Chat springen',

  'auth.signIn.title': 'Bei Parley anmelden',
  'auth.signUp.title': 'Parley-Konto erstellen',
  'auth.name': 'Name',
  'auth.email': 'E-Mail',
  'auth.password': 'Passwort',
  'auth.signIn.submit': 'Anmelden',
  'auth.signUp.submit': 'Konto erstellen',
  'auth.submitting': 'Bitte warten…',
  'auth.toSignUp.prompt': 'Noch kein Konto?',
  'auth.toSignUp.action': 'Registrieren',
  'auth.toSignIn.prompt': 'Schon ein Konto?',
  'auth.toSignIn.action': 'Anmelden',
  'auth.sessionExpired': 'Deine Sitzung ist abgelaufen. Bitte melde dich erneut an.',

  'pending.title': 'Kontofreischaltung ausstehend',
  'pending.body':
    'Dein Konto wartet auf die Freigabe durch eine Administratorin oder einen Administrator. Sobald das geschehen ist, kannst du loslegen.',
  'pending.signedInAs': 'Angemeldet als {email}',
  'pending.checkAgain': 'Erneut prüfen',
  'pending.stillPending': 'Die Freigabe steht noch aus.',

  'session.signOut': 'Abmelden',
  'session.signedInAs': 'Angemeldet als {name}',

  'chats.navLabel': 'Chats',
  'chats.new': 'Neuer Chat',
  'chats.creating': 'Wird erstellt…',
  'chats.history': 'Deine Chats',
  'chats.loading': 'Chats werden geladen…',
  'chats.empty': 'Noch keine Chats.',
  'chats.loadMore': 'Mehr laden',
  'chats.untitled': 'Chat ohne Titel',
  'chats.showList': 'Chats anzeigen',
  'chats.hideList': 'Chats ausblenden',

  'chat.noneSelected': 'Wähle einen Chat aus oder beginne einen neuen.',
  'chat.notFound': 'Dieser Chat ist nicht in deiner Liste.',
  'chat.messagesPlaceholder': 'Hier erscheinen die Nachrichten.',

  'language.label': 'Sprache',

  'errors.network': 'Der Server ist nicht erreichbar. Prüfe deine Verbindung und versuche es erneut.',
  'errors.unexpected': 'Etwas ist schiefgelaufen (Status {status}). Bitte versuche es erneut.',
  'errors.retry': 'Erneut versuchen',
};
