/**
 * A failure the CLI reports as one line. Exit code 1: a call to a service (or the daemon) failed;
 * 2: the command line itself is wrong (unknown command or change, missing or ambiguous target).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, 2);
