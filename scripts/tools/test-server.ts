// The Java time-skipping test server (`io.temporal:temporal-test-server`), resolved once per
// machine from Maven Central into the tools cache and run by a generated wrapper script.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  collect,
  elapsed,
  findOnPath,
  freePort,
  isExecutable,
  run,
  shellQuote,
  START_TIMEOUT_MS,
  stop,
  tail,
  waitForGrpc,
  withLock,
  writeExecutable,
  type Log,
  type ToolsOptions,
} from './process.ts';

/** The time-skipping test server release on Maven Central. Bump it here; the next run rebuilds. */
export const TEST_SERVER_VERSION = '1.38.0';

/** Pinned so the Maven step is reproducible and does not ask Central for the newest plugin. */
const MAVEN_DEPENDENCY_PLUGIN_VERSION = '3.8.1';

const TEST_SERVER_MAIN_CLASS = 'io.temporal.testserver.TestServer';

/**
 * JVM flags for the test server. The SDK gives a server 5 s to answer gRPC, and a cold JVM loading
 * gRPC, Netty and protobuf on 2 cores takes about that long, so start-up speed is what matters:
 * C1 only (no C2 warm-up work competing for the cores), the serial collector (no GC threads to
 * start), no perf-data file, and the class-data-sharing archive made at build time.
 * `-Xshare:auto` makes an unusable archive (e.g. after a JDK update) a slowdown, not a failure.
 */
const TEST_SERVER_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData', '-Xshare:auto'];

export interface TestServerOptions extends ToolsOptions {
  /** A test server executable to use as is (TEMPORAL_TEST_SERVER_PATH). */
  serverPath?: string;
}

/** Where one version of the test server lives; everything in it is written by `buildTestServer`. */
function testServerLayout(toolsDir: string) {
  const dir = path.join(path.resolve(toolsDir), 'test-server', TEST_SERVER_VERSION);
  return {
    dir,
    lock: `${dir}.lock`,
    lib: path.join(dir, 'lib'),
    cdsArchive: path.join(dir, 'temporal-test-server.jsa'),
    /** Identifies the JVM the archive was made with; a CDS archive only fits that exact JVM. */
    jvmStamp: path.join(dir, 'jvm.json'),
    /** Written last, so its presence means the build is complete. */
    wrapper: path.join(dir, 'temporal-test-server'),
  };
}

type TestServerLayout = ReturnType<typeof testServerLayout>;

/**
 * The time-skipping test server: the configured one, or a wrapper script around the Java server
 * in `<toolsDir>/test-server/<version>`, built with Maven on first use. Undefined without Java
 * and Maven.
 */
export async function testServerPath(opts: TestServerOptions): Promise<string | undefined> {
  const log = opts.log ?? (() => {});
  if (opts.serverPath !== undefined) {
    if (await isExecutable(opts.serverPath)) return opts.serverPath;
    log(`TEMPORAL_TEST_SERVER_PATH ${opts.serverPath} is not an executable file; looking elsewhere`);
  }
  const layout = testServerLayout(opts.toolsDir);
  const java = await findJava();
  if (await testServerIsCurrent(layout, java)) return layout.wrapper;

  const mvn = await findOnPath('mvn');
  if (java === undefined || mvn === undefined) {
    log('No Java test server and no Java and Maven to build one; falling back to the SDK download');
    return undefined;
  }
  await fs.mkdir(path.dirname(layout.dir), { recursive: true });
  return withLock(layout.lock, log, 'the Temporal test server', async () => {
    if (await testServerIsCurrent(layout, java)) return layout.wrapper;
    await buildTestServer(layout, java, mvn, log);
    return layout.wrapper;
  });
}

async function testServerIsCurrent(layout: TestServerLayout, java: string | undefined) {
  if (!(await isExecutable(layout.wrapper))) return false;
  // After a JDK update the archive no longer fits, and without it the start-up misses the SDK's
  // 5 s; rebuilding is cheap once Maven has the jars.
  if (java === undefined) return true; // nothing to compare with; the wrapper names its own JVM
  const stamp = await fs.readFile(layout.jvmStamp, 'utf8').catch(() => undefined);
  return stamp === JSON.stringify(await jvmIdentity(java));
}

