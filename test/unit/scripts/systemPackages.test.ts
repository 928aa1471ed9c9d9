// scripts/systemPackages.mjs, the functions `npm test` and `npm start` run before any install:
// the package list, the check against a fake machine (a missing header said in one line, the
// exact apt-get command without root, apt-get run once as root, nothing done when all is there),
// and the one sentence a failed install's log becomes. runLogged runs a real command.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureSystemPackages,
  failingPackage,
  firstCause,
  installCommand,
  installFailure,
  missingLine,
  missingPackages,
  packagesFor,
  PURPOSES,
  runLogged,
  SetupError,
  SYSTEM_PACKAGES,
  type Probe,
  type RunResult,
} from '../../../scripts/systemPackages.mjs';

interface FakeMachine extends Probe {
  readonly files: Set<string>;
  readonly packages: Set<string>;
  readonly runs: { command: string; args: readonly string[]; frontend: string | undefined }[];
}

/**
 * A machine with every listed package but `without`. Its apt-get answers with `apt`; a successful
 * install adds the packages (their files) unless `installs` is false.
 */
function fakeMachine({ root = false, without = [] as string[], apt = (_args: readonly string[]): RunResult => ({ status: 0, output: '' }), installs = true } = {}): FakeMachine {
  const files = new Set<string>();
  const packages = new Set<string>();
  const add = (name: string) => {
    const pkg = SYSTEM_PACKAGES.find((p) => p.name === name);
    if (pkg?.file) files.add(pkg.file);
    packages.add(name);
  };
  for (const pkg of SYSTEM_PACKAGES) if (!without.includes(pkg.name)) add(pkg.name);
  const runs: FakeMachine['runs'] = [];
  return {
    files,
    packages,
    runs,
    isRoot: () => root,
    hasFile: (path) => files.has(path),
    dpkgInstalled: (name) => packages.has(name),
    run: (command, args, options) => {
      runs.push({ command, args, frontend: options.env?.DEBIAN_FRONTEND });
      const r = apt(args);
      if (installs && r.status === 0 && args[0] === 'install') for (const name of args.slice(2)) add(name);
      return r;
    },
  };
}

const BUILD_TOOLS = ['python3', 'make', 'g++', 'gcc', 'libc6-dev', 'libkrb5-dev'];

