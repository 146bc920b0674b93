import { ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall } from './debian-packages';
import { freePort } from './free-port';
import { tcpAnswers } from './test-infrastructure';

export interface LdapDirectoryUser {
  uid: string;
  password: string;
  cn: string;
  mail?: string;
  /** Used by search filters in tests, e.g. staff / contractor. */
  employeeType?: string;
}

export interface LdapServer {
  url: string;
  host: string;
  port: number;
  baseDn: string;
  /** The application account services bind as to search the directory. */
  appDn: string;
  appPassword: string;
  stop(): Promise<void>;
}

const BASE_DN = 'dc=parley,dc=test';

/** Installs OpenLDAP from Debian's packages when it is missing (CI machines start without it). */
export function ensureSlapdInstalled(): void {
  if (existsSync('/usr/sbin/slapd') && existsSync('/usr/sbin/slapadd')) return;
  aptInstall(['slapd', 'ldap-utils']);
}

/**
 * A real OpenLDAP server (slapd) of the test's own: its own config, database and port on 127.0.0.1,
 * filled with the given people under ou=people, and an application account for searches.
 */
export async function startLdapServer(users: LdapDirectoryUser[]): Promise<LdapServer> {
  ensureSlapdInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'parley-ldap-'));
  mkdirSync(join(dir, 'data'));
  const appDn = `cn=parley-app,${BASE_DN}`;
  const appPassword = 'app-secret-for-tests';
  writeFileSync(
    join(dir, 'slapd.conf'),
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${dir}/slapd.pid`,
      'database mdb',
      `suffix "${BASE_DN}"`,
      `rootdn "cn=admin,${BASE_DN}"`,
      'rootpw admin-secret-for-tests',
      `directory ${dir}/data`,
      // The app account may read everything; people may bind (authenticate) as themselves.
      'access to attrs=userPassword by self write by anonymous auth by * none',
      `access to * by dn.exact="${appDn}" read by self read by * none`,
      '',
    ].join('\n'),
  );
  const entries = [
    `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Parley Test\ndc: parley`,
    `dn: ou=people,${BASE_DN}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${appDn}\nobjectClass: person\ncn: parley-app\nsn: app\nuserPassword: ${appPassword}`,
    ...users.map((u) =>
      [
        `dn: uid=${u.uid},ou=people,${BASE_DN}`,
        'objectClass: inetOrgPerson',
        `uid: ${u.uid}`,
        `cn: ${u.cn}`,
        `sn: ${u.cn.split(' ').pop()}`,
        ...(u.mail ? [`mail: ${u.mail}`] : []),
        ...(u.employeeType ? [`employeeType: ${u.employeeType}`] : []),
        `userPassword: ${u.password}`,
      ].join('\n'),
    ),
  ];
  writeFileSync(join(dir, 'entries.ldif'), `${entries.join('\n\n')}\n`);
  execSync(`/usr/sbin/slapadd -f ${dir}/slapd.conf -l ${dir}/entries.ldif`, { stdio: 'pipe' });
  const port = await freePort();
  const child: ChildProcess = spawn(
    '/usr/sbin/slapd',
    ['-f', `${dir}/slapd.conf`, '-h', `ldap://127.0.0.1:${port}/`, '-d', '0'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100 && !(await tcpAnswers('127.0.0.1', port)); i++)
    await new Promise((r) => setTimeout(r, 100));
  if (!(await tcpAnswers('127.0.0.1', port))) {
    child.kill('SIGKILL');
    throw new Error('slapd did not start');
  }
  return {
    url: `ldap://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    baseDn: BASE_DN,
    appDn,
    appPassword,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
