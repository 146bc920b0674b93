import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** PEM files of one certificate, named like the GRPC_TLS_* variables take them. */
export interface TestCertificateFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export interface IssueOptions {
  /** Subject alternative names; default localhost. */
  dnsNames?: string[];
  /** IP SANs; default 127.0.0.1 (the local stack's gRPC targets). */
  ips?: string[];
  /** Validity in days (default 2). */
  days?: number;
}

export interface TestCa {
  /** The folder holding the CA and every certificate it issued (removed by remove()). */
  dir: string;
  caFile: string;
  /**
   * Issues (or renews: the same name overwrites the files) a certificate usable as TLS server and client
   * certificate, signed by this CA, with a fresh key and serial.
   */
  issue(name: string, options?: IssueOptions): TestCertificateFiles;
  remove(): void;
}

/**
 * A throwaway certificate authority made with the openssl CLI (EC P-256 keys: quick to generate), for
 * tests of the services' mutual TLS. Nothing here is fit for production keys.
 */
export function createTestCa(name = 'parley-test-ca', parentDir = os.tmpdir()): TestCa {
  const dir = fs.mkdtempSync(path.join(parentDir, `${name}-`));
  const caFile = path.join(dir, 'ca.crt');
  const caKeyFile = path.join(dir, 'ca.key');
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    caKeyFile,
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return {
    dir,
    caFile,
    issue(certName, { dnsNames = ['localhost'], ips = ['127.0.0.1'], days = 2 } = {}) {
      if (!/^[A-Za-z0-9._-]+$/.test(certName))
        throw new Error(`not a file-safe certificate name: ${certName}`);
      const base = path.join(dir, certName);
      const keyFile = `${base}.key`;
      const certFile = `${base}.crt`;
      const csrFile = `${base}.csr`;
      const extFile = `${base}.ext`;
      const sans = [...dnsNames.map((n) => `DNS:${n}`), ...ips.map((ip) => `IP:${ip}`)];
      fs.writeFileSync(
        extFile,
        [
          'basicConstraints=CA:FALSE',
          'keyUsage=critical,digitalSignature,keyEncipherment',
          'extendedKeyUsage=serverAuth,clientAuth',
          ...(sans.length ? [`subjectAltName=${sans.join(',')}`] : []),
          '',
        ].join('\n'),
      );
      // Written beside the live files and renamed over them, so a reader never sees half a file.
      const newKey = `${keyFile}.new`;
      const newCert = `${certFile}.new`;
      openssl([
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        newKey,
        '-out',
        csrFile,
        '-subj',
        `/CN=${certName}`,
      ]);
      openssl([
        'x509',
        '-req',
        '-in',
        csrFile,
        '-CA',
        caFile,
        '-CAkey',
        caKeyFile,
        '-set_serial',
        `0x${randomBytes(8).toString('hex').replace(/^0/, '1')}`,
        '-days',
        String(days),
        '-extfile',
        extFile,
        '-out',
        newCert,
      ]);
      fs.renameSync(newKey, keyFile);
      fs.renameSync(newCert, certFile);
      return { certFile, keyFile, caFile };
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}