describe('system packages (scripts/systemPackages.mjs)', () => {
  describe('the list', () => {
    it('names what code-server’s native modules, node-gyp, the browser tests, the integration suite and the tests of logs need', () => {
      assert.deepEqual(SYSTEM_PACKAGES.map((p) => p.name), [...BUILD_TOOLS, 'chromium', 'procps', 'ltrace']);
      assert.deepEqual(packagesFor(['server']).map((p) => p.name), BUILD_TOOLS);
      assert.deepEqual(packagesFor(['browser']).map((p) => p.name), ['chromium']);
      assert.deepEqual(packagesFor(['integration']).map((p) => p.name), ['procps']);
      assert.deepEqual(packagesFor(['logs']).map((p) => p.name), ['ltrace']);
    });

    it('says why each is needed and how to tell it is there: one file, or dpkg-query', () => {
      for (const pkg of SYSTEM_PACKAGES) {
        assert.ok(pkg.for in PURPOSES, pkg.name);
        assert.ok(pkg.why.length > 20, `${pkg.name} says why`);
        assert.equal(Boolean(pkg.file) !== Boolean(pkg.dpkg), true, `${pkg.name} has exactly one check`);
        if (pkg.file) assert.match(pkg.file, /^\/usr\//, pkg.name);
      }
      const byName = (name: string) => SYSTEM_PACKAGES.find((p) => p.name === name);
      assert.equal(byName('libkrb5-dev')?.file, '/usr/include/gssapi/gssapi.h');
      assert.equal(byName('chromium')?.file, '/usr/bin/chromium');
      assert.equal(byName('gcc')?.file, '/usr/bin/cc');
      // /usr/bin/python3 comes with python3-minimal, which lacks the standard library gyp uses.
      assert.equal(byName('python3')?.dpkg, 'python3');
    });

    it('is the list docs/setup.md explains, package by package', () => {
      const doc = readFileSync(join(process.cwd(), 'docs', 'setup.md'), 'utf8');
      for (const pkg of SYSTEM_PACKAGES) assert.ok(doc.includes(`| \`${pkg.name}\` |`), `docs/setup.md has a row for ${pkg.name}`);
    });

    it('asks nothing for the unit tests, and refuses a purpose it does not know', () => {
      assert.deepEqual(packagesFor([]), []);
      assert.deepEqual(ensureSystemPackages([], { probe: fakeMachine({ without: SYSTEM_PACKAGES.map((p) => p.name) }) }), { present: [], installed: [] });
      assert.throws(() => packagesFor(['unit' as never]), /unknown purpose unit/);
    });
  });

  describe('the check', () => {
    it('does nothing when everything is there', () => {
      const probe = fakeMachine({ root: true });
      const r = ensureSystemPackages(['server', 'browser', 'integration', 'logs'], { probe, logFile: '/nonexistent.log' });
      assert.deepEqual(r, { present: SYSTEM_PACKAGES.map((p) => p.name), installed: [] });
      assert.deepEqual(probe.runs, []);
    });

    it('names a missing header in one line with the exact apt-get command, without root', () => {
      const probe = fakeMachine({ without: ['libkrb5-dev'] });
      assert.throws(
        () => ensureSystemPackages(['server', 'browser'], { probe, rerun: 'npm test' }),
        (err: unknown) => {
          assert.ok(err instanceof SetupError);
          assert.equal(
            err.message,
            'Missing Debian package libkrb5-dev (no /usr/include/gssapi/gssapi.h): run `sudo apt-get install -y libkrb5-dev`, then npm test again (docs/setup.md says why each is needed).',
          );
          return true;
        },
      );
      assert.deepEqual(probe.runs, [], 'nothing is run without root');
    });

    it('names every missing package, a dpkg one too, in the list’s order, on one line', () => {
      const probe = fakeMachine({ without: ['chromium', 'python3', 'libkrb5-dev'] });
      probe.files.add('/usr/bin/python3'); // python3-minimal alone is not enough
      const missing = missingPackages(['server', 'browser'], probe);
      assert.deepEqual(missing.map((p) => p.name), ['python3', 'libkrb5-dev', 'chromium']);
      const line = missingLine(missing, { rerun: 'npm start' });
      assert.equal(line.includes('\n'), false);
      assert.ok(line.startsWith('Missing Debian packages python3 (dpkg-query: python3 not installed), libkrb5-dev (no /usr/include/gssapi/gssapi.h), chromium (no /usr/bin/chromium): '), line);
      assert.ok(line.includes('run `sudo apt-get install -y python3 libkrb5-dev chromium`, then npm start again'), line);
    });

    it('asks only for what the purposes need: npm start does not need Chromium', () => {
      const probe = fakeMachine({ without: ['chromium', 'procps'] });
      assert.deepEqual(ensureSystemPackages(['server'], { probe }).installed, []);
      assert.throws(() => ensureSystemPackages(['server', 'browser'], { probe }), /Missing Debian package chromium \(no \/usr\/bin\/chromium\)/);
    });

    it('as root, installs what is missing: apt-get update once, then one noninteractive apt-get install -y', () => {
      const probe = fakeMachine({ root: true, without: ['libkrb5-dev', 'chromium'] });
      const logged: string[] = [];
      const r = ensureSystemPackages(['server', 'browser'], { probe, logFile: '/tmp/apt.log', log: (m) => logged.push(m) });
      assert.deepEqual(r.installed, ['libkrb5-dev', 'chromium']);
      assert.deepEqual(r.present, ['python3', 'make', 'g++', 'gcc', 'libc6-dev']);
      assert.deepEqual(probe.runs, [
        { command: 'apt-get', args: ['update'], frontend: 'noninteractive' },
        { command: 'apt-get', args: ['install', '-y', 'libkrb5-dev', 'chromium'], frontend: 'noninteractive' },
      ]);
      assert.deepEqual(logged, ['installing Debian packages libkrb5-dev chromium with apt-get (output in /tmp/apt.log)']);
      // Later in the same run: present now, nothing to do; another one missing: no second update.
      assert.deepEqual(ensureSystemPackages(['server', 'browser'], { probe }).installed, []);
      probe.files.delete('/usr/bin/ps');
      assert.deepEqual(ensureSystemPackages(['integration'], { probe }).installed, ['procps']);
      assert.deepEqual(probe.runs.slice(2).map((run) => run.args), [['install', '-y', 'procps']]);
    });

    it('as root, says in one sentence when apt-get fails, and does not try again in the same run', () => {
      const probe = fakeMachine({
        root: true,
        without: ['libkrb5-dev'],
        apt: (args) => (args[0] === 'install' ? { status: 100, output: 'Reading package lists...\nE: Unable to locate package libkrb5-dev\n' } : { status: 0, output: '' }),
      });
      const expected = '`apt-get install -y libkrb5-dev` failed (E: Unable to locate package libkrb5-dev), so libkrb5-dev could not be installed; fix that or run `apt-get install -y libkrb5-dev` yourself, then npm test again (full log: /tmp/apt.log).';
      assert.throws(() => ensureSystemPackages(['server'], { probe, logFile: '/tmp/apt.log', rerun: 'npm test' }), { name: 'SetupError', message: expected });
      assert.throws(() => ensureSystemPackages(['server'], { probe, logFile: '/tmp/apt.log', rerun: 'npm test' }), { message: expected });
      assert.equal(probe.runs.length, 2, 'update and install once, not again');
      // apt-get update's numbered errors are quoted too.
      const offline = fakeMachine({ root: true, without: ['chromium'], apt: () => ({ status: 100, output: 'Err:1 http://deb.debian.org/debian bookworm InRelease\n  Temporary failure resolving\n' }) });
      assert.throws(() => ensureSystemPackages(['browser'], { probe: offline, logFile: '/l' }), {
        message: '`apt-get update` failed (Err:1 http://deb.debian.org/debian bookworm InRelease), so chromium could not be installed; fix that or run `apt-get install -y chromium` yourself, then the same command again (full log: /l).',
      });
    });

    it('as root, says so when apt-get succeeded but the file is still missing', () => {
      const probe = fakeMachine({ root: true, without: ['libkrb5-dev'], installs: false });
      assert.throws(() => ensureSystemPackages(['server'], { probe, logFile: '/tmp/apt.log' }), {
        message: 'apt-get installed libkrb5-dev but libkrb5-dev (no /usr/include/gssapi/gssapi.h) still cannot be found (full log: /tmp/apt.log).',
      });
    });

    it('words the command for root without sudo', () => {
      assert.equal(installCommand(['libkrb5-dev', 'chromium']), 'sudo apt-get install -y libkrb5-dev chromium');
      assert.equal(installCommand(['libkrb5-dev'], { root: true }), 'apt-get install -y libkrb5-dev');
    });
  });

  describe('a failed install in one sentence', () => {
    // The end of code-server's install log on a machine without libkrb5-dev (abridged from a real run).
    const kerberosLog = [
      'npm error code 1',
      'npm error path /w/.tools/vscode-server/node_modules/code-server',
      'npm error command sh -c sh ./postinstall.sh',
      'npm error You may not have the required dependencies to build the native modules.',
      'npm error npm error code 1',
      'npm error npm error path /w/.tools/vscode-server/node_modules/code-server/lib/vscode/node_modules/kerberos',
      'npm error npm error command sh -c prebuild-install --runtime napi || node-gyp rebuild',
      "npm error npm error gyp info find Python using Python version 3.11.2 found at \"/usr/bin/python3\"",
      'npm error npm error In file included from ../src/kerberos_common.h:5,',
      'npm error npm error ../src/unix/kerberos_gss.h:21:14: fatal error: gssapi/gssapi.h: No such file or directory',
      'npm error npm error    21 |     #include <gssapi/gssapi.h>',
      'npm error npm error compilation terminated.',
      'npm error npm error gyp ERR! stack Error: `make` failed with exit code: 2',
      'npm error npm error gyp ERR! $npm_package_name kerberos',
      'npm error A complete log of this run can be found in: /root/.npm/_logs/x-debug-0.log',
    ].join('\n');

    it('finds the package whose script failed and the compiler’s first error', () => {
      assert.equal(failingPackage(kerberosLog), 'kerberos');
      assert.equal(firstCause(kerberosLog), 'fatal error: gssapi/gssapi.h: No such file or directory');
      assert.equal(failingPackage('npm error path /x/node_modules/@vscode/spdlog\n'), '@vscode/spdlog');
      assert.equal(firstCause('npm error code ENOTFOUND\nnpm error network request to https://registry.npmjs.org/x failed\n'), 'code ENOTFOUND');
      assert.equal(firstCause('npm error ERROR: code-server currently requires node v24.\n'), 'code-server currently requires node v24.');
      assert.equal(firstCause('all fine\n'), undefined);
    });

    it('says what failed, what to run and where the log is', () => {
      const sentence = installFailure({ what: 'Installing code-server 4.139.1', status: 1, output: kerberosLog, logFile: '/w/.tools/vscode-server-install.log', rerun: 'npm start' });
      assert.equal(
        sentence,
        'Installing code-server 4.139.1 failed in kerberos\'s install script with "fatal error: gssapi/gssapi.h: No such file or directory": see docs/setup.md ("If the install fails"), then run npm start again, which starts the install afresh (full log: /w/.tools/vscode-server-install.log).',
      );
      assert.equal(
        installFailure({ what: 'Installing Node', status: 7, output: '', logFile: '/l' }),
        'Installing Node failed (exit code 7): see docs/setup.md ("If the install fails"), then run the same command again, which starts the install afresh (full log: /l).',
      );
    });

    it('names a package found missing after the failure, with the command, and still quotes the log', () => {
      const missing = missingPackages(['server'], fakeMachine({ without: ['libkrb5-dev'] }));
      assert.equal(
        installFailure({ what: 'Installing code-server 4.139.1', status: 1, output: kerberosLog, logFile: '/l', missing, rerun: 'npm test' }),
        'Installing code-server 4.139.1 failed in kerberos\'s install script with "fatal error: gssapi/gssapi.h: No such file or directory", and libkrb5-dev (no /usr/include/gssapi/gssapi.h) is missing now: run `sudo apt-get install -y libkrb5-dev`, then npm test again (full log: /l).',
      );
      // A package missing by then is not taken for the cause when the log says another.
      const certificate = 'npm error code SELF_SIGNED_CERT_IN_CHAIN\nnpm error request to https://registry.npmjs.org/code-server failed, reason: self-signed certificate in certificate chain\n';
      assert.equal(
        installFailure({ what: 'Installing code-server 4.139.1', status: 1, output: certificate, logFile: '/l', missing, root: true }),
        'Installing code-server 4.139.1 failed with "code SELF_SIGNED_CERT_IN_CHAIN", and libkrb5-dev (no /usr/include/gssapi/gssapi.h) is missing now: run `apt-get install -y libkrb5-dev`, then the same command again (full log: /l).',
      );
    });
  });

  describe('runLogged', () => {
    it('appends a real command’s output to the log and returns its status and this run’s part', () => {
      const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-runlogged-'));
      try {
        const logFile = join(dir, 'install.log');
        const first = runLogged('sh', ['-c', 'echo out; echo err >&2; exit 3'], { logFile });
        assert.equal(first.status, 3);
        assert.equal(first.output, 'out\nerr\n');
        const second = runLogged('sh', ['-c', 'echo again'], { logFile });
        assert.deepEqual(second, { status: 0, output: 'again\n' });
        assert.equal(readFileSync(logFile, 'utf8'), 'out\nerr\nagain\n');
        const absent = runLogged(join(dir, 'no-such-command'), [], { logFile });
        assert.equal(absent.status, -1);
        assert.match(absent.output, /ENOENT/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
