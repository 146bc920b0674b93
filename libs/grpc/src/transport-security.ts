import * as fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { ChannelCredentials, credentials, experimental, ServerCredentials } from '@grpc/grpc-js';

/**
 * Mutual TLS between the services (docs/internal-tls.md). Off unless a process calls
 * useTransportSecurity at start-up; then every gRPC server of the process requires a client certificate
 * signed by the CA and every client presents its own and checks the server's against the same CA and the
 * target's host name. Identity of the caller is still the caller assertion's job: TLS only says that the
 * peer is one of this installation's services and that nobody on the network reads or alters the call.
 */

/** PEM files, as cert-manager writes them into a Secret (tls.crt, tls.key, ca.crt). */
export interface TransportSecurityFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export interface TransportSecurityOptions {
  /** How often the files are read again, so a renewed certificate is used without a restart. */
  refreshIntervalMs?: number;
}

/** What the operator sees when the TLS variables are wrong; bootstrap prints it and exits. */
export class TransportSecurityConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'TransportSecurityConfigError';
  }
}

export const DEFAULT_TLS_REFRESH_INTERVAL_MS = 60_000;

const ENV_NAMES = {
  certFile: 'GRPC_TLS_CERT_FILE',
  keyFile: 'GRPC_TLS_KEY_FILE',
  caFile: 'GRPC_TLS_CA_FILE',
} as const;

/**
 * The TLS files from a service's config: all three variables or none (then undefined: plaintext, as on a
 * developer machine). Anything in between is a configuration error, not a silent fallback to plaintext.
 */
export function transportSecurityFilesOf(config: {
  GRPC_TLS_CERT_FILE?: string;
  GRPC_TLS_KEY_FILE?: string;
  GRPC_TLS_CA_FILE?: string;
}): TransportSecurityFiles | undefined {
  const files = {
    certFile: config.GRPC_TLS_CERT_FILE || undefined,
    keyFile: config.GRPC_TLS_KEY_FILE || undefined,
    caFile: config.GRPC_TLS_CA_FILE || undefined,
  };
  const set = Object.entries(files).filter(([, value]) => value !== undefined);
  if (set.length === 0) return undefined;
  if (set.length < 3) {
    const given = set.map(([key]) => ENV_NAMES[key as keyof typeof ENV_NAMES]).join(' and ');
    const missing = (Object.keys(ENV_NAMES) as Array<keyof typeof ENV_NAMES>)
      .filter((key) => files[key] === undefined)
      .map((key) => `${ENV_NAMES[key]} is required when ${given} ${set.length === 1 ? 'is' : 'are'} set`);
    throw new TransportSecurityConfigError([
      ...missing,
      'internal gRPC TLS needs GRPC_TLS_CERT_FILE, GRPC_TLS_KEY_FILE and GRPC_TLS_CA_FILE together, or none of them',
    ]);
  }
  return files as TransportSecurityFiles;
}

/** The certificates of one process, re-read from their files while in use. */
export class TransportSecurity {
  private readonly provider: experimental.FileWatcherCertificateProvider;
  private readonly server: ServerCredentials;
  private readonly channel: ChannelCredentials;

  constructor(
    readonly files: TransportSecurityFiles,
    { refreshIntervalMs = DEFAULT_TLS_REFRESH_INTERVAL_MS }: TransportSecurityOptions = {},
  ) {
    checkFiles(files);
    this.provider = new experimental.FileWatcherCertificateProvider({
      certificateFile: files.certFile,
      privateKeyFile: files.keyFile,
      caCertificateFile: files.caFile,
      refreshIntervalMs,
    });
    // One provider serves both roles. (grpc-js 1.14 passes the server's two providers to its
    // constructor in swapped order; with the same provider for both, that cannot matter.)
    this.server = experimental.createCertificateProviderServerCredentials(this.provider, this.provider, true);
    this.channel = experimental.createCertificateProviderChannelCredentials(this.provider, this.provider);
  }

  /** Requires and verifies a client certificate signed by the CA. */
  serverCredentials(): ServerCredentials {
    return this.server;
  }

  /** Presents this process's certificate and verifies the server's against the CA and the target name. */
  channelCredentials(): ChannelCredentials {
    return this.channel;
  }
}

let current: TransportSecurity | undefined;

/**
 * Configures the process once, at start-up: every GrpcServerHost that listens and every client created
 * afterwards uses these files. `undefined` turns TLS off again (plaintext).
 */
export function useTransportSecurity(
  files: TransportSecurityFiles | undefined,
  options?: TransportSecurityOptions,
): TransportSecurity | undefined {
  current = files ? new TransportSecurity(files, options) : undefined;
  return current;
}

/** The process's TLS configuration, if any. */
export function transportSecurity(): TransportSecurity | undefined {
  return current;
}

/** Credentials for a gRPC server of this process: mutual TLS when configured, else plaintext. */
export function grpcServerCredentials(): ServerCredentials {
  return current?.serverCredentials() ?? ServerCredentials.createInsecure();
}

/** Credentials for a gRPC client of this process: mutual TLS when configured, else plaintext. */
export function grpcChannelCredentials(): ChannelCredentials {
  return current?.channelCredentials() ?? credentials.createInsecure();
}

/**
 * Reads the files once at start-up, so a wrong path or a key that does not match its certificate stops
 * the service with a sentence naming the variable, instead of every connection failing later.
 */
function checkFiles(files: TransportSecurityFiles): void {
  const problems: string[] = [];
  const read = (key: keyof TransportSecurityFiles): Buffer | undefined => {
    try {
      return fs.readFileSync(files[key]);
    } catch (error) {
      problems.push(`${ENV_NAMES[key]} (${files[key]}) cannot be read: ${(error as Error).message}`);
      return undefined;
    }
  };
  const cert = read('certFile');
  const key = read('keyFile');
  const ca = read('caFile');
  if (cert && key && ca) {
    try {
      new X509Certificate(ca);
    } catch {
      problems.push(`${ENV_NAMES.caFile} (${files.caFile}) is not a PEM certificate`);
    }
    try {
      new X509Certificate(cert);
      createSecureContext({ cert, key, ca });
    } catch (error) {
      problems.push(
        `${ENV_NAMES.certFile} and ${ENV_NAMES.keyFile} are not a matching PEM certificate and key: ${(error as Error).message}`,
      );
    }
  }
  if (problems.length) throw new TransportSecurityConfigError(problems);
}
