/**
 * `anchorflow` command line: propagate | serve | demo | --help | --version.
 * bin/anchorflow.js calls `main` from the compiled build; tests run this file directly through tsx.
 */
import { InputError } from './errors';
import { SEE_HELP } from './cli/args';
import { DEMO_HELP, MAIN_HELP, SERVE_HELP } from './cli/help';
import { oneLine, runPropagate, type CliStreams } from './cli/run-propagate';
import { packageVersion } from './cli/version';

/** Writes what is pending on stdout/stderr, then exits: worker threads or native handles must not keep us alive. */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

async function dispatch(argv: string[], streams: CliStreams): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      streams.stdout.write(MAIN_HELP);
      return 0;
    case '-v':
    case '--version':
      streams.stdout.write(`${packageVersion()}\n`);
      return 0;
    case 'propagate':
      return runPropagate(rest, streams);
    case 'serve': {
      if (rest.includes('--help') || rest.includes('-h')) {
        streams.stdout.write(SERVE_HELP);
        return 0;
      }
      if (rest.length > 0) throw new InputError(`anchorflow serve takes no arguments (got ${rest[0]}); see anchorflow --help.`);
      const { runServe } = await import('./serve');
      return runServe(process.stdin, process.stdout);
    }
    case 'demo': {
      if (rest.includes('--help') || rest.includes('-h')) {
        streams.stdout.write(DEMO_HELP);
        return 0;
      }
      const { runDemo } = await import('./demo');
      return runDemo(rest, streams);
    }
    default:
      throw new InputError(
        command.startsWith('-')
          ? `Unknown option ${command}; see anchorflow --help.`
          : `Unknown command ${command} (commands: propagate, serve, demo); ${SEE_HELP.replace('propagate ', '')}.`,
      );
  }
}

export async function main(argv: string[]): Promise<void> {
  const streams: CliStreams = { stdout: process.stdout, stderr: process.stderr };
  let code: number;
  try {
    code = await dispatch(argv, streams);
  } catch (error) {
    streams.stderr.write(`anchorflow: ${oneLine(error)}\n`);
    code = error instanceof InputError ? 2 : 1;
  }
  exitAfterFlush(code);
}

if (require.main === module) void main(process.argv.slice(2));