async function buildTestServer(layout: TestServerLayout, java: string, mvn: string, log: Log) {
  // Start clean: an interrupted build may have left jars of a half-finished copy.
  await fs.rm(layout.dir, { recursive: true, force: true });
  await fs.mkdir(layout.dir, { recursive: true });

  log(`Resolving temporal-test-server ${TEST_SERVER_VERSION} with Maven into ${layout.dir}`);
  let started = performance.now();
  await fs.writeFile(path.join(layout.dir, 'pom.xml'), testServerPom());
  // The jars are copied next to the wrapper rather than read from ~/.m2: the CDS archive checks
  // each jar's size and modification time, so they must never change under it, and the install
  // then survives a cleaned Maven repository.
  const resolved = await run(
    mvn,
    [
      '-B',
      '-q',
      '-f',
      path.join(layout.dir, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${layout.lib}`,
      '-DincludeScope=runtime',
    ],
    { cwd: layout.dir },
  );
  if (resolved.code !== 0) {
    throw new Error(`Maven could not resolve the test server (exit ${resolved.code}):\n${tail(resolved.stdout + resolved.stderr)}`);
  }
  log(`  resolved in ${elapsed(started)}`);
  // Also names the JVM for testServerCommand: the archive recorded below fits only this one.
  await fs.writeFile(layout.jvmStamp, JSON.stringify(await jvmIdentity(java)));

  // Training run: start the server once with -XX:ArchiveClassesAtExit, so every class it loads up
  // to answering gRPC lands in the archive, then stop it with SIGTERM; the JVM writes the archive
  // while exiting. Written under another name and renamed, so a failed run leaves no bad archive.
  log('Recording the class-data-sharing archive (one server start)');
  started = performance.now();
  const training = `${layout.cdsArchive}.tmp`;
  const { command, args } = await commandFor(layout, {
    archive: false,
    jvmFlags: [`-XX:ArchiveClassesAtExit=${training}`],
  });
  const port = await freePort();
  const child = spawn(command, [...args, String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = collect(child);
  try {
    await waitForGrpc(port, child, START_TIMEOUT_MS, stderr);
  } finally {
    await stop(child);
  }
  const archiveWritten = await fs.stat(training).then((s) => s.size > 0, () => false);
  if (archiveWritten) {
    await fs.rename(training, layout.cdsArchive);
    log(`  archive recorded in ${elapsed(started)}`);
  } else {
    log(`  the JVM wrote no archive; the server will start without it (slower):\n${tail(stderr())}`);
  }

  const wrapped = await commandFor(layout, { archive: archiveWritten });
  await writeExecutable(layout.wrapper, wrapperScript(wrapped));
  log(`Test server ready: ${layout.wrapper}`);
}

function testServerPom(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/temporal-tools.ts: only there to let Maven resolve the test server. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.custodian</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>${TEST_SERVER_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin>
          <groupId>org.apache.maven.plugins</groupId>
          <artifactId>maven-dependency-plugin</artifactId>
          <version>${MAVEN_DEPENDENCY_PLUGIN_VERSION}</version>
        </plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
`;
}

export interface Command {
  command: string;
  /** Arguments up to and including the main class; the caller appends the server's own. */
  args: string[];
}

export interface TestServerCommandOptions {
  /** Use the CDS archive (default true); false to record it, or to measure what it is worth. */
  archive?: boolean;
  /** Use the start-up flags (default true); false for a plain `java -cp`, also without the archive. */
  tuned?: boolean;
  /** More JVM flags, placed before the main class. */
  jvmFlags?: string[];
}

/** The java command line of the test server installed in `toolsDir`, with the JVM it was built with. */
export function testServerCommand(toolsDir: string, options: TestServerCommandOptions = {}): Promise<Command> {
  return commandFor(testServerLayout(toolsDir), options);
}

async function commandFor(layout: TestServerLayout, options: TestServerCommandOptions): Promise<Command> {
  const { java } = JSON.parse(await fs.readFile(layout.jvmStamp, 'utf8')) as { java: string };
  // Sorted explicitly: the CDS archive is only used when the class path matches the recorded one.
  const jars = (await fs.readdir(layout.lib)).filter((name) => name.endsWith('.jar')).sort();
  if (jars.length === 0) throw new Error(`no jars in ${layout.lib}`);
  const classpath = jars.map((name) => path.join(layout.lib, name)).join(path.delimiter);
  const tuned = options.tuned !== false;
  const flags = tuned ? [...TEST_SERVER_JVM_FLAGS] : [];
  if (tuned && options.archive !== false) flags.push(`-XX:SharedArchiveFile=${layout.cdsArchive}`);
  flags.push(...(options.jvmFlags ?? []));
  return { command: java, args: [...flags, '-cp', classpath, TEST_SERVER_MAIN_CLASS] };
}

function wrapperScript({ command, args }: Command): string {
  return [
    '#!/bin/sh',
    `# Temporal time-skipping test server ${TEST_SERVER_VERSION}, generated by scripts/temporal-tools.ts.`,
    '# The SDK runs it as `temporal-test-server <port>`. `exec`, so that the SDK, which stops its',
    '# server by killing the child it spawned, kills the JVM rather than only this shell.',
    `exec ${[command, ...args].map(shellQuote).join(' ')} "$@"`,
    '',
  ].join('\n');
}

async function findJava(): Promise<string | undefined> {
  const home = process.env.JAVA_HOME;
  if (home) {
    const java = path.join(home, 'bin', 'java');
    if (await isExecutable(java)) return java;
  }
  const java = await findOnPath('java');
  // The real binary, so the stamp below changes when the JDK behind the alternatives link does.
  return java === undefined ? undefined : fs.realpath(java);
}

async function jvmIdentity(java: string) {
  const stat = await fs.stat(java).catch(() => undefined);
  // libjvm.so is what a CDS archive is tied to; the launcher alone rarely changes.
  const libjvm = await fs.stat(path.join(path.dirname(java), '..', 'lib', 'server', 'libjvm.so')).catch(() => undefined);
  return { java, size: stat?.size, mtime: stat?.mtimeMs, libjvmSize: libjvm?.size, libjvmMtime: libjvm?.mtimeMs };
}
