import { Inject, Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import LdapStrategy from 'passport-ldapauth';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { AUTH_CONFIG, AuthConfig } from '../auth.config';

export interface DirectoryIdentity {
  email: string;
  name: string;
}

type Outcome =
  | { kind: 'success'; entry: Record<string, unknown> }
  | { kind: 'fail'; message?: string }
  | { kind: 'error'; error: unknown };

/**
 * Signs people in against the organisation's directory with passport-ldapauth: bind as the app,
 * search for the username under the search base (with the configured extra filters), bind as the
 * entry found with the password given. The account is the entry's mail attribute, never what the
 * client typed.
 */
@Injectable()
export class LdapDirectory {
  private readonly strategy?: LdapStrategy;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    if (!config.ENABLE_LDAP) return;
    const scheme = config.LDAP_USE_TLS ? 'ldaps' : 'ldap';
    const userFilter = `(${config.LDAP_ATTRIBUTE_FOR_USERNAME}={{username}})`;
    this.strategy = new LdapStrategy({
      server: {
        url: `${scheme}://${config.LDAP_SERVER_HOST}:${config.LDAP_SERVER_PORT}`,
        bindDN: config.LDAP_APP_DN,
        bindCredentials: config.LDAP_APP_PASSWORD,
        searchBase: config.LDAP_SEARCH_BASE,
        searchFilter: config.LDAP_SEARCH_FILTERS
          ? `(&${userFilter}${config.LDAP_SEARCH_FILTERS})`
          : userFilter,
        searchAttributes: [
          'dn',
          'cn',
          'displayName',
          config.LDAP_ATTRIBUTE_FOR_MAIL,
          config.LDAP_ATTRIBUTE_FOR_USERNAME,
        ],
        connectTimeout: 5_000,
        timeout: 5_000,
        ...(config.LDAP_CA_CERT_FILE ? { tlsOptions: { ca: [readFileSync(config.LDAP_CA_CERT_FILE)] } } : {}),
      },
      usernameField: 'username',
      passwordField: 'password',
      handleErrorsAsFailures: false,
    });
  }

  async authenticate(username: string, password: string): Promise<DirectoryIdentity> {
    if (!this.strategy)
      throw new DomainError(ErrorKind.FailedPrecondition, 'LDAP sign-in is not enabled on this server.');
    if (!username || !password || username.length > 256 || password.length > 256) throw wrongCredentials();
    const outcome = await this.run(username, password);
    if (outcome.kind === 'fail') throw wrongCredentials();
    if (outcome.kind === 'error') {
      const message = (outcome.error as Error)?.message ?? String(outcome.error);
      if (/invalid credentials|no such user/i.test(message)) throw wrongCredentials();
      this.logger.warn({ err: outcome.error }, 'LDAP directory unreachable or misconfigured');
      throw new DomainError(
        ErrorKind.Unavailable,
        'The directory (LDAP) cannot be reached right now; try again shortly.',
      );
    }
    const mailAttribute = this.config.LDAP_ATTRIBUTE_FOR_MAIL;
    const mail = first(outcome.entry[mailAttribute]);
    if (!mail) {
      throw new DomainError(
        ErrorKind.FailedPrecondition,
        `Your directory entry has no email address (the ${mailAttribute} attribute); ask your directory administrator to add one.`,
      );
    }
    const name = first(outcome.entry.displayName) ?? first(outcome.entry.cn) ?? username;
    return { email: mail.toLowerCase(), name };
  }

  private run(username: string, password: string): Promise<Outcome> {
    return new Promise((resolve) => {
      // passport calls success/fail/error on the strategy object of a request; give it one of its own.
      const attempt = Object.create(this.strategy!) as LdapStrategy & {
        success: (user: Record<string, unknown>) => void;
        fail: (info?: { message?: string }) => void;
        error: (error: unknown) => void;
      };
      attempt.success = (entry) => resolve({ kind: 'success', entry });
      attempt.fail = (info) => resolve({ kind: 'fail', message: info?.message });
      attempt.error = (error) => resolve({ kind: 'error', error });
      attempt.authenticate({ body: { username, password } } as never, {});
    });
  }
}

function first(value: unknown): string | undefined {
  const item = Array.isArray(value) ? value[0] : value;
  return typeof item === 'string' && item ? item : undefined;
}

function wrongCredentials(): DomainError {
  return new DomainError(ErrorKind.Unauthenticated, 'The username or password is incorrect.', {
    code: 'INVALID_CREDENTIALS',
  });
}
