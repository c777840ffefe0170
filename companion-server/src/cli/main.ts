/**
 * `oneshot-roto` command line. Each command lives in its own module under ./commands and registers
 * itself on the program; this file only assembles them.
 */
import { Command, CommanderError } from 'commander';
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
    .exitOverride();
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
