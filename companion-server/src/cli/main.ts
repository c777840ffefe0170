/**
 * `oneshot-roto` command line. Each command lives in its own module under ./commands and registers
 * itself on the program; this file only assembles them.
 */
import { Command, CommanderError, Option } from 'commander';
import { configureLogging, LOG_LEVELS, type LogFormat } from '@oneshot-roto/core';
import type { LevelWithSilent } from 'pino';
import { version } from '../version';
import { registerDemoCommand } from './commands/demo';
import { registerEvalCommand } from './commands/eval';
import { registerModelsCommand } from './commands/models';
import { registerSegmentCommand } from './commands/segment';
import { registerServeCommand } from './commands/serve';
import { registerTrainGraphCommand } from './commands/train-graph';

export function buildProgram(): Command {
  const program = new Command('oneshot-roto')
    .description(
      'One-shot video object segmentation (OSVOS) for video editors: fine-tune on one annotated frame, matte the whole clip.',
    )
    .version(version)
    .showHelpAfterError()
    // Before the commands are added, so that they inherit it: a bad option value in a command
    // then ends in main()'s catch (exit code set, no process.exit under a host process or test).
    .exitOverride()
    .option(
      '--log-json',
      'log JSON lines on stderr (the default for serve) instead of short lines for people',
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'least severe log level shown (default: $ONESHOT_ROTO_LOG_LEVEL, else warn, or info for JSON)',
      ).choices([...LOG_LEVELS]),
    )
    // Before every command: people at a terminal see progress and warnings, not JSON; the server
    // and anything that reads logs get JSON lines.
    .hook('preAction', (_program, command) => {
      const opts = program.opts<{ logJson?: boolean; logLevel?: LevelWithSilent }>();
      const format: LogFormat = opts.logJson || command.name() === 'serve' ? 'json' : 'human';
      configureLogging({ format, level: opts.logLevel });
    });
  registerSegmentCommand(program);
  registerEvalCommand(program);
  registerDemoCommand(program);
  registerServeCommand(program);
  registerModelsCommand(program);
  registerTrainGraphCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}
